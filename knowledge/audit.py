"""The audit trail: every change of an entry, who made it and when, with its state before and after.

Written in the transaction of the change itself, so there is no change without its record and no record
without its change. The state of version N of an entry is the `after` of the change that made N, or the
`before` of the change that came after N (an entry loaded by import starts at version 1 unrecorded).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import JSON, Column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel

__all__ = ["Change", "history", "record", "state_at"]


class Change(SQLModel, table=True):
    """One change of one entry."""

    __tablename__ = "change_log"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(index=True, description="service, unit, place, responsibility, routing_rules")
    entry_id: str = Field(index=True)
    version: int = Field(description="the entry's version after this change")
    actor: str
    at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    action: str = Field(description="create, update, delete, restore, import, activate")
    before: dict | None = Field(default=None, sa_column=Column(JSON))
    after: dict | None = Field(default=None, sa_column=Column(JSON))


async def record(
    session: AsyncSession,
    *,
    entity: str,
    entry_id: str,
    version: int,
    actor: str,
    action: str,
    before: dict | None,
    after: dict | None,
) -> None:
    """Add a change to the caller's transaction."""
    session.add(
        Change(
            entity=entity,
            entry_id=entry_id,
            version=version,
            actor=actor,
            action=action,
            before=before,
            after=after,
        )
    )
    await session.flush()


async def history(session: AsyncSession, *, entity: str, entry_id: str) -> Sequence[Change]:
    """Every change of one entry, newest first."""
    return (
        await session.scalars(
            select(Change)
            .where(Change.entity == entity, Change.entry_id == entry_id)
            .order_by(Change.id.desc())
        )
    ).all()


async def state_at(session: AsyncSession, *, entity: str, entry_id: str, version: int) -> dict | None:
    """The recorded state of version `version` of an entry, or None if the trail does not know it."""
    changes = (
        await session.scalars(
            select(Change)
            .where(
                Change.entity == entity,
                Change.entry_id == entry_id,
                or_(Change.version == version, Change.version == version + 1),
            )
            .order_by(Change.id.desc())
        )
    ).all()
    for change in changes:
        if change.version == version and change.after is not None:
            return change.after
    for change in changes:
        if change.version == version + 1 and change.before is not None:
            return change.before
    return None
