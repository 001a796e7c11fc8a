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
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import case, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from knowledge.statistics.counters import CALLS, Counts, add_counts, dialect_insert
from knowledge.statistics.models import AcdState, PendingCall, SeenEvent
from knowledge.statistics.queue_log import EventKind, QueueEvent
from knowledge.statistics.slots import SLOT_S

__all__ = ["PENDING_S", "IngestReport", "OpenCall", "PoolDims", "count_events", "ingest", "prune"]

PENDING_S = 12 * 3600
"""How long a call may stay pending: no call waits or talks half a day; a lost end event costs no more."""
CHUNK = 1000
ANSWER_TARGET_S = 30
ABANDON_GRACE_S = 5

PoolDims = Callable[[str], tuple[str, str]]
"""pool -> (line, county) for a call whose ENTERQUEUE was never seen."""


class OpenCall(NamedTuple):
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


(
    OFFERED,
    ANSWERED,
    ANSWERED_30,
    ABANDONED,
    ABANDONED_5,
    EXITED,
    WAIT_ANSWERED,
    WAIT_MAX,
    COMPLETED,
    TALK,
) = (CALLS.measures.index(name) for name in CALLS.measures)
"""Positions of the measures in a counter row (the order of CallMeasures' fields)."""


def count_events(
    events: Iterable[QueueEvent], open_calls: dict[str, OpenCall], pool_dims: PoolDims
) -> Counts:
    """The call counters `events` (new, in order) add, pairing them with `open_calls`, which is changed in
    place to the calls still open afterwards. Written for speed: it runs for every event ingested."""
    counts: Counts = {}
    width = len(CALLS.measures)

    def row(call: OpenCall) -> list[int]:
        key = (call.entered // SLOT_S * SLOT_S, call.line, call.county, call.pool)
        found = counts.get(key)
        if found is None:
            found = counts[key] = [0] * width
        return found

    for event in events:
        kind = event.kind
        if kind is EventKind.enter:
            call = open_calls[event.call] = OpenCall(event.epoch, event.line, event.county, event.pool)
            row(call)[OFFERED] += 1
            continue
        waiting = open_calls.pop(event.call, None)
        if waiting is None:
            line, county = pool_dims(event.pool)
            entered = event.epoch - event.wait_s - event.talk_s
            waiting = OpenCall(entered, line, county, event.pool, kind is EventKind.complete)
            if kind is not EventKind.complete:
                row(waiting)[OFFERED] += 1
        call = waiting
        counters, wait = row(call), event.wait_s
        if kind is EventKind.complete:
            counters[COMPLETED] += 1
            counters[TALK] += event.talk_s
            continue
        if wait > counters[WAIT_MAX]:
            counters[WAIT_MAX] = wait
        if kind is EventKind.connect:
            counters[ANSWERED] += 1
            counters[ANSWERED_30] += wait <= ANSWER_TARGET_S
            counters[WAIT_ANSWERED] += wait
            open_calls[event.call] = OpenCall(call.entered, call.line, call.county, call.pool, True)
        elif kind is EventKind.abandon:
            counters[ABANDONED] += 1
            counters[ABANDONED_5] += wait <= ABANDON_GRACE_S
        else:
            counters[EXITED] += 1
    return counts


async def _advance_newest(session: AsyncSession, epoch: int) -> int:
    """Raise the newest event time to `epoch` if it is later, and return it. This is the ingest's first
    write: the row it locks makes ingests on several instances take turns."""
    table = AcdState.__table__
    statement = dialect_insert(session, AcdState).values(id=1, newest=epoch)
    later = case(
        (statement.excluded.newest > table.c.newest, statement.excluded.newest), else_=table.c.newest
    )
    statement = statement.on_conflict_do_update(index_elements=["id"], set_={"newest": later})
    return (await session.execute(statement.returning(table.c.newest))).scalar_one()


async def _claim(session: AsyncSession, events: dict[int, QueueEvent]) -> set[int]:
    """The ids among `events` not seen before, now recorded as seen."""
    table = SeenEvent.__table__
    statement = dialect_insert(session, SeenEvent).on_conflict_do_nothing().returning(table.c.id)
    rows = [{"id": i, "epoch": e.epoch} for i, e in events.items()]
    return set((await session.execute(statement, rows)).scalars()) if rows else set()


async def _open_calls(session: AsyncSession, keys: set[str]) -> dict[str, OpenCall]:
    """The pending calls among `keys`."""
    found: dict[str, OpenCall] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        for row in await session.scalars(select(PendingCall).where(col(PendingCall.key).in_(chunk))):
            found[row.key] = OpenCall(row.entered, row.line, row.county, row.pool, row.connected)
    return found


async def _store_open_calls(
    session: AsyncSession, before: dict[str, OpenCall], after: dict[str, OpenCall]
) -> None:
    """Write the pending calls that changed: ended ones deleted, new or changed ones upserted."""
    ended = sorted(set(before) - set(after))
    for start in range(0, len(ended), CHUNK):
        chunk = ended[start : start + CHUNK]
        await session.execute(delete(PendingCall).where(col(PendingCall.key).in_(chunk)))
    changed = sorted(
        (
            {"key": key, "entered": c.entered, "line": c.line, "county": c.county, "pool": c.pool}
            | {"connected": c.connected}
            for key, c in after.items()
            if before.get(key) != c
        ),
        key=lambda row: str(row["key"]),
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


async def prune(session: AsyncSession, *, window_s: int, limit: int) -> tuple[int, int]:
    """Forget at most `limit` line hashes older than the dedupe window and at most `limit` calls pending
    longer than PENDING_S; returns how many of each went. Each is one statement that writes at once (no
    read first), so on SQLite it never holds a stale snapshot; the caller repeats it while there is more."""
    newest = select(col(AcdState.newest)).where(col(AcdState.id) == 1).scalar_subquery()
    old_hashes = select(col(SeenEvent.id)).where(col(SeenEvent.epoch) < newest - window_s).limit(limit)
    seen = await session.execute(delete(SeenEvent).where(col(SeenEvent.id).in_(old_hashes)))
    stale = select(col(PendingCall.key)).where(col(PendingCall.entered) < newest - PENDING_S).limit(limit)
    pending = await session.execute(delete(PendingCall).where(col(PendingCall.key).in_(stale)))
    return seen.rowcount, pending.rowcount
