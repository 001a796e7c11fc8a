"""Counting the ACD's queue events: each exactly once, each call under the slot and pool it entered.

A call is counted in the quarter hour it entered the queue: offered at ENTERQUEUE, then answered (and
whether within 30 s), abandoned (and whether within 5 s), or exited, with its wait, from the event that
ends its wait; talk time from COMPLETECALLER/COMPLETEAGENT. Until then the call is a pending row holding
only its entry time, line, county and pool; the row goes when the call ends, or PENDING_S after entry.

Exactly once: every line's hash is claimed with `INSERT … ON CONFLICT DO NOTHING RETURNING`, and only
claimed lines count. The hashes are kept for the dedupe window (counted back from the newest event
ingested) and pruned after it; a line older than the window is not counted at all, as its hash may be gone.
An event whose call entered before the ingest saw it (the forwarder started mid-call) counts the call as
offered from the time the event reports it entered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from sqlalchemy import case, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.statistics.counters import CALLS, Counts, add_counts, dialect_insert, merge_into
from knowledge.statistics.models import AcdState, PendingCall, SeenEvent
from knowledge.statistics.queue_log import EventKind, QueueEvent
from knowledge.statistics.slots import slot_of

__all__ = ["PENDING_S", "IngestReport", "OpenCall", "PoolDims", "count_events", "ingest", "prune"]

PENDING_S = 12 * 3600
"""How long a call may stay pending: no call waits or talks half a day; a lost end event costs no more."""
CHUNK = 1000
ANSWER_TARGET_S = 30
ABANDON_GRACE_S = 5
_MAXIMA = CALLS.max_positions()
_M = {name: i for i, name in enumerate(CALLS.measures)}

PoolDims = Callable[[str], tuple[str, str]]
"""pool -> (line, county) for a call whose ENTERQUEUE was never seen."""


@dataclass(frozen=True, slots=True)
class OpenCall:
    """A queue call between ENTERQUEUE and its end: what its later events are counted under."""

    entered: int
    line: str
    county: str
    pool: str
    connected: bool = False


@dataclass
class IngestReport:
    """What one text of queue_log lines did."""

    lines: int = 0
    events: int = 0
    counted: int = 0
    duplicates: int = 0
    too_old: int = 0
    ignored: int = 0


def _measure(**values: int) -> list[int]:
    row = [0] * len(CALLS.measures)
    for name, value in values.items():
        row[_M[name]] = value
    return row


def count_events(
    events: Iterable[QueueEvent], open_calls: dict[str, OpenCall], pool_dims: PoolDims
) -> Counts:
    """The call counters `events` (new, in order) add, pairing them with `open_calls`, which is changed in
    place to the calls still open afterwards."""
    counts: Counts = {}

    def add(call: OpenCall, **values: int) -> None:
        key = (slot_of(call.entered), call.line, call.county, call.pool)
        merge_into(counts, key, _measure(**values), _MAXIMA)

    for event in events:
        if event.kind is EventKind.enter:
            call = OpenCall(event.epoch, event.line, event.county, event.pool)
            open_calls[event.call] = call
            add(call, offered=1)
            continue
        found = open_calls.get(event.call)
        if found is None:
            line, county = pool_dims(event.pool)
            entered = event.epoch - event.wait_s - event.talk_s
            found = OpenCall(entered, line, county, event.pool, connected=event.kind is EventKind.complete)
            if event.kind is not EventKind.complete:
                add(found, offered=1)
        wait = event.wait_s
        if event.kind is EventKind.connect:
            add(
                found,
                answered=1,
                answered_within_30s=int(wait <= ANSWER_TARGET_S),
                wait_answered_s=wait,
                wait_max_s=wait,
            )
            open_calls[event.call] = replace(found, connected=True)
            continue
        if event.kind is EventKind.abandon:
            add(found, abandoned=1, abandoned_within_5s=int(wait <= ABANDON_GRACE_S), wait_max_s=wait)
        elif event.kind is EventKind.exit:
            add(found, exited=1, wait_max_s=wait)
        else:
            add(found, completed=1, talk_s=event.talk_s)
        open_calls.pop(event.call, None)
    return counts


async def _advance_newest(session: AsyncSession, epoch: int) -> int:
    """Raise the newest event time to `epoch` if it is later, and return it. This is the ingest's first
    write: the row it locks makes ingests on several instances take turns."""
    table = AcdState.__table__  # type: ignore[attr-defined]
    statement = dialect_insert(session, AcdState).values(id=1, newest=epoch)
    later = case(
        (statement.excluded.newest > table.c.newest, statement.excluded.newest), else_=table.c.newest
    )
    statement = statement.on_conflict_do_update(index_elements=["id"], set_={"newest": later})
    return (await session.execute(statement.returning(table.c.newest))).scalar_one()


async def _claim(session: AsyncSession, events: dict[int, QueueEvent]) -> set[int]:
    """The ids among `events` not seen before, now recorded as seen."""
    table = SeenEvent.__table__  # type: ignore[attr-defined]
    rows = [{"id": i, "epoch": e.epoch} for i, e in sorted(events.items())]
    claimed: set[int] = set()
    for start in range(0, len(rows), CHUNK):
        statement = dialect_insert(session, SeenEvent).values(rows[start : start + CHUNK])
        result = await session.execute(statement.on_conflict_do_nothing().returning(table.c.id))
        claimed.update(result.scalars())
    return claimed


async def _open_calls(session: AsyncSession, keys: set[str]) -> dict[str, OpenCall]:
    """The pending calls among `keys`."""
    found: dict[str, OpenCall] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        for row in await session.scalars(select(PendingCall).where(PendingCall.key.in_(chunk))):  # type: ignore[attr-defined]
            found[row.key] = OpenCall(row.entered, row.line, row.county, row.pool, row.connected)
    return found


async def _store_open_calls(
    session: AsyncSession, before: dict[str, OpenCall], after: dict[str, OpenCall]
) -> None:
    """Write the pending calls that changed: ended ones deleted, new or changed ones upserted."""
    ended = sorted(set(before) - set(after))
    for start in range(0, len(ended), CHUNK):
        chunk = ended[start : start + CHUNK]
        await session.execute(delete(PendingCall).where(PendingCall.key.in_(chunk)))  # type: ignore[attr-defined]
    changed = sorted(
        (
            {"key": key, "entered": c.entered, "line": c.line, "county": c.county, "pool": c.pool}
            | {"connected": c.connected}
            for key, c in after.items()
            if before.get(key) != c
        ),
        key=lambda row: row["key"],
    )
    if changed:
        statement = dialect_insert(session, PendingCall)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["key"], set_={"connected": statement.excluded.connected}
            ),
            changed,
        )


async def ingest(
    session: AsyncSession, events: list[QueueEvent], *, window_s: int, pool_dims: PoolDims
) -> IngestReport:
    """Count the events not counted before, in the caller's transaction."""
    report = IngestReport(events=len(events))
    if not events:
        return report
    newest = await _advance_newest(session, max(e.epoch for e in events))
    horizon = newest - window_s
    candidates: dict[int, QueueEvent] = {}
    for event in events:
        if event.epoch < horizon:
            report.too_old += 1
        else:
            candidates.setdefault(event.id, event)
    claimed = await _claim(session, candidates)
    fresh = sorted((e for i, e in candidates.items() if i in claimed), key=lambda e: e.epoch)
    report.counted = len(fresh)
    report.duplicates = len(events) - report.too_old - report.counted
    before = await _open_calls(session, {e.call for e in fresh if e.kind is not EventKind.enter})
    after = dict(before)
    counts = count_events(fresh, after, pool_dims)
    await _store_open_calls(session, before, after)
    await add_counts(session, CALLS, counts)
    return report


async def prune(session: AsyncSession, *, window_s: int) -> tuple[int, int]:
    """Forget line hashes older than the dedupe window and calls pending longer than PENDING_S; returns
    how many of each went."""
    newest = await session.scalar(select(AcdState.newest).where(AcdState.id == 1))
    if newest is None:
        return 0, 0
    seen = await session.execute(delete(SeenEvent).where(SeenEvent.epoch < newest - window_s))
    pending = await session.execute(delete(PendingCall).where(PendingCall.entered < newest - PENDING_S))
    return seen.rowcount, pending.rowcount  # type: ignore[attr-defined]
