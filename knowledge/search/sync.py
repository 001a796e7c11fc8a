"""Keeping the search index equal to the database: the index is derived, never the other way round.

It holds every service and every entry of the LeiKa list; a changed LeiKa list (a rare, whole-list
import) is taken in by a full rebuild, changed services one by one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.catalogue import leika, store
from knowledge.search.analysis import build_wordset
from knowledge.search.index import KIND_SERVICE, IndexDocument, SearchIndex

__all__ = ["REBUILD_THRESHOLD", "catch_up", "ensure_index", "index_documents", "rebuild_index"]

log = structlog.get_logger(__name__)

REBUILD_THRESHOLD = 1000
"""More changed services than this (a bulk import) are taken in by a full rebuild, which also
renews the compound word list, instead of one by one."""


async def _leika_names(session: AsyncSession) -> dict[str, str]:
    entries = (await session.scalars(select(leika.LeikaEntry))).all()
    return {entry.key: entry.name for entry in entries}


async def index_documents(session: AsyncSession, size: int) -> AsyncIterator[list[IndexDocument]]:
    """Every document the index holds, in batches of `size`: the services, then the LeiKa entries."""
    batch: list[IndexDocument] = []
    names = await _leika_names(session)
    async for service, counties in store.iter_services(session, batch=size):
        batch.append(IndexDocument.from_service(service, counties, names.get(service.leika or "")))
        if len(batch) >= size:
            yield batch
            batch = []
    for entry in (await session.scalars(select(leika.LeikaEntry).order_by(leika.LeikaEntry.key))).all():
        batch.append(IndexDocument.from_leika(entry))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def _wordset(session: AsyncSession) -> frozenset[str]:
    """Compound parts from every service's texts: a first pass before indexing. LeiKa names are left out:
    their parts ("Personal", "Weiß") would split misspelt words that typo correction should catch."""
    texts: list[str] = []
    async for batch in index_documents(session, 1000):
        texts += (
            " ".join((d.title, d.synonyms, d.short_text, d.body)) for d in batch if d.kind == KIND_SERVICE
        )
    return build_wordset(texts)


async def rebuild_index(
    index: SearchIndex,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Index every service and LeiKa entry afresh beside the current index and switch over; returns the count."""
    async with sessionmaker() as session:
        revision = await store.catalogue_revision(session)
        wordset = await _wordset(session)
        return await index.rebuild(
            index_documents(session, 500), revision=revision, wordset=wordset, progress=progress
        )


async def ensure_index(index: SearchIndex, sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
    """Rebuild when the index is missing, damaged or behind the database; True if it was rebuilt."""
    async with sessionmaker() as session:
        revision = await store.catalogue_revision(session)
    if index.revision == revision:
        return False
    log.info(
        "index_rebuild",
        reason="stale" if index.revision is not None else "missing",
        index_revision=index.revision,
        catalogue_revision=revision,
    )
    count = await rebuild_index(index, sessionmaker)
    log.info("index_rebuilt", services=count, revision=revision)
    return True


async def catch_up(index: SearchIndex, sessionmaker: async_sessionmaker[AsyncSession]) -> int | None:
    """Bring the index to the database's revision; the new revision, or None when nothing changed."""
    async with sessionmaker() as session:
        revision = await store.catalogue_revision(session)
        known = index.revision
        if known is None or known >= revision:
            return None
        if await leika.leika_revision(session) > known:
            await rebuild_index(index, sessionmaker)
            return revision
        changed = await store.services_changed_since(session, revision=known)
        if len(changed) > REBUILD_THRESHOLD:
            await rebuild_index(index, sessionmaker)
            return revision
        names = await _leika_names(session)
        documents = [
            IndexDocument.from_service(s, c, names.get(s.leika or ""))
            async for s, c in store.iter_services(session, ids=changed)
        ]
    await index.upsert(documents, revision=revision)
    log.info("index_updated", services=len(documents), revision=revision)
    return revision
