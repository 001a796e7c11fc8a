"""The whoosh index behind a small async facade, so the search library can be swapped in one place.

Searching is CPU work in Python, and the process that runs it also answers the PBX: every read runs in
a pool of worker processes (`read_workers`), each with its own read-only searcher, so no query holds
the event loop or the GIL of the process that routes calls. Every write goes through a single writer
thread of the owning process, so there is never a second writer waiting on the lock. A rebuild writes a
new generation beside the current one and switches the `CURRENT` pointer atomically; each write counts
up `generation`, which travels with every read, and a worker that sees a new count reopens its searcher.
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections.abc import AsyncIterable, Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

import structlog
from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.searching import Searcher

from knowledge.catalogue.leika import LeikaEntryBase, level_of
from knowledge.catalogue.models import Service
from knowledge.search.analysis import SECTION_BREAK, german_analyzer, surface_analyzer

__all__ = [
    "KIND_LEIKA",
    "KIND_SERVICE",
    "IndexDocument",
    "SearchIndex",
    "SearchUnavailable",
    "current_generation",
]

log = structlog.get_logger(__name__)

T = TypeVar("T")

KIND_SERVICE = "service"
KIND_LEIKA = "leika"
"""The two kinds of document: EMH services, and entries of the LeiKa list (id `leika:KEY`)."""
BODY_MODULES = ("full_text", "requirements", "documents", "fees", "deadlines", "procedure", "forms", "notes")


def build_schema(wordset: frozenset[str] = frozenset()) -> Schema:
    """One scored field for every text of a service, its words weighted by section (title and synonyms
    most, then the short text, then the rest); `head` holds title and synonyms alone, so that a search
    can rank the services named by the query without scoring every service that merely mentions it;
    the title once more with positions for phrase matches.

    `words` is never scored: it is the vocabulary of folded words from titles, synonyms and short
    texts that typo correction and search as you type draw on (the body's words would double the
    index for words nobody searches by). `wordset` is the list of compound parts (see `build_wordset`).

    `kind` tells services from LeiKa entries; `service_leika` holds a service's LeiKa key only, so the
    keys that EMH services describe can be read from the index itself (see ranking.py).
    """
    german = german_analyzer(wordset)
    return Schema(
        id=ID(stored=True, unique=True),
        text=TEXT(analyzer=german, phrase=False),
        head=TEXT(analyzer=german, phrase=False),
        title=TEXT(analyzer=german, stored=True),
        synonyms=STORED(),
        short_text=STORED(),
        body=STORED(),
        words=TEXT(analyzer=surface_analyzer(), phrase=False),
        level=ID(stored=True),
        leika=ID(stored=True),
        counties=KEYWORD(stored=True, commas=True),
        kind=ID(stored=True),
        service_leika=ID(),
        typisierung=STORED(),
    )


@dataclass(frozen=True)
class IndexDocument:
    """What the index keeps of one service or LeiKa entry."""

    id: str
    title: str
    synonyms: str
    short_text: str
    body: str
    level: str
    leika: str
    counties: str
    kind: str = KIND_SERVICE
    typisierung: str = ""

    @classmethod
    def from_service(
        cls, service: Service, counties: Iterable[str], leika_name: str | None = None
    ) -> IndexDocument:
        """The indexed form of a service and the counties it has a responsibility in; the name of its
        LeiKa entry counts as a synonym, so the catalogue's wording ("Sterbeurkunde Ausstellung") finds it."""
        return cls(
            id=service.id,
            title=service.title,
            synonyms="; ".join([*service.synonyms, *([leika_name] if leika_name else [])]),
            short_text=service.short_text or "",
            body="\n".join(t for t in (getattr(service, m) for m in BODY_MODULES) if t),
            level=str(service.level),
            leika=service.leika or "",
            counties=",".join(counties),
        )

    @classmethod
    def from_leika(cls, entry: LeikaEntryBase) -> IndexDocument:
        """The indexed form of a LeiKa entry: its name as title, its OZG-Leistung as short text."""
        return cls(
            id=f"{KIND_LEIKA}:{entry.key}",
            title=entry.name,
            synonyms="",
            short_text=entry.ozg_leistung or "",
            body="",
            level=str(level) if (level := level_of(entry.typisierung)) else "",
            leika=entry.key,
            counties="",
            kind=KIND_LEIKA,
            typisierung=entry.typisierung or "",
        )


def _fields(document: IndexDocument) -> dict[str, str]:
    fields = asdict(document)
    sections = (document.title, document.synonyms, document.short_text, document.body)
    fields["text"] = SECTION_BREAK.join(sections)
    fields["head"] = SECTION_BREAK.join(sections[:2])
    fields["words"] = " ".join(sections[:3])
    if document.kind == KIND_SERVICE:
        fields["service_leika"] = document.leika
    else:
        # A LeiKa entry is scored and shown, but neither feeds the vocabulary of typo correction and
        # completion (services' words stay what a typo is corrected to) nor the `head` shortcut, which
        # only services need: half the cost of indexing 4,800 entries.
        del fields["head"], fields["words"]
    return fields


QUEUED_PER_WORKER = 32
"""Reads running or waiting per worker; one more is refused with SearchUnavailable instead of queued. Enough
for a storm of a few clients sending costly queries back to back (they wait their turn), while a flood
gets a quick 503 instead of an answer that comes too late for anyone."""
WORKER_PRELOAD = ("__main__", "knowledge.search.ranking")
"""Imported once in the fork server, so that a new or replacement worker starts warm: the program's main
module (as multiprocessing does by default; it must guard its start with `if __name__ == "__main__"`) and
the ranking the workers run, with whoosh and this module."""


class SearchUnavailable(Exception):
    """The read workers cannot take a query now: too many are waiting, or a worker died and the pool is
    being replaced. The next query may succeed."""


def current_generation(root: Path) -> Path | None:
    """The generation directory `root/CURRENT` names, when it holds an index."""
    try:
        name = (root / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    path = root / name
    return path if whoosh_index.exists_in(str(path)) else None


# -- the read workers' side: runs in the worker processes -------------------------------------------

_searchers: dict[Path, tuple[int, Searcher]] = {}
"""In a worker: the open searcher of each index root, with the generation it was opened at."""


READ_WORKER_NICENESS = 5
"""How much the read workers yield the CPU to the service's own process (routing answers from there)."""


def _start_worker() -> None:
    """A worker leaves Ctrl-C to the service (which stops the pool), and exits when the service is gone,
    even after a kill that left no time to stop it. The modules it was forked with leave the garbage
    collector's view: full collections stay short, and their pages stay shared with the fork server.
    It runs at lower CPU priority (nice +5): on a busy machine the kernel prefers the process that routes
    calls over a search storm."""
    os.nice(READ_WORKER_NICENESS)
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def _read_in_worker(root: Path, generation: int, fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
    """`fn(searcher, *args, **kwargs)` with this worker's searcher on `root`, reopened when `generation`
    moved on."""
    held = _searchers.get(root)
    if held is None or held[0] != generation:
        if held is not None:
            held[1].close()
        path = current_generation(root)
        if path is None:
            raise RuntimeError("the search index has not been built")
        held = _searchers[root] = (generation, whoosh_index.open_dir(str(path)).searcher())
    return fn(held[1], *args, **kwargs)


def _worker_context() -> multiprocessing.context.BaseContext:
    """Workers fork from a fork server where there is one: a clean process with the search modules already
    imported, so a worker starts in milliseconds, and never a fork of the service with its threads."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(WORKER_PRELOAD))
    return context


# -- the owning process's side -------------------------------------------------------------------


class SearchIndex:
    """A whoosh index in `root`, with the catalogue revision it reflects, read by `read_workers` processes."""

    def __init__(self, root: Path, *, read_workers: int = 1) -> None:
        self.root = root.absolute()
        self.read_workers = read_workers
        self._readers: ProcessPoolExecutor | None = None
        self._reading = 0
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="index-writer")
        self._generation = 0
        self._warm: Callable[[Searcher], object] | None = None
        """What `start_readers` ran in each read worker; run again at every new generation."""
        self._warming: asyncio.Task[None] | None = None
        """The background warm-up, while one runs (one at a time; see `_warm_up_later`)."""
        root.mkdir(parents=True, exist_ok=True)
        self._current = current_generation(root)
        self._seen = (self._current, self.revision)
        """The generation and revision this process last read (see `refresh`)."""

    # -- layout -----------------------------------------------------------------------------------

    def _switch_to(self, path: Path) -> None:
        pointer = self.root / "CURRENT.tmp"
        pointer.write_text(path.name)
        os.replace(pointer, self.root / "CURRENT")
        self._current = path
        self._generation += 1
        for stale in self.root.iterdir():
            if stale.is_dir() and stale != path:
                shutil.rmtree(stale, ignore_errors=True)

    @property
    def revision(self) -> int | None:
        """The catalogue revision the current index reflects; None when there is no usable index."""
        if self._current is None:
            return None
        try:
            return json.loads((self._current / "revision.json").read_text())["revision"]
        except (FileNotFoundError, ValueError, KeyError):
            return None

    def _write_revision(self, path: Path, revision: int) -> None:
        """Replace the file in one step: other processes and threads read it meanwhile (`refresh`,
        `catch_up`), and a half-written file would read as "no usable index"."""
        pending = path / "revision.json.tmp"
        pending.write_text(json.dumps({"revision": revision}))
        os.replace(pending, path / "revision.json")

    def refresh(self) -> bool:
        """Follow writes another process made to this index (`serve --workers N`: one writes, all read):
        take the current generation and its revision from disk; True when they moved, and the read
        workers then reopen their searchers."""
        self._current = current_generation(self.root)
        seen = (self._current, self.revision)
        if seen == self._seen:
            return False
        self._seen = seen
        self._generation += 1
        self._warm_up_later()
        return True

    # -- writes: one thread -----------------------------------------------------------------------

    async def _in_writer(self, fn: Callable[..., T], *args) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._writer, fn, *args)

    async def rebuild(
        self,
        batches: AsyncIterable[list[IndexDocument]],
        *,
        revision: int,
        wordset: frozenset[str],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Index every document into a new generation, then switch to it; returns the count."""
        path = self.root / f"gen-{revision}-{os.getpid()}-{self._generation + 1}"
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        writer = await self._in_writer(
            lambda: whoosh_index.create_in(str(path), build_schema(wordset)).writer(limitmb=256)
        )
        count = 0
        try:
            async for batch in batches:
                await self._in_writer(lambda b=batch: [writer.add_document(**_fields(d)) for d in b])
                count += len(batch)
                if progress:
                    progress(count)
            await self._in_writer(writer.commit)
        except BaseException:
            await self._in_writer(writer.cancel)
            shutil.rmtree(path, ignore_errors=True)
            raise
        self._write_revision(path, revision)
        await self._in_writer(self._switch_to, path)
        self._warm_up_later()
        return count

    async def upsert(self, documents: list[IndexDocument], *, revision: int) -> None:
        """Replace or add `documents` in the current generation; a failed write releases the lock."""

        def write() -> None:
            assert self._current is not None, "rebuild before updating"
            writer = whoosh_index.open_dir(str(self._current)).writer(timeout=10.0)
            try:
                for document in documents:
                    writer.update_document(**_fields(document))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            self._write_revision(self._current, revision)
            self._generation += 1

        await self._in_writer(write)
        self._warm_up_later()

    # -- reads: worker processes ----------------------------------------------------------------

    def _pool(self) -> ProcessPoolExecutor:
        """The read workers, created on the first read: a process that only writes starts none."""
        if self._readers is None:
            self._readers = ProcessPoolExecutor(
                self.read_workers, mp_context=_worker_context(), initializer=_start_worker
            )
        return self._readers

    async def start_readers(self, warm: Callable[[Searcher], object] = Searcher.doc_count) -> None:
        """Start every read worker now and run `warm` (a module-level function of the searcher) in each, so
        that the first searches wait neither for a process to start nor for what `warm` derives from the
        index. From now on, every new generation is warmed up the same way in the background: a catalogue
        edit or a rebuild does not make the next agent's search the slow one."""
        self._warm = warm
        await self._warm_up()

    async def _warm_up(self) -> None:
        """`warm` in every read worker at once. The pool hands each idle worker one of these reads, so each
        worker gets one as long as none was busy; a worker that was busy opens the new generation with its
        next search, as it would without a warm-up."""
        assert self._warm is not None
        await asyncio.gather(*(self.read(self._warm) for _ in range(self.read_workers)))

    def _warm_up_later(self) -> None:
        """Warm the read workers up on the new generation in the background, if they were started. One
        warm-up at a time, which starts over while the generation moves: edits in quick succession would
        otherwise queue a warm-up each, and a worker reopen a generation it had already left."""
        if self._warm is None or (self._warming is not None and not self._warming.done()):
            return
        self._warming = asyncio.get_running_loop().create_task(self._warm_up_until_current())

    async def _warm_up_until_current(self) -> None:
        """Warm up until the workers hold the current generation. A warm-up is a favour to the next search:
        whatever stops it (a worker that died, a generation replaced meanwhile) is logged and left to that
        search."""
        warmed = None
        while warmed != self._generation:
            warmed = self._generation
            try:
                await self._warm_up()
            except Exception as error:
                log.warning("search_warm_up_failed", error=type(error).__name__)
                return

    async def warmed_up(self) -> None:
        """Wait until the warm-up under way is done: for whoever must know the workers are warm (a test)."""
        if self._warming is not None:
            await self._warming

    async def read(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """`fn(searcher, *args, **kwargs)` in a read worker. `fn` (a module-level function), the arguments and the
        result travel by pickle. SearchUnavailable when too many reads are waiting, or when a worker died:
        the pool is then replaced, and the next read starts a fresh one."""
        if self._current is None:
            raise RuntimeError("the search index has not been built")
        if self._reading >= self.read_workers * QUEUED_PER_WORKER:
            raise SearchUnavailable("too many searches are waiting")
        readers = self._pool()
        self._reading += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(
                readers, _read_in_worker, self.root, self._generation, fn, args, kwargs
            )
        except BrokenProcessPool as error:
            if self._readers is readers:
                log.warning("search_workers_replaced", workers=self.read_workers)
                readers.shutdown(wait=False, cancel_futures=True)
                self._readers = None
            raise SearchUnavailable("a search worker stopped; the workers are restarted") from error
        finally:
            self._reading -= 1

    def close(self) -> None:
        """Stop the read workers and the writer thread."""
        if self._warming is not None:
            self._warming.cancel()
        if self._readers is not None:
            self._readers.shutdown(wait=True, cancel_futures=True)
        self._writer.shutdown(wait=True)
