"""The index facade: rebuilds swap generations, updates are visible to the read workers, stale or damaged
indexes rebuild, and a read worker that dies is replaced."""

import os
import signal
import threading
import time
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest
from whoosh.searching import Searcher

from knowledge.catalogue import leika, store
from knowledge.search.index import IndexDocument, SearchIndex, SearchUnavailable
from knowledge.search.ranking import rank, warm
from knowledge.search.sync import ensure_index
from knowledge.search.synonyms import SynonymTable
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


async def _found(index: SearchIndex, word: str) -> list[str]:
    """The ids a read worker ranks for `word`, as agent search asks it."""
    page = await index.read(
        rank, [word], completing=False, county=None, offset=0, limit=10, synonyms=SynonymTable({})
    )
    return [hit.id for hit in page.hits]


@pytest.fixture
def index(tmp_path: Path):
    index = SearchIndex(tmp_path / "index", read_workers=2)
    yield index
    index.close()


async def test_rebuild_switches_to_a_new_generation(index: SearchIndex) -> None:
    await index.rebuild(_batches(_doc("a", "Hundesteuer")), revision=1, wordset=frozenset())
    first = index.root.joinpath("CURRENT").read_text()
    await index.rebuild(_batches(_doc("b", "Hundesteuer")), revision=2, wordset=frozenset())
    assert index.root.joinpath("CURRENT").read_text() != first
    assert await _found(index, "hundesteuer") == ["b"]
    assert index.revision == 2
    assert [p.name for p in index.root.iterdir() if p.is_dir()] == [
        index.root.joinpath("CURRENT").read_text()
    ]


async def test_upsert_is_visible_to_the_next_search(index: SearchIndex) -> None:
    await index.rebuild(_batches(_doc("a", "Hundesteuer")), revision=1, wordset=frozenset())
    assert await _found(index, "hundesteuer") == ["a"]
    await index.upsert([_doc("a", "Sperrmüll")], revision=2)
    assert await _found(index, "hundesteuer") == []
    assert await _found(index, "sperrmull") == ["a"]
    assert index.revision == 2


async def test_reopened_index_keeps_its_revision(index: SearchIndex) -> None:
    await index.rebuild(_batches(_doc("a", "Hundesteuer")), revision=7, wordset=frozenset())
    reopened = SearchIndex(index.root)
    try:
        assert reopened.revision == 7
        assert await _found(reopened, "hundesteuer") == ["a"]
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
        assert await damaged.read(Searcher.doc_count) == total + entries  # services and LeiKa entries
        damaged.close()
    finally:
        await engine.dispose()


async def test_a_read_worker_that_dies_is_replaced_after_one_refused_read(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "index", read_workers=1)
    try:
        await index.rebuild(_batches(_doc("a", "Hundesteuer")), revision=1, wordset=frozenset())
        worker = await index.read(_worker_pid)
        os.kill(worker, signal.SIGKILL)
        with pytest.raises(SearchUnavailable):
            await index.read(Searcher.doc_count)
        assert await _found(index, "hundesteuer") == ["a"]
        assert await index.read(_worker_pid) != worker
    finally:
        index.close()


def _worker_pid(searcher: Searcher) -> int:
    return os.getpid()


async def test_the_revision_reads_whole_while_another_process_updates_it(index: SearchIndex) -> None:
    """A reader (another worker's `refresh`, or `catch_up`) never sees a half-written revision: that
    reads as "no usable index" and once failed a catch-up comparing it."""
    await index.rebuild(_batches(_doc("a", "Hundesteuer")), revision=1, wordset=frozenset())
    other = SearchIndex(index.root)
    seen: set[int | None] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.add(other.revision)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for revision in range(2, 202):
            await index.upsert([], revision=revision)
    finally:
        done.set()
        reader.join()
        other.close()
    assert None not in seen
    assert len(seen) > 1  # the reader ran while the revision moved


async def test_the_read_workers_are_warm_on_a_new_generation_before_anyone_searches(tmp_path: Path) -> None:
    """After an update, a rebuild or another process's write, the worker builds what the first search would
    wait for in the background: a search that comes next finds nothing left to build."""
    index = SearchIndex(tmp_path / "index", read_workers=1)
    try:
        await index.rebuild(_batches(_doc("a", "Hundesteuer")), revision=1, wordset=frozenset())
        await index.start_readers(warm)
        assert await index.read(warm) == 0
        await index.upsert([_doc("b", "Sperrmüll")], revision=2)
        await index.warmed_up()
        assert await index.read(warm) == 0
        await index.rebuild(_batches(_doc("c", "Wohngeld")), revision=3, wordset=frozenset())
        await index.warmed_up()
        assert await index.read(warm) == 0
        writer = SearchIndex(index.root)  # the worker that writes the index, as in `serve --workers N`
        try:
            await writer.upsert([_doc("d", "Baugenehmigung")], revision=4)
        finally:
            writer.close()
        assert index.refresh()
        await index.warmed_up()
        assert await index.read(warm) == 0
        assert await _found(index, "baugenehmigung") == ["d"]
    finally:
        index.close()


def _warm_when_open(gate: Path, searcher: Searcher) -> int:
    """`warm`, in the read worker once the test opens `gate` (creates the file): a warm-up held in flight."""
    deadline = time.monotonic() + 60
    while not gate.exists():
        assert time.monotonic() < deadline, "the test never opened the gate"
        time.sleep(0.01)
    return warm(searcher)


async def test_a_generation_that_moves_during_a_warm_up_is_warmed_up_too(tmp_path: Path) -> None:
    """Edits in quick succession: the warm-up in flight starts over on the newest generation instead of
    stopping at the one it began with (and no second warm-up runs beside it)."""
    gate = tmp_path / "gate"
    gate.touch()
    index = SearchIndex(tmp_path / "index", read_workers=1)
    try:
        await index.rebuild(_batches(_doc("a", "Hundesteuer")), revision=1, wordset=frozenset())
        writer = SearchIndex(index.root)  # the worker that writes the index, as in `serve --workers N`
        try:
            await index.start_readers(partial(_warm_when_open, gate))
            gate.unlink()
            await writer.upsert([_doc("b", "Sperrmüll")], revision=2)
            assert index.refresh()  # a warm-up starts, and waits in the worker at the gate
            await writer.upsert([_doc("c", "Wohngeld")], revision=3)
            assert index.refresh()  # the generation moves while it waits
            gate.touch()
            await index.warmed_up()
        finally:
            writer.close()
        assert await index.read(warm) == 0
    finally:
        index.close()
