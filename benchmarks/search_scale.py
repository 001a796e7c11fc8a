"""Search at catalogue scale: build time, latency in process and over HTTP, RSS, where the time goes.

    .venv/bin/python benchmarks/search_scale.py [--sizes 1000,10000,50000,100000] [--rounds 2] [--no-http]

For each size: a fresh data dir, `servicecenter seed --synthetic N` (demo catalogue + generated services up to
the size), the index built by knowledge.sync.rebuild_index (what `servicecenter reindex` runs), then the
query mix (the judged agent queries plus queries in the generated vocabulary) through knowledge.search.search()
in process, and over HTTP against the real `servicecenter serve` process at concurrency 1 and 4, with that
process's RSS afterwards. At the largest size, the slowest query is profiled: whoosh search, highlighting,
the rest of search() (place detection, responsibilities query, entries) and JSON encoding.
Issue 3's targets on the 2-core machine: p95 <= 30 ms over HTTP at 50k services, build of 50k < 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import io
import os
import pstats
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from benchmarks.evaluation import load_judged
from knowledge.calendar import BERLIN, ServiceCalendar
from knowledge.catalogue import store
from knowledge.closures.board import NoticeBoard
from knowledge.search.agent_search import SearchRequest, search
from knowledge.search.index import SearchIndex, current_generation
from knowledge.search.places import Gazetteer, PlaceWords
from knowledge.search.sync import rebuild_index
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


def query_mix() -> list[tuple[str, str | None]]:
    """What agents type: the judged queries and some in the generated vocabulary (broad ones included)."""
    return [(q.q, q.county) for q in load_judged()] + SYNTHETIC_QUERIES


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def seed(data_dir: Path, size: int) -> tuple[float, int]:
    """Demo catalogue plus generated services up to `size` in total, by the real CLI; (seconds, services)."""
    env = {**os.environ, "SERVICECENTER_DATA_DIR": str(data_dir)}
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


class TimedIndex(SearchIndex):
    """The real index, except that reads run in this process (in a thread, on one searcher) so that the
    ranking's time can be taken apart and profiled; the service runs them in its read worker processes."""

    profiler: cProfile.Profile | None = None
    last_read = 0.0
    _searcher: Searcher | None = None

    async def read(self, fn, *args, **kwargs):
        def timed():
            if self._searcher is None:
                self._searcher = whoosh_index.open_dir(str(current_generation(self.root))).searcher()
            started = time.perf_counter()
            try:
                if self.profiler:
                    return self.profiler.runcall(fn, self._searcher, *args, **kwargs)
                return fn(self._searcher, *args, **kwargs)
            finally:
                self.last_read = time.perf_counter() - started

        return await asyncio.to_thread(timed)


async def in_process(settings: Settings, queries, rounds: int, profile: bool) -> dict:
    """Build the index, then time search() per query; optionally profile the slowest query."""
    engine = create_engine(settings.database)
    sessionmaker = create_sessionmaker(engine)
    index = TimedIndex(settings.index_dir)
    try:
        started = time.perf_counter()
        await rebuild_index(index, sessionmaker)
        build = time.perf_counter() - started
        async with sessionmaker() as session:
            gazetteer = Gazetteer(
                list(await store.list_places(session)), PlaceWords.load(settings.place_words_file)
            )
        synonyms = SynonymTable.load(settings.synonyms_files)
        calendar, now = ServiceCalendar(), dt.datetime(2025, 3, 5, 10, 0, tzinfo=BERLIN)

        async def one(q: str, county: str | None) -> tuple[float, float, float, dict]:
            began = time.perf_counter()
            async with sessionmaker() as session:
                body = await search(
                    index=index,
                    session=session,
                    gazetteer=gazetteer,
                    synonyms=synonyms,
                    calendar=calendar,
                    notices=NoticeBoard(),
                    request=SearchRequest(q, county),
                    now=now,
                )
            total = time.perf_counter() - began
            return total, index.last_read, total - index.last_read, body

        for q, county in queries[:20]:
            await one(q, county)
        timings: list[tuple[float, str, str | None, float, float]] = []
        for _ in range(rounds):
            for q, county in queries:
                total, read, rest, _ = await one(q, county)
                timings.append((total, q, county, read, rest))
        result = {
            "build_s": build,
            "p50": percentile([t[0] for t in timings], 0.5) * 1000,
            "p95": percentile([t[0] for t in timings], 0.95) * 1000,
            "read_p50": percentile([t[3] for t in timings], 0.5) * 1000,
            "rest_p50": percentile([t[4] for t in timings], 0.5) * 1000,
        }
        if profile:
            slowest = max(timings)
            typical = sorted(timings)[len(timings) // 2]
            result["profile"] = (
                f"slowest query unprofiled: {slowest[0] * 1000:.1f} ms; median query "
                f"{typical[1]!r}: {typical[0] * 1000:.1f} ms\n\n"
                + await profile_query(index, one, slowest[1], slowest[2])
                + "\n\n"
                + await profile_rest(one, typical[1], typical[2])
            )
        return result
    finally:
        index.close()
        await engine.dispose()


async def profile_query(index: TimedIndex, one, q: str, county: str | None) -> str:
    """Where one query's time goes: whoosh search vs highlighting (cProfile of the read), the rest."""
    index.profiler = cProfile.Profile()
    runs, reads, rests, dumps = 5, [], [], []
    for _ in range(runs):
        _, read, rest, body = await one(q, county)
        reads.append(read)
        rests.append(rest)
        began = time.perf_counter()
        body.model_dump_json()
        dumps.append(time.perf_counter() - began)
    buffer = io.StringIO()
    stats = pstats.Stats(index.profiler, stream=buffer)
    index.profiler = None

    def cumulative(function: str) -> float:
        """Cumulative ms per run of whoosh.searching's `function` (outermost calls only, as cProfile counts)."""
        return (
            sum(
                v[3]
                for k, v in stats.stats.items()
                if k[0].endswith("whoosh/searching.py") and k[2] == function
            )
            / runs
            * 1000
        )

    lines = [
        f"slowest query {q!r}" + (f" county={county}" if county else "") + f" (mean of {runs} runs):",
        f"  ranking (index.read, in process)   {statistics.mean(reads) * 1000:8.2f} ms",
        f"    whoosh Searcher.search           {cumulative('search'):8.2f} ms",
        f"    results length/scored            {cumulative('__len__'):8.2f} ms",
        f"    highlighting (Hit.highlights)    {cumulative('highlights'):8.2f} ms",
        f"  rest of search() (places, responsibilities query, entries) {statistics.mean(rests) * 1000:8.2f} ms",
        f"  JSON encoding of the body          {statistics.mean(dumps) * 1000:8.2f} ms",
        "  top functions of the read (cumulative):",
    ]
    stats.sort_stats("cumulative").print_stats(12)
    lines += ["    " + line for line in buffer.getvalue().splitlines() if line.strip()][-14:]
    return "\n".join(lines)


async def profile_rest(one, q: str, county: str | None) -> str:
    """Where the event-loop side of a typical query goes (the read's share shows as waiting)."""
    profiler, runs = cProfile.Profile(), 20
    profiler.enable()
    for _ in range(runs):
        await one(q, county)
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    wanted = (
        "knowledge/",
        "routing/",
        "sqlalchemy/orm/session.py",
        "sqlalchemy/engine/result.py",
        "aiosqlite/",
    )
    lines = [
        f"median query {q!r}"
        + (f" county={county}" if county else "")
        + f", event loop side, ms per run of {runs}:"
    ]
    for (file, line, function), row in sorted(stats.stats.items(), key=lambda kv: -kv[1][3]):
        if any(w in file for w in wanted) and len(lines) < 16:
            lines.append(
                f"  {row[3] / runs * 1000:8.2f}  {function} ({'/'.join(file.split('/')[-2:])}:{line})"
            )
    return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def over_http(data_dir: Path, queries, rounds: int) -> dict:
    """The real service process on loopback: p50/p95 at concurrency 1 and 4, and its RSS afterwards."""
    port = free_port()
    env = {**os.environ, "SERVICECENTER_DATA_DIR": str(data_dir), "SERVICECENTER_LOG_LEVEL": "warning"}
    process = subprocess.Popen(
        [sys.executable, "-m", "servicecenter", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    result: dict = {}
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            started = time.perf_counter()
            while True:
                try:
                    async with http.get("/readyz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                if process.poll() is not None or time.perf_counter() - started > 600:
                    raise RuntimeError("the service did not become ready")
                await asyncio.sleep(0.2)
            result["ready_s"] = time.perf_counter() - started
            result["rss_idle"] = rss_mb(process.pid)

            async def worker(share: list, timings: list[float]) -> None:
                for q, county in share:
                    params = {"q": q} | ({"county": county} if county else {})
                    began = time.perf_counter()
                    async with http.get("/api/v1/search", params=params) as response:
                        await response.read()
                        assert response.status == 200, (q, response.status)
                    timings.append(time.perf_counter() - began)

            for q, county in queries[:20]:
                await worker([(q, county)], [])
            for concurrency in (1, 4):
                work = queries * rounds
                timings: list[float] = []
                began = time.perf_counter()
                await asyncio.gather(*(worker(work[i::concurrency], timings) for i in range(concurrency)))
                elapsed = time.perf_counter() - began
                result[f"c{concurrency}"] = (
                    percentile(timings, 0.5) * 1000,
                    percentile(timings, 0.95) * 1000,
                    len(timings) / elapsed,
                )
            result["rss"] = rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return result


async def main(args: argparse.Namespace) -> None:
    configure_logging(log_format="console", level="warning")
    queries = query_mix()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows, profile = [], ""
    print(
        f"query mix: {len(queries)} queries x {args.rounds} rounds; machine: {os.cpu_count()} cores",
        flush=True,
    )
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"scale-{size}-") as tmp:
            data_dir = Path(tmp)
            seeded, services = seed(data_dir, size)
            print(f"{services} services seeded in {seeded:.1f} s", flush=True)
            measured = await in_process(
                Settings(data_dir=data_dir, database_url=None),
                queries,
                args.rounds,
                profile=size == max(sizes),
            )
            profile = measured.pop("profile", profile)
            http = await over_http(data_dir, queries, args.rounds) if args.http else {}
            rows.append((services, seeded, measured, http))
            print(
                f"  build {measured['build_s']:.1f} s, in process p50 {measured['p50']:.1f} ms "
                f"p95 {measured['p95']:.1f} ms" + (f", HTTP c1 p95 {http['c1'][1]:.1f} ms" if http else ""),
                flush=True,
            )
    print()
    print(
        f"{'services':>9} {'seed s':>7} {'build s':>8} | {'proc p50':>8} {'p95':>6} {'whoosh':>7} {'rest':>6} | "
        f"{'HTTP c1 p50':>11} {'p95':>6} | {'c4 p50':>7} {'p95':>6} {'q/s':>6} | {'RSS MB':>7}"
    )
    for services, seeded, m, h in rows:
        http = (
            (
                f"{h['c1'][0]:11.1f} {h['c1'][1]:6.1f} | {h['c4'][0]:7.1f} {h['c4'][1]:6.1f} {h['c4'][2]:6.0f} | "
                f"{h['rss']:7.0f}"
            )
            if h
            else f"{'-':>11} {'':6} | {'-':>7} {'':6} {'':6} | {'-':>7}"
        )
        print(
            f"{services:9d} {seeded:7.1f} {m['build_s']:8.1f} | {m['p50']:8.1f} {m['p95']:6.1f} "
            f"{m['read_p50']:7.1f} {m['rest_p50']:6.1f} | {http}"
        )
    print(
        "\nwhoosh = p50 of the read, run in process (whoosh search + highlighting); rest = p50 of the rest "
        "of search() (place detection, responsibilities query, entries). Times in ms unless marked s."
    )
    if profile:
        print("\n" + profile)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000,100000", help="catalogue sizes, comma-separated")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the query mix per measurement")
    parser.add_argument("--no-http", dest="http", action="store_false", help="skip the HTTP measurements")
    asyncio.run(main(parser.parse_args()))
