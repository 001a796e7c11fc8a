"""The index facade: rebuilds swap generations, updates are visible, stale or damaged indexes rebuild."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from whoosh import query as wq

from knowledge.catalogue import leika, store
from knowledge.search.index import IndexDocument, SearchIndex
from knowledge.search.sync import ensure_index
from knowledge.storage.db import create_engine, create_sessionmaker
from servicecenter.settings import Settings


def _doc(service_id: str, title: str) -> IndexDocument:
    return IndexDocument(
        id=service_id,
        title=title,
        synonyms="",
        short_text="",
        body="",
        level="county",
        leika="",
        counties="07233",
    )


async def _batches(*documents: IndexDocument) -> AsyncIterator[list[IndexDocument]]:
    yield list(documents)


def _ids(searcher, word: str) -> list[str]:
    return [hit["id"] for hit in searcher.search(wq.Term("title", word))]


@pytest.fixture
def index(tmp_path: Path):
    index = SearchIndex(tmp_path / "index", read_threads=2)
    yield index
    index.close()


async def test_rebuild_switches_to_a_new_generation(index: SearchIndex) -> None:
    await index.rebuild(_batches(_doc("a", "Hundesteuer")), revision=1, wordset=frozenset())
    first = index.root.joinpath("CURRENT").read_text()
    await index.rebuild(_batches(_doc("b", "Hundesteuer")), revision=2, wordset=frozenset())
    assert index.root.joinpath("CURRENT").read_text() != first
    assert await index.read(lambda s: _ids(s, "hundesteur")) == ["b"]
    assert index.revision == 2
    assert [p.name for p in index.root.iterdir() if p.is_dir()] == [
        index.root.joinpath("CURRENT").read_text()
    ]


async def test_upsert_is_visible_to_the_next_search(index: SearchIndex) -> None:
    await index.rebuild(_batches(_doc("a", "Hundesteuer")), revision=1, wordset=frozenset())
    assert await index.read(lambda s: _ids(s, "hundesteur")) == ["a"]
    await index.upsert([_doc("a", "Sperrmüll")], revision=2)
    assert await index.read(lambda s: _ids(s, "hundesteur")) == []
    assert await index.read(lambda s: _ids(s, "sperrmull")) == ["a"]
    assert index.revision == 2


async def test_reopened_index_keeps_its_revision(index: SearchIndex) -> None:
    await index.rebuild(_batches(_doc("a", "Hundesteuer")), revision=7, wordset=frozenset())
    reopened = SearchIndex(index.root)
    try:
        assert reopened.revision == 7
        assert await reopened.read(lambda s: _ids(s, "hundesteur")) == ["a"]
    finally:
        reopened.close()


async def test_stale_or_damaged_index_is_rebuilt(settings: Settings) -> None:
    engine = create_engine(settings.database)
    sessionmaker = create_sessionmaker(engine)
    try:
        index = SearchIndex(settings.index_dir)
        assert not await ensure_index(index, sessionmaker)
        async with sessionmaker() as session, session.begin():
            await store.bump_revision(session)
        assert await ensure_index(index, sessionmaker)
        index.close()

        current = settings.index_dir / settings.index_dir.joinpath("CURRENT").read_text()
        for segment in current.glob("*.seg"):
            segment.unlink()
        for toc in current.glob("*.toc"):
            toc.unlink()
        damaged = SearchIndex(settings.index_dir)
        assert damaged.revision is None
        assert await ensure_index(damaged, sessionmaker)
        async with sessionmaker() as session:
            total = len([s async for s in store.iter_services(session)])
            entries, _ = await leika.list_entries(session, limit=1)
        assert await damaged.read(lambda s: s.doc_count()) == total + entries  # services and LeiKa entries
        damaged.close()
    finally:
        await engine.dispose()
