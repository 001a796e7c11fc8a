"""Persistence of the shared live state, and the notifications that tell other instances about it.

PostgreSQL only: instances on one PostgreSQL database share this state, while SQLite is the
single-instance default that keeps it in memory. A notification (`pg_notify` on CHANNEL) is sent in
the writing transaction, so it reaches the listeners when, and only if, the write commits.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from knowledge.live.models import DecisionRecord, PoolStateRecord

__all__ = [
    "CHANNEL",
    "DecisionRow",
    "get_decision",
    "notify",
    "pool_states",
    "prune_decisions",
    "save_decisions",
    "save_pool_states",
]

CHANNEL = "servicecenter_live"
"""The one LISTEN/NOTIFY channel; each payload is a JSON object whose `topic` says what changed. The
catalogue revision's trigger (migration 0013) sends `{"topic": "catalogue", ...}` on it too."""


async def notify(session: AsyncSession, *, payloads: Iterable[dict]) -> None:
    """Queue a notification per payload in the session's transaction; sent on commit."""
    for payload in payloads:
        await session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": json.dumps(payload, separators=(",", ":"))},
        )


async def save_pool_states(session: AsyncSession, *, states: Sequence[PoolStateRecord]) -> None:
    """Store each pool's report unless the table holds a newer one (reports may arrive out of order
    through different instances)."""
    if not states:
        return
    statement = insert(PoolStateRecord)
    excluded = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["pool_id"],
            set_={
                "agents_available": excluded.agents_available,
                "calls_waiting": excluded.calls_waiting,
                "longest_wait_s": excluded.longest_wait_s,
                "updated_at": excluded.updated_at,
            },
            where=col(PoolStateRecord.updated_at) < excluded.updated_at,
        ),
        [state.model_dump() for state in states],
    )


async def pool_states(session: AsyncSession) -> Sequence[PoolStateRecord]:
    """Every pool's latest stored report, stale ones included (the reader decides what is stale)."""
    return (await session.scalars(select(PoolStateRecord))).all()


DecisionRow = tuple[str, dt.datetime, str]
"""(decision id, when it was made, the decision as its JSON answer): a row of `live_decision`."""

SAVE_DECISIONS = text(
    "INSERT INTO live_decision (decision_id, decided_at, body) "
    "SELECT * FROM unnest(CAST(:ids AS varchar[]), CAST(:times AS timestamptz[]), CAST(:bodies AS varchar[])) "
    "ON CONFLICT (decision_id) DO NOTHING"
)


async def save_decisions(session: AsyncSession, *, decisions: Sequence[DecisionRow]) -> None:
    """Store decisions in one statement whatever their number (three arrays the server unnests: next to
    nothing per row on our side, which routes calls meanwhile); one stored before is left as it is."""
    if decisions:
        ids, times, bodies = zip(*decisions, strict=True)
        await session.execute(
            SAVE_DECISIONS, {"ids": list(ids), "times": list(times), "bodies": list(bodies)}
        )


async def get_decision(session: AsyncSession, *, decision_id: str) -> DecisionRecord | None:
    """The stored decision with `decision_id`, or None."""
    return await session.get(DecisionRecord, decision_id)


async def prune_decisions(session: AsyncSession, *, before: dt.datetime) -> int:
    """Forget decisions made before `before`; how many went."""
    result = await session.execute(delete(DecisionRecord).where(DecisionRecord.decided_at < before))
    return result.rowcount or 0
