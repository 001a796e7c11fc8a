"""Reading Asterisk's queue_log: `EPOCH|CALLID|QUEUE|AGENT|EVENT|DATA1|DATA2|DATA3…`, one event a line.

Only what the statistics need survives parsing. ENTERQUEUE's caller id (DATA2) is handed to `classify`
while the line is read and never kept: the event carries the line and county it stood for. The AGENT
field is never read. Each event keeps a 64-bit hash of its line, so a line sent again is recognised.
A text with any malformed line is refused as a whole, every such line named by its number.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from enum import StrEnum
from typing import NamedTuple

__all__ = ["Classify", "EventKind", "QueueEvent", "QueueLogError", "event_id", "parse_queue_log"]

Classify = Callable[[str, str, str], tuple[str, str]]
"""(pool, ENTERQUEUE url, caller id) -> (line, county), '' where unknown; called with empty url and caller
for a pool alone."""

EARLIEST_EPOCH = 946_684_800
"""2000-01-01: an epoch before it is no queue_log time."""
FUTURE_TOLERANCE_S = 86_400
MAX_PROBLEMS = 100
_QUEUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_EVENT = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
_SECONDS = re.compile(r"\d{1,7}")
_valid_queues: set[str] = set()
"""Queue names seen valid (a center has a handful): the pattern is checked once per name."""


class EventKind(StrEnum):
    """What an event means for a call in a queue."""

    enter = "enter"
    connect = "connect"
    abandon = "abandon"
    exit = "exit"
    complete = "complete"


EVENTS: dict[str, tuple[EventKind, int | None, int | None]] = {
    "ENTERQUEUE": (EventKind.enter, None, None),
    "CONNECT": (EventKind.connect, 1, None),
    "ABANDON": (EventKind.abandon, 3, None),
    "EXITWITHTIMEOUT": (EventKind.exit, 3, None),
    "EXITEMPTY": (EventKind.exit, 3, None),
    "EXITWITHKEY": (EventKind.exit, 4, None),
    "COMPLETECALLER": (EventKind.complete, 1, 2),
    "COMPLETEAGENT": (EventKind.complete, 1, 2),
}
"""Event -> (kind, DATA field of the wait in seconds, DATA field of the talk time). Other events are ignored.
EXIT* events' wait is optional (older Asterisk versions do not log it)."""


class QueueEvent(NamedTuple):
    """One used event: when, which call in which pool, the wait or talk time it reports."""

    id: int
    epoch: int
    call: str
    """Asterisk's call id and the queue: a call that visits two queues is two queue calls"""
    pool: str
    kind: EventKind
    wait_s: int = 0
    talk_s: int = 0
    line: str = ""
    county: str = ""


class QueueLogError(ValueError):
    """Malformed lines, as (line number, what is wrong)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"line {n}: {message}" for n, message in problems))
        self.problems = problems


def event_id(line: str) -> int:
    """The dedupe key of a line: 64 bits of its BLAKE2b hash, as a signed integer (a BIGINT)."""
    return int.from_bytes(hashlib.blake2b(line.encode(), digest_size=8).digest(), "big", signed=True)


def _seconds(fields: list[str], position: int | None, *, required: bool) -> int:
    """DATA`position` as whole seconds; ValueError names the field when it is not one."""
    if position is None:
        return 0
    index = 4 + position
    text = fields[index].strip() if index < len(fields) else ""
    if not text and not required:
        return 0
    if not _SECONDS.fullmatch(text):
        raise ValueError(f"DATA{position} must be whole seconds, got {text[:20]!r}")
    return int(text)


def _event(line: str, fields: list[str], now: float, classify: Classify) -> QueueEvent | None:
    """The event of one line; None for an event the statistics do not use; ValueError when malformed."""
    if len(fields) < 5:
        raise ValueError("expected EPOCH|CALLID|QUEUE|AGENT|EVENT|DATA…")
    epoch_text, event = fields[0].strip(), fields[4].strip()
    if not epoch_text.isascii() or not epoch_text.isdigit() or len(epoch_text) > 12:
        raise ValueError("EPOCH must be seconds since 1970")
    epoch = int(epoch_text)
    if not EARLIEST_EPOCH <= epoch <= now + FUTURE_TOLERANCE_S:
        raise ValueError("EPOCH lies before 2000 or in the future")
    used = EVENTS.get(event)
    if used is None:
        if not _EVENT.fullmatch(event):
            raise ValueError("EVENT must be an Asterisk event name")
        return None
    call_id, queue = fields[1].strip(), fields[2].strip()
    if not call_id or len(call_id) > 128 or not call_id.isprintable():
        raise ValueError("CALLID is missing or not printable")
    if queue not in _valid_queues:
        if not _QUEUE.fullmatch(queue):
            raise ValueError("QUEUE must be a pool id")
        if len(_valid_queues) < 1024:
            _valid_queues.add(queue)
    kind, wait_at, talk_at = used
    wait = _seconds(fields, wait_at, required=kind is not EventKind.exit)
    talk = _seconds(fields, talk_at, required=True)
    line_kind, county = "", ""
    if kind is EventKind.enter:
        url = fields[5] if len(fields) > 5 else ""
        caller = fields[6] if len(fields) > 6 else ""
        line_kind, county = classify(queue, url.strip(), caller.strip())
    return QueueEvent(event_id(line), epoch, f"{call_id}|{queue}", queue, kind, wait, talk, line_kind, county)


def parse_queue_log(text: str, *, now: float, classify: Classify) -> tuple[list[QueueEvent], int, int]:
    """(used events in order, lines read, lines ignored) of a queue_log text; blank lines are skipped.

    Raises QueueLogError naming every malformed line (at most the first hundred).
    """
    events: list[QueueEvent] = []
    problems: list[tuple[int, str]] = []
    lines = ignored = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        lines += 1
        try:
            event = _event(line, line.split("|"), now, classify)
        except ValueError as error:
            problems.append((number, str(error)))
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        if event is None:
            ignored += 1
        else:
            events.append(event)
    if problems:
        raise QueueLogError(problems)
    return events, lines, ignored
