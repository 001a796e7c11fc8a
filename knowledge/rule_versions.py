"""Routing rule files kept in the database as versions: who saved which text when, and which is active.

Every instance reads the active version at start-up and after a catalogue revision bump, so a rule
change or a rollback reaches all instances sharing the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel

__all__ = ["RuleVersion", "activate", "active_version", "add_version", "get_version", "list_versions"]


class RuleVersion(SQLModel, table=True):
    __tablename__ = "rule_version"
    __table_args__ = {"sqlite_autoincrement": True}

    version: int | None = Field(default=None, primary_key=True)
    text: str
    author: str
    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    active: bool = Field(default=False, index=True)


async def add_version(session: AsyncSession, *, text: str, author: str) -> RuleVersion:
    """Store a (validated) rule file text as the next version, not yet active."""
    row = RuleVersion(text=text, author=author)
    session.add(row)
    await session.flush()
    return row


async def active_version(session: AsyncSession) -> RuleVersion | None:
    """The version routing uses, or None while the rules file of the settings is in force."""
    return await session.scalar(select(RuleVersion).where(RuleVersion.active.is_(True)))


async def get_version(session: AsyncSession, *, version: int) -> RuleVersion | None:
    """One stored version."""
    return await session.get(RuleVersion, version)


async def list_versions(session: AsyncSession) -> Sequence[RuleVersion]:
    """Every version, newest first."""
    return (await session.scalars(select(RuleVersion).order_by(RuleVersion.version.desc()))).all()


async def activate(session: AsyncSession, *, version: int) -> None:
    """Make `version` the only active one, in the caller's transaction."""
    await session.execute(update(RuleVersion).where(RuleVersion.active.is_(True)).values(active=False))
    await session.execute(update(RuleVersion).where(RuleVersion.version == version).values(active=True))
