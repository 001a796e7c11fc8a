"""The responsibilities of services with their units, kept while the catalogue revision stays the same.

Every search answer names the units responsible for each hit: some sixty rows for a page at 50,000
services, about 5 ms of ORM work on the event loop of the process that also routes the PBX's calls.
Agents ask for the same services all day, and every write to the catalogue counts its revision up, so the
rows of a service are kept until the revision moves: one small query per answer tells whether it did, and
an edit shows in the very next answer, as before.

What is kept of a row is the caller's `shape` of it, worked out once per revision: search keeps what does
not change with the time of day (names, numbers, the visitor address), ready to be answered as is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from knowledge.catalogue import store
from knowledge.catalogue.models import Responsibility, Unit

__all__ = ["KeptResponsibilities"]

T = TypeVar("T")

CAPACITY = 20_000
"""Services kept at most (a few hundred bytes each); when full, everything kept is dropped at once."""


async def _revision(session: AsyncSession) -> int:
    """The catalogue revision, read on a connection of its own: on the session, which an answer whose rows
    are all kept uses for nothing else, closing it costs one more round trip to the database (the session's
    rollback, then the pool's), on every answer."""
    engine = session.bind
    assert isinstance(engine, AsyncEngine), "sessions are bound to an engine (knowledge.storage.db)"
    async with engine.connect() as connection:
        return await store.catalogue_revision(connection)


class KeptResponsibilities(Generic[T]):
    """`store.responsibilities_for`, each row in the form `shape` gives it, answered from memory for
    services asked since the last revision."""

    def __init__(self, shape: Callable[[Responsibility, Unit], T]) -> None:
        self._shape = shape
        self._revision: int | None = None
        self._kept: dict[str, list[T]] = {}

    async def for_services(self, session: AsyncSession, *, service_ids: Sequence[str]) -> dict[str, list[T]]:
        """The shaped responsibilities by service, in county and place order (as `store` gives them). They
        are read-only: they are shared by every answer until the revision moves."""
        if not service_ids:
            return {}
        revision = await _revision(session)
        if revision != self._revision:
            self._revision, self._kept = revision, {}
        # What this revision kept, held for this answer: another answer may drop it meanwhile (a newer
        # revision, or capacity), and the services kept at this revision must still be answered.
        kept = self._kept
        missing = [service_id for service_id in service_ids if service_id not in kept]
        rows = await store.responsibilities_for(session, service_ids=missing) if missing else {}
        found = {
            service_id: [self._shape(r, u) for r, u in rows.get(service_id, [])] for service_id in missing
        }
        # Kept only if no newer revision was seen meanwhile: rows read before another answer saw a write
        # must not outlive that write.
        if missing and self._revision == revision:
            if len(self._kept) + len(missing) > CAPACITY:
                self._kept = {}
            self._kept.update(found)
        return {
            service_id: kept[service_id] if service_id in kept else found[service_id]
            for service_id in service_ids
        }
