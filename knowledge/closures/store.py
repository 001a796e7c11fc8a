"""Closures and notices kept: stored with an audit record and a catalogue revision bump in one transaction,
and read back as the small immutable views every instance holds in memory.

Both are created and deleted, never changed (a changed closure is a deleted one and a new one), so there is
no lost update to guard against; the audit trail keeps what a deleted entry was. The revision bump makes
every instance's catalogue follower reload them within a second.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from knowledge import audit
from knowledge.calendar import ClosedPeriod, Closures
from knowledge.catalogue import store
from knowledge.catalogue.models import County, Service, Unit
from knowledge.closures.board import NoticeBoard, PostedNotice
from knowledge.closures.models import Closure, Notice
from knowledge.errors import KnowledgeError, NotFound

__all__ = [
    "UnknownScope",
    "add_closure",
    "as_period",
    "as_posted",
    "add_notice",
    "county_of_scope",
    "delete_closure",
    "delete_notice",
    "get_closure",
    "get_notice",
    "load_closures",
    "load_notices",
]


class UnknownScope(KnowledgeError):
    """A scope names a unit, county or service that does not exist."""

    def __init__(self, kind: str, key: str) -> None:
        names = {"unit": "Stelle", "county": "Kreis", "service": "Leistung"}
        super().__init__(f"{names.get(kind, kind)} {key!r} gibt es nicht")
        self.kind, self.key = kind, key


async def county_of_scope(session: AsyncSession, *, kind: str, key: str | None) -> str | None:
    """The county an entry of scope (kind, key) belongs to (None for lines, services, everyone); raises
    UnknownScope when the unit, county or service does not exist."""
    if kind == "unit":
        unit = await session.get(Unit, key)
        if unit is None:
            raise UnknownScope(kind, key or "")
        return unit.county
    if kind == "county":
        if await session.get(County, key) is None:
            raise UnknownScope(kind, key or "")
        return key
    if kind == "service" and await session.get(Service, key) is None:
        raise UnknownScope(kind, key or "")
    return None


def _snapshot(row: SQLModel) -> dict:
    return row.model_dump(mode="json")


async def _record(session: AsyncSession, row: Closure | Notice, *, actor: str, created: bool) -> None:
    """The audit record of a create (version 1) or delete (version 2), and the revision bump."""
    state = _snapshot(row)
    await audit.record(
        session,
        entity=str(row.__tablename__),
        entry_id=str(row.id),
        version=1 if created else 2,
        actor=actor,
        action="create" if created else "delete",
        before=None if created else state,
        after=state if created else None,
    )
    await store.bump_revision(session)


async def add_closure(session: AsyncSession, *, closure: Closure, actor: str) -> Closure:
    """Store `closure`, audited, in the caller's transaction."""
    session.add(closure)
    await session.flush()
    await _record(session, closure, actor=actor, created=True)
    return closure


async def add_notice(session: AsyncSession, *, notice: Notice, actor: str) -> Notice:
    """Store `notice`, audited, in the caller's transaction."""
    session.add(notice)
    await session.flush()
    await _record(session, notice, actor=actor, created=True)
    return notice


async def get_closure(session: AsyncSession, *, closure_id: int) -> Closure:
    """One closure; raises NotFound."""
    row = await session.get(Closure, closure_id)
    if row is None:
        raise NotFound("closure", closure_id)
    return row


async def get_notice(session: AsyncSession, *, notice_id: int) -> Notice:
    """One notice; raises NotFound."""
    row = await session.get(Notice, notice_id)
    if row is None:
        raise NotFound("notice", notice_id)
    return row


async def delete_closure(session: AsyncSession, *, closure: Closure, actor: str) -> None:
    """Delete `closure`, audited; raises NotFound when another request deleted it first."""
    deleted = await session.execute(delete(Closure).where(col(Closure.id) == closure.id))
    if deleted.rowcount != 1:
        raise NotFound("closure", closure.id)
    await _record(session, closure, actor=actor, created=False)


async def delete_notice(session: AsyncSession, *, notice: Notice, actor: str) -> None:
    """Delete `notice`, audited; raises NotFound when another request deleted it first."""
    deleted = await session.execute(delete(Notice).where(col(Notice.id) == notice.id))
    if deleted.rowcount != 1:
        raise NotFound("notice", notice.id)
    await _record(session, notice, actor=actor, created=False)


def as_period(row: Closure) -> ClosedPeriod:
    """A stored closure as the calendar holds it."""
    return ClosedPeriod(
        scope=row.scope,
        key=row.scope_key,
        start=row.starts_at.astimezone(dt.UTC),
        end=row.ends_at.astimezone(dt.UTC),
        reason=row.reason,
        announcement=row.announcement,
        id=row.id,
        county=row.county,
    )


def as_posted(row: Notice) -> PostedNotice:
    """A stored notice as the board holds it."""
    assert row.id is not None, "a stored notice has its id"
    return PostedNotice(
        id=row.id,
        text=row.text,
        severity=row.severity,
        scope=row.scope,
        key=row.scope_key,
        county=row.county,
        valid_from=row.valid_from.astimezone(dt.UTC),
        valid_until=row.valid_until.astimezone(dt.UTC),
    )


async def load_closures(session: AsyncSession, *, now: dt.datetime) -> Closures:
    """The closures in force at `now` or still to come, as the calendar holds them."""
    rows = await session.scalars(select(Closure).where(col(Closure.ends_at) > now).order_by(col(Closure.id)))
    return Closures(as_period(row) for row in rows)


async def load_notices(session: AsyncSession, *, now: dt.datetime) -> NoticeBoard:
    """The notices in force at `now` or still to come."""
    rows = await session.scalars(select(Notice).where(col(Notice.valid_until) > now).order_by(col(Notice.id)))
    return NoticeBoard(as_posted(row) for row in rows)
