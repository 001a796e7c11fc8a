"""Keeping the search index equal to the database: the index is derived, never the other way round."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge import store
from knowledge.index import IndexDocument, SearchIndex

__all__ = ["ensure_index", "rebuild_index"]

log = structlog.get_logger(__name__)


async def _batches(session: AsyncSession, size: int) -> AsyncIterator[list[IndexDocument]]:
    batch: list[IndexDocument] = []
    async for service, counties in store.iter_services(session, batch=size):
        batch.append(IndexDocument.from_service(service, counties))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def rebuild_index(
    index: SearchIndex,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Index every service afresh beside the current index and switch over; returns the count."""
    async with sessionmaker() as session:
        revision = await store.catalogue_revision(session)
        return await index.rebuild(_batches(session, 500), revision=revision, progress=progress)


async def ensure_index(index: SearchIndex, sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
    """Rebuild when the index is missing, damaged or behind the database; True if it was rebuilt."""
    async with sessionmaker() as session:
        revision = await store.catalogue_revision(session)
    if index.revision == revision:
        return False
    log.info("index_rebuild", reason="stale" if index.revision is not None else "missing",
             index_revision=index.revision, catalogue_revision=revision)
    count = await rebuild_index(index, sessionmaker)
    log.info("index_rebuilt", services=count, revision=revision)
    return True

