"""The shared colloquial-word list in the database, as versions: who saved which list when.

The newest version is the list in force. Each instance reads it at start-up and again after a catalogue
revision bump (which saving one makes), so an edit reaches every instance sharing the database within a
second. A version's number is the one before it plus one, so of two editors saving on the same version
only the first succeeds. `config/search/synonyms.yaml` seeds version 1 on a first start.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

__all__ = ["SynonymVersion", "add_version", "current_version"]


class SynonymVersion(SQLModel, table=True):
    __tablename__ = "synonym_version"

    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    entries: dict[str, list[str]] = Field(
        sa_column=Column(JSON, nullable=False), description="what callers say -> catalogue terms"
    )
    author: str
    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))


async def current_version(session: AsyncSession) -> SynonymVersion | None:
    """The list in force, or None before the first one is stored."""
    newest = select(func.max(col(SynonymVersion.version))).scalar_subquery()
    found = await session.scalars(select(SynonymVersion).where(col(SynonymVersion.version) == newest))
    return found.first()


async def add_version(
    session: AsyncSession, *, entries: dict[str, list[str]], author: str, after: int | None
) -> SynonymVersion:
    """Store `entries` as the version after `after` (None: the first), in the caller's transaction; a
    concurrent save of the same next version fails with IntegrityError at flush."""
    row = SynonymVersion(version=(after or 0) + 1, entries=entries, author=author)
    session.add(row)
    await session.flush()
    return row
