"""Search at catalogue scale: ours beside SQLite FTS5 and tantivy, on the same corpus and queries, in one run.

    .venv/bin/python -m benchmarks.search_scale [--sizes 0,50000] [--rounds 2] [--keep DIR [--keep-index]]
        [--no-http] [--profile]

For each size: a data dir with `servicecenter seed --synthetic N` (demo catalogue + generated services up to
the size; 0 = the demo catalogue alone; `--keep DIR` seeds DIR/N once and reuses it), then three engines
over the same documents (every service and LeiKa entry, as knowledge.search.sync hands them to our index):

- ours: the index built by knowledge.search.sync.rebuild_index (what `servicecenter reindex` runs), asked
  through knowledge.search.search() in process (reads in the read worker processes, as the service does:
  `SERVICECENTER_SEARCH_WORKERS`, default cores - 1) and over HTTP against the real `servicecenter serve`;
- sqlite-fts5: an FTS5 table in a file (unicode61, diacritics removed, bm25 with our section weights), every
  word AND'd, OR'd when that finds nothing — in process, one connection per client thread;
- tantivy: the compiled engine's Python package, German stemming and ASCII folding, the same fields and
  weights, AND then OR — in process, one searcher per client thread.

Each engine answers the query mix (the judged agent queries plus queries in the generated vocabulary)
`rounds` times (over HTTP once per `--http-workers` count of search workers), at 1 client and at 4
concurrent clients: p50, p95 and queries per second, and p50 and p95 of the first pass alone ("new": every
query asked for the first time; ours keeps ranked pages per index generation, so before each concurrency it
starts with new read workers, or a new service process over HTTP); the judged set's recall@1, recall@5 and
MRR for each engine at that size. The machine is shared: the load average is printed beside every
measurement, and the ratios ours / tantivy and ours / FTS5 within the run are the numbers to compare across
runs. For ours, the CPU ms per search of the answering process (the service; in process, this benchmark)
and of its read workers, from /proc: what a change of ours buys holds there even beside other benchmarks.
`--profile`: cProfile of our ranking at the largest size, in process, a new searcher per pass.
Issue 16's targets on the 2-core machine: at 50,000 services, HTTP p95 <= 30 ms at 1 client, <= 60 ms at 4.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import io
import os
import pstats
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import tantivy
from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from benchmarks.evaluation import CUTOFF, Evaluation, engine_search, evaluate, format_table, load_judged
from benchmarks.route_throughput import cpu_seconds
from benchmarks.search_quality import Fts5
from knowledge.calendar import BERLIN, ServiceCalendar
from knowledge.catalogue import store
from knowledge.catalogue.kept_responsibilities import KeptResponsibilities
from knowledge.closures.board import NoticeBoard
from knowledge.search.agent_search import ResponsibleOffice, SearchRequest, search
from knowledge.search.analysis import words as folded_words
from knowledge.search.index import IndexDocument, SearchIndex, current_generation
from knowledge.search.places import Gazetteer, PlaceWords
from knowledge.search.ranking import rank, warm
from knowledge.search.sync import ensure_index, index_documents, rebuild_index
from knowledge.search.synonyms import SynonymTable
from knowledge.storage.db import create_engine, create_sessionmaker
from servicecenter.logs import configure_logging
from servicecenter.settings import Settings

SYNTHETIC_QUERIES = [
    ("Hundegenehmigung", None),
    ("Zuschuss Photovoltaikanlage", None),
    ("Wohnmobil anmelden Daun", None),
    ("Erlaubnis Gerüst", "07135"),
    ("Brunnen Anzeige", None),
    ("Förderung Solaranlage Wittlich", None),
    ("Kleinkläranlage", None),
    ("Genehmigung", None),
    ("Bescheinigung Verein", "07232"),
    ("Scheune abreißen", None),
]
CLIENTS = (1, 4)
NOW = dt.datetime(2025, 3, 5, 10, 0, tzinfo=BERLIN)

Query = tuple[str, str | None]


def query_mix() -> list[Query]:
    """What agents type: the judged queries and some in the generated vocabulary (broad ones included)."""
    return [(q.q, q.county) for q in load_judged()] + SYNTHETIC_QUERIES


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def load() -> str:
    """The 1-minute load average: the machine is shared, so every number says what it ran beside."""
    return f"{os.getloadavg()[0]:.1f}"


@dataclass(frozen=True)
class Latency:
    """One engine at one concurrency: p50 and p95 in ms over every pass and over the first pass alone
    (each query asked for the first time: no answer kept from before), queries per second, the load average
    meanwhile."""

    p50: float
    p95: float
    first_p50: float
    first_p95: float
    qps: float
    load: str
    cpu_ms: tuple[float, float] | None = None
    """CPU ms per search of the process that answers and of its read workers (None for the threaded
    engines): unlike latency, it holds on a busy machine, so before/after ratios are measured with it."""

    @classmethod
    def of(
        cls,
        timings: dict[int, float],
        first: int,
        elapsed: float,
        load_before: str,
        cpu: tuple[float, float] | None = None,
    ) -> Latency:
        """From the seconds of each item of the work (items below `first` are the first pass) and the CPU
        seconds (answering process, read workers) spent on all of it."""
        every, new = list(timings.values()), [t for i, t in timings.items() if i < first]
        return cls(
            percentile(every, 0.5) * 1000,
            percentile(every, 0.95) * 1000,
            percentile(new, 0.5) * 1000,
            percentile(new, 0.95) * 1000,
            len(every) / elapsed,
            f"{load_before}-{load()}",
            (cpu[0] * 1000 / len(every), cpu[1] * 1000 / len(every)) if cpu else None,
        )


# -- the corpus ------------------------------------------------------------------------------------


def seed(data_dir: Path, size: int) -> tuple[float, int]:
    """Demo catalogue plus generated services up to `size` in total, by the real CLI; (seconds, services).
    A data dir already seeded to the size is reused, its schema brought up to date."""
    env = {**os.environ, "SERVICECENTER_DATA_DIR": str(data_dir)}
    if (data_dir / "servicecenter.db").exists() and count_services(data_dir) >= size:
        subprocess.run(
            [sys.executable, "-m", "servicecenter", "migrate"], env=env, check=True, capture_output=True
        )
        return 0.0, count_services(data_dir)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "servicecenter", "seed"], env=env, check=True, capture_output=True)
    demo = count_services(data_dir)
    if size > demo:
        subprocess.run(
            [sys.executable, "-m", "servicecenter", "seed", "--synthetic", str(size - demo)],
            env=env,
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - started, count_services(data_dir)


def count_services(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "servicecenter.db") as db:
        return db.execute("SELECT count(*) FROM service").fetchone()[0]


async def corpus(sessionmaker) -> list[IndexDocument]:
    """Every document our index holds, for the other engines."""
    async with sessionmaker() as session:
        return [d async for batch in index_documents(session, 1000) for d in batch]


# -- the reference engines, in process ----------------------------------------------------------


class Tantivy:
    """tantivy over the same fields with our section weights; German Snowball stems, ASCII folding."""

    FIELDS = {"title": 4.0, "synonyms": 3.0, "short_text": 1.5, "body": 1.0}

    def __init__(self, path: Path, documents: Sequence[IndexDocument]) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("counties", tokenizer_name="default")
        for name in self.FIELDS:
            builder.add_text_field(name, tokenizer_name="de")
        self.schema = builder.build()
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        self.index = tantivy.Index(self.schema, path=str(path))
        self.index.register_tokenizer(
            "de",
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stemmer("german"))
            .build(),
        )
        writer = self.index.writer(heap_size=128_000_000, num_threads=1)
        for d in documents:
            writer.add_document(
                tantivy.Document(
                    id=d.id,
                    counties=d.counties.replace(",", " "),
                    title=d.title,
                    synonyms=d.synonyms,
                    short_text=d.short_text,
                    body=d.body,
                )
            )
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def searcher(self) -> Callable[[str, str | None], list[str]]:
        """A search function with its own searcher, for one client thread."""
        searcher = self.index.searcher()

        def ids(q: str, county: str | None, limit: int = CUTOFF) -> list[str]:
            terms = re.findall(r"\w+", q.lower())
            if not terms:
                return []
            for conjunction in (True, False) if len(terms) > 1 else (True,):
                query = self.index.parse_query(
                    " ".join(terms), list(self.FIELDS), self.FIELDS, conjunction_by_default=conjunction
                )
                if county:
                    query = tantivy.Query.boolean_query(
                        [
                            (tantivy.Occur.Must, query),
                            (tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "counties", county)),
                        ]
                    )
                hits = searcher.search(query, limit, count=True).hits
                if hits:
                    return [searcher.doc(address)["id"][0] for _, address in hits]
            return []

        return ids


def threaded(
    make: Callable[[], Callable[[str, str | None], list[str]]], work: list[Query], clients: int
) -> dict[int, float]:
    """`clients` threads, each with its own connection or searcher, sharing `work`; seconds per item."""
    timings: dict[int, float] = {}
    lock = threading.Lock()

    def client(share: list[tuple[int, Query]]) -> None:
        ids = make()
        mine = {}
        for i, (q, county) in share:
            began = time.perf_counter()
            ids(q, county)
            mine[i] = time.perf_counter() - began
        with lock:
            timings.update(mine)

    items = list(enumerate(work))
    threads = [threading.Thread(target=client, args=(items[i::clients],)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings


def warm_up(queries: list[Query]) -> list[Query]:
    """Queries that open searchers and connections without asking any query of the mix (a trailing space:
    no word is being typed any more)."""
    return [(q + " ", county) for q, county in queries[:20] if not q.endswith(" ")]


def measure_threaded(make, queries: list[Query], rounds: int) -> dict[int, Latency]:
    threaded(make, warm_up(queries), 1)
    result = {}
    for clients in CLIENTS:
        before, began = load(), time.perf_counter()
        timings = threaded(make, queries * rounds, clients)
        result[clients] = Latency.of(timings, len(queries), time.perf_counter() - began, before)
    return result


async def judged(name: str, ids: Callable[[str, str | None], list[str]]) -> Evaluation:
    async def run(query) -> list[str]:
        return ids(query.q, query.county)

    return await evaluate(name, load_judged(), run)


# -- ours ------------------------------------------------------------------------------------------


async def measure_async(
    one: Callable[[str, str | None], Awaitable[None]],
    queries: list[Query],
    rounds: int,
    fresh: Callable,
    pid: Callable[[], int],
):
    """`one` at 1 and at 4 concurrent clients over the query mix; `fresh()` before each concurrency
    forgets what the engine kept, so that each first pass asks every query for the first time. `pid()`:
    the process that answers, whose CPU time (and its read workers') is counted over the measured work."""

    async def client(share: list[tuple[int, Query]], timings: dict[int, float]) -> None:
        for i, (q, county) in share:
            began = time.perf_counter()
            await one(q, county)
            timings[i] = time.perf_counter() - began

    result = {}
    for clients in CLIENTS:
        await fresh()
        await client(list(enumerate(warm_up(queries))), {})
        items, timings = list(enumerate(queries * rounds)), {}
        before, began, cpu_before = load(), time.perf_counter(), cpu_seconds(pid())
        await asyncio.gather(*(client(items[i::clients], timings) for i in range(clients)))
        elapsed, cpu = time.perf_counter() - began, cpu_seconds(pid())
        spent = (cpu[0] - cpu_before[0], cpu[1] - cpu_before[1])
        result[clients] = Latency.of(timings, len(queries), elapsed, before, spent)
    return result


@dataclass
class Ours:
    """Our index and what search() needs beside it, opened on a data dir."""

    settings: Settings
    index: SearchIndex
    sessionmaker: object
    gazetteer: Gazetteer
    synonyms: SynonymTable
    calendar: ServiceCalendar = field(default_factory=ServiceCalendar)
    """One calendar and one notice board for every query, as the service holds them."""
    notices: NoticeBoard = field(default_factory=NoticeBoard)
    responsibilities: KeptResponsibilities[ResponsibleOffice] = field(
        default_factory=lambda: KeptResponsibilities(ResponsibleOffice.of)
    )

    async def one(self, q: str, county: str | None) -> None:
        async with self.sessionmaker() as session:
            await search(
                index=self.index,
                session=session,
                gazetteer=self.gazetteer,
                synonyms=self.synonyms,
                calendar=self.calendar,
                notices=self.notices,
                responsibilities=self.responsibilities,
                request=SearchRequest(q, county),
                now=NOW,
            )

    async def fresh(self, warming: Callable[[Searcher], object] = warm) -> None:
        """New read workers, warmed up as the service does: nothing ranked before is kept."""
        self.index.close()
        self.index = SearchIndex(self.settings.index_dir, read_workers=self.settings.search_workers)
        await self.index.start_readers(warming)

    async def first_search(self, q: str) -> dict[str, float]:
        """ms of the first search on new read workers, warmed up (as the service does on every new index
        generation) and not; the warmed ones first, so the other finds the service's own caches warm."""
        times = {}
        for name, warming in (("warmed up", warm), ("without warm-up", Searcher.doc_count)):
            await self.fresh(warming)
            started = time.perf_counter()
            await self.one(q, None)
            times[name] = (time.perf_counter() - started) * 1000
        return times

    async def judged(self) -> Evaluation:
        run = engine_search(
            index=self.index, sessionmaker=self.sessionmaker, gazetteer=self.gazetteer, synonyms=self.synonyms
        )
        return await evaluate("ours", load_judged(), run)


async def profile(ours: Ours, queries: list[Query]) -> str:
    """Where the ranking's time goes: cProfile of rank() over the query mix, in this process on one searcher."""
    path = current_generation(ours.index.root)
    assert path is not None
    jobs = []
    for q, county in queries:
        found = ours.gazetteer.detect(q, county=county)
        territory = found.territory
        jobs.append(
            (
                list(dict.fromkeys(folded_words(found.text))),
                county or (territory.county if territory else None),
                not q[-1:].isspace(),
            )
        )

    def run_all() -> list[float]:
        """Every query once, on a new searcher: none is answered from the pages a searcher keeps."""
        searcher, each = whoosh_index.open_dir(str(path)).searcher(), []
        for query_words, county, completing in jobs:
            began = time.perf_counter()
            if query_words:
                rank(
                    searcher,
                    query_words,
                    completing=completing,
                    county=county,
                    offset=0,
                    limit=10,
                    synonyms=ours.synonyms,
                )
            each.append(time.perf_counter() - began)
        searcher.close()
        return each

    run_all()
    plain = run_all()
    profiler = cProfile.Profile()
    profiler.runcall(run_all)
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    slowest = sorted(zip(plain, queries, strict=True), reverse=True)[:8]
    head = [
        f"rank() in process, unprofiled: p50 {percentile(plain, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(plain, 0.95) * 1000:.1f} ms; slowest: "
        + ", ".join(f"{q!r} {t * 1000:.0f}" for t, (q, _) in slowest)
    ]
    return "\n".join(head + [line for line in buffer.getvalue().splitlines() if line.strip()])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Served:
    """The real service process on loopback, started anew by `fresh()` (nothing ranked before is kept)."""

    def __init__(self, data_dir: Path, workers: int | None) -> None:
        self.data_dir, self.workers = data_dir, workers
        self.process: subprocess.Popen | None = None
        self.http: aiohttp.ClientSession | None = None

    async def fresh(self) -> None:
        await self.stop()
        port = free_port()
        env = {
            **os.environ,
            "SERVICECENTER_DATA_DIR": str(self.data_dir),
            "SERVICECENTER_LOG_LEVEL": "warning",
        } | ({"SERVICECENTER_SEARCH_WORKERS": str(self.workers)} if self.workers else {})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "servicecenter", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.http = aiohttp.ClientSession(f"http://127.0.0.1:{port}")
        started = time.perf_counter()
        while True:
            try:
                async with self.http.get("/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            if self.process.poll() is not None or time.perf_counter() - started > 600:
                raise RuntimeError("the service did not become ready")
            await asyncio.sleep(0.2)

    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def one(self, q: str, county: str | None) -> None:
        assert self.http is not None
        params = {"q": q} | ({"county": county} if county else {})
        async with self.http.get("/api/v1/search", params=params) as response:
            await response.read()
            assert response.status == 200, (q, response.status)

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.close()
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = self.http = None


async def over_http(
    data_dir: Path, queries: list[Query], rounds: int, workers: int | None
) -> tuple[dict[int, Latency], float]:
    """The real service process on loopback: latency at 1 and 4 clients, and its RSS afterwards."""
    served = Served(data_dir, workers)
    try:
        latency = await measure_async(served.one, queries, rounds, served.fresh, served.pid)
        assert served.process is not None
        return latency, rss_mb(served.process.pid)
    finally:
        await served.stop()


# -- one size, all engines ----------------------------------------------------------------------


@dataclass
class SizeResult:
    services: int
    documents: int
    build_s: dict[str, float]
    latency: dict[str, dict[int, Latency]]
    quality: list[Evaluation]
    rss_mb: float | None
    profile: str = ""


async def measure_size(
    data_dir: Path, args: argparse.Namespace, queries: list[Query], last: bool
) -> SizeResult:
    settings = Settings(data_dir=data_dir, database_url=None)
    engine = create_engine(settings.database)
    sessionmaker = create_sessionmaker(engine)
    index = SearchIndex(settings.index_dir, read_workers=settings.search_workers)
    builds: dict[str, float] = {}
    latency: dict[str, dict[int, Latency]] = {}
    ours: Ours | None = None
    try:
        started = time.perf_counter()
        if args.keep_index and await ensure_index(index, sessionmaker) is False:
            builds["ours (kept)"] = 0.0
        else:
            await rebuild_index(index, sessionmaker)
            builds["ours"] = time.perf_counter() - started
        documents = await corpus(sessionmaker)
        services = sum(d.kind == "service" for d in documents)

        fts_path = str(data_dir / "fts5.db")
        Path(fts_path).unlink(missing_ok=True)
        started = time.perf_counter()
        fts = Fts5.build(documents, fts_path)
        builds["sqlite-fts5"] = time.perf_counter() - started
        started = time.perf_counter()
        reference = Tantivy(data_dir / "tantivy", documents)
        builds["tantivy"] = time.perf_counter() - started

        async with sessionmaker() as session:
            gazetteer = Gazetteer(
                list(await store.list_places(session)), PlaceWords.load(settings.place_words_file)
            )
        ours = Ours(settings, index, sessionmaker, gazetteer, SynonymTable.load(settings.synonyms_files))
        await index.start_readers(warm)
        first = await ours.first_search("personalausweis beantragen")
        print("first search on new read workers: " + ", ".join(f"{k} {v:.0f} ms" for k, v in first.items()))
        quality = [
            await ours.judged(),
            await judged("sqlite-fts5", fts.ids),
            await judged("tantivy", reference.searcher()),
        ]
        print("\n" + format_table(quality) + "\n\n" + latency_header(), flush=True)
        latency["ours, in process"] = show(
            "ours, in process", await measure_async(ours.one, queries, args.rounds, ours.fresh, os.getpid)
        )
        latency["sqlite-fts5, in process"] = show(
            "sqlite-fts5, in process",
            measure_threaded(lambda: Fts5.open(fts_path).ids, queries, args.rounds),
        )
        latency["tantivy, in process"] = show(
            "tantivy, in process", measure_threaded(reference.searcher, queries, args.rounds)
        )
        text = await profile(ours, queries) if args.profile and last else ""
    finally:
        (ours.index if ours else index).close()
        await engine.dispose()
    rss = None
    for workers in [int(w) for w in args.http_workers.split(",")] if args.http else []:
        count = workers or settings.search_workers
        name = f"ours, HTTP, {count} worker{'s' if count != 1 else ''}"
        latency[name], rss = await over_http(data_dir, queries, args.rounds, workers or None)
        show(name, latency[name])
    return SizeResult(services, len(documents), builds, latency, quality, rss, text)


def latency_header() -> str:
    return (
        f"{'engine':26}"
        + "".join(f"{f'{c} client' + ('s' if c > 1 else ''):>48}" for c in CLIENTS)
        + f"\n{'':26}"
        + f"{'p50':>7}{'p95':>7}{'new p50':>8}{'p95':>6}{'q/s':>7}{'load 1m':>13}" * len(CLIENTS)
        + f"{'CPU ms/search, service / readers':>40}"
    )


def latency_row(name: str, by_clients: dict[int, Latency]) -> str:
    """One engine's latency; for ours the CPU per search of the answering process and of its read workers,
    at 1 and 4 clients (in process, the answering process is this benchmark itself)."""
    cpu = [m.cpu_ms for m in (by_clients[c] for c in CLIENTS) if m.cpu_ms]
    return (
        f"{name:26}"
        + "".join(
            f"{m.p50:7.1f}{m.p95:7.1f}{m.first_p50:8.1f}{m.first_p95:6.0f}{m.qps:7.0f}{m.load:>13}"
            for m in (by_clients[c] for c in CLIENTS)
        )
        + (f"{'  '.join(f'{s:5.1f} / {r:5.1f}' for s, r in cpu):>40}" if cpu else "")
    )


def show(name: str, by_clients: dict[int, Latency]) -> dict[int, Latency]:
    """Print one engine's latency as soon as it is measured (a long run on a loaded machine may be cut)."""
    print(latency_row(name, by_clients), flush=True)
    return by_clients


def report(result: SizeResult) -> str:
    lines = [
        f"{result.services} services, {result.documents} documents with the LeiKa entries; build s: "
        + ", ".join(f"{k} {v:.1f}" for k, v in result.build_s.items())
        + (f"; serve RSS after the run {result.rss_mb:.0f} MB" if result.rss_mb else ""),
        "",
        latency_header(),
    ]
    lines += [latency_row(name, by_clients) for name, by_clients in result.latency.items()]
    tantivy_ms = result.latency["tantivy, in process"]
    fts_ms = result.latency["sqlite-fts5, in process"]
    lines.append("")
    for name in (n for n in result.latency if n.startswith("ours")):
        for c in CLIENTS:
            ours = result.latency[name][c]
            lines.append(
                f"ratio {name} / tantivy, {c} client(s): p50 {ours.p50 / tantivy_ms[c].p50:6.0f}x, "
                f"p95 {ours.p95 / tantivy_ms[c].p95:6.0f}x, first-pass p95 "
                f"{ours.first_p95 / tantivy_ms[c].first_p95:6.0f}x; / sqlite-fts5: p50 "
                f"{ours.p50 / fts_ms[c].p50:6.1f}x, p95 {ours.p95 / fts_ms[c].p95:6.1f}x, first-pass p95 "
                f"{ours.first_p95 / fts_ms[c].first_p95:6.1f}x"
            )
    lines += ["", "judged set at this size (recall@1, recall@5, MRR):", format_table(result.quality)]
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> None:
    configure_logging(log_format="console", level="warning")
    queries = query_mix()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"query mix: {len(queries)} queries x {args.rounds} rounds; machine: {os.cpu_count()} cores, "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; search workers "
        f"{Settings(database_url=None).search_workers}. Latency in ms; ours in process = search() without "
        "HTTP (ranking in the read workers); sqlite-fts5 and tantivy in process, one thread per client.",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        root = Path(args.keep) if args.keep else Path(tmp)
        for size in sizes:
            data_dir = root / str(size)
            data_dir.mkdir(parents=True, exist_ok=True)
            seeded, services = seed(data_dir, size)
            print(f"\n{services} services seeded in {seeded:.1f} s (load {load()})", flush=True)
            result = await measure_size(data_dir, args, queries, last=size == max(sizes))
            print("\n" + report(result), flush=True)
            if result.profile:
                print("\n" + result.profile)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,50000", help="catalogue sizes, comma-separated (0: demo only)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the query mix per measurement")
    parser.add_argument("--keep", help="seed into DIR/SIZE once and reuse it in later runs")
    parser.add_argument(
        "--keep-index", action="store_true", help="with --keep: use the index built before when it is current"
    )
    parser.add_argument(
        "--http-workers",
        default="0",
        help="SERVICECENTER_SEARCH_WORKERS of the service over HTTP, comma-separated (0: its default)",
    )
    parser.add_argument("--no-http", dest="http", action="store_false", help="skip the HTTP measurements")
    parser.add_argument("--profile", action="store_true", help="profile our ranking at the largest size")
    asyncio.run(main(parser.parse_args()))
