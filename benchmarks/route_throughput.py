"""/api/v1/route over HTTP: the real service (`serve --workers N --route-port P` for each N given), on the
workers' port and on the routing process's own port, against a bare aiohttp JSON handler process.

All run as separate processes on 127.0.0.1 on the same machine in the same run:
- throughput under concurrent load (closed loop): `wrk` (Debian package `wrk`, C, so the load
  generator is not the bottleneck) with 1 thread and 32 connections for 5 s per server; without
  wrk, a Python aiohttp closed loop is used instead and the script says so — on 2 cores that client
  is itself a bottleneck and the ratio between the servers is what to read, not the absolute number;
- latency at a fixed 1,000 requests per second (open loop): a Python asyncio client that sends on a
  fixed schedule and measures each request from its scheduled start, so a slow server cannot hide
  queueing (no coordinated omission). Client overhead is included in these numbers. For the service,
  this runs while a search storm (a separate process: 4 clients sending searches back to back to the
  workers' port) keeps the workers and their search processes busy; the storm's own throughput is
  printed too, and so is the bare handler's latency during the same storm, the reference for the tail on
  this machine.
The CPU time the server's processes (with their children) spent per request during the throughput run
is printed too: unlike throughput, it hardly depends on what else the machine is doing.
Targets: route throughput >= 70 % of the bare handler's (>= 50 % per worker with N workers); p99 < 5 ms
at 1,000 req/s while a search storm runs.

The routing process shares live state with the workers through PostgreSQL, so every service run uses
PostgreSQL (SERVICECENTER_DATABASE_URL if set, else a throwaway server from Debian's binaries, as
tests/cluster starts it).

    .venv/bin/python benchmarks/route_throughput.py [SECONDS] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent

ROUTE = "/api/v1/route?called=115&caller=%2B49%202671%20555123&at=2026-11-23T09%3A30%3A00%2B01%3A00"
BARE_HANDLER = """
import sys
from aiohttp import web
BODY = {"decision_id": "0" * 32, "line": "115", "county": "07135", "open": True,
        "target": {"kind": "pool", "id": "emh-cochem-zell", "uri": "sip:emh-cochem-zell@pbx.local"},
        "fallbacks": [{"kind": "pool", "id": "emh-all", "uri": "sip:emh-all@pbx.local"}],
        "rule": "115-by-caller-area", "greeting": "Behördennummer 115", "trace": ["line 115"] * 8}
async def route(request):
    return web.json_response(BODY)
app = web.Application()
app.router.add_get("/api/v1/route", route)
app.router.add_get("/healthz", route)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""
SEARCH_STORM = """
import asyncio, collections, sys, time
import aiohttp
QUERIES = ["Personalausweis", "kfz zulassung", "Führerschein Prüm", "Wohngeld", "Elterngeld beantragen",
           "Bauantrag", "Hund anmelden", "Gewerbe anmelden", "perso verloren", "Reisepass"]
async def main(url, seconds, clients):
    statuses, deadline = collections.Counter(), time.monotonic() + seconds
    async with aiohttp.ClientSession() as http:
        async def client(n):
            i = n
            while time.monotonic() < deadline:
                async with http.get(url, params={"q": QUERIES[i % len(QUERIES)]}) as response:
                    await response.read()
                    statuses[response.status] += 1
                i += 1
        await asyncio.gather(*(client(n) for n in range(clients)))
    print(statuses[200] / seconds, dict(statuses))
asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3])))
"""
STORM_CLIENTS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(argv: list[str], ready_url: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(ready_url, process)
    except SystemExit:
        process.kill()
        raise
    return process


def _wait_ready(ready_url: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(ready_url, timeout=2).close()
            return
        except OSError:
            if process is not None and process.poll() is not None:
                raise SystemExit(f"{process.args!r} exited during start-up") from None
            time.sleep(0.2)
    raise SystemExit(f"{ready_url} did not answer")


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _wrk(url: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t1", "-c32", f"-d{seconds}s", url], capture_output=True, text=True, timeout=seconds + 30
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


async def _closed_loop(url: str, seconds: int, workers: int = 32) -> float:
    done = 0
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=workers)) as http:

        async def worker() -> None:
            nonlocal done
            while time.monotonic() < deadline:
                async with http.get(url) as response:
                    await response.read()
                done += 1

        await asyncio.gather(*(worker() for _ in range(workers)))
    return done / seconds


async def _open_loop(url: str, rate: int, seconds: int) -> list[float]:
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256)) as http:

        async def one(scheduled: float) -> None:
            async with http.get(url) as response:
                await response.read()
                assert response.status == 200
            latencies.append(time.perf_counter() - scheduled)

        tasks = []
        start = time.perf_counter() + 0.1
        for i in range(rate * seconds):
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            tasks.append(asyncio.create_task(one(scheduled)))
        await asyncio.gather(*tasks)
    return sorted(latencies)


def cpu_seconds(root: int) -> tuple[float, float]:
    """CPU time (user + system, all threads) so far of process `root` itself and of all its descendants
    (workers, search read processes), from /proc: what a request costs the server, whatever else the
    machine runs. Also used by `search_scale`."""
    parents, cpu = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rpartition(")")[2].split()
            pid = int(stat.parent.name)
            parents[pid], cpu[pid] = int(fields[1]), int(fields[11]) + int(fields[12])
    tree, grown = {root}, True
    while grown:
        before = len(tree)
        tree |= {pid for pid, parent in parents.items() if parent in tree}
        grown = len(tree) > before
    tick = os.sysconf("SC_CLK_TCK")
    return cpu.get(root, 0) / tick, sum(cpu.get(pid, 0) for pid in tree - {root}) / tick


def _measure(
    name: str,
    base: str,
    seconds: int,
    process: subprocess.Popen,
    *,
    storm_base: str | None = None,
) -> float:
    """Throughput and CPU per request of /route at `base`, then its latency at 1,000 req/s, during a search
    storm sent to `storm_base` if given."""
    url = base + ROUTE
    asyncio.run(_closed_loop(url, 1))  # warm-up
    cpu_before = sum(cpu_seconds(process.pid))
    if shutil.which("wrk"):
        throughput, how = _wrk(url, seconds), "wrk -t1 -c32"
    else:
        throughput, how = asyncio.run(_closed_loop(url, seconds)), "Python closed loop, 32 workers"
    cpu_per_request = (sum(cpu_seconds(process.pid)) - cpu_before) / (throughput * seconds) * 1e6
    print(
        f"{name:22} throughput {throughput:8.0f} req/s ({how}), server CPU {cpu_per_request:4.0f} µs/request   "
        + _latency(url, seconds, storm_base)
    )
    return throughput


def _latency(url: str, seconds: int, storm_base: str | None) -> str:
    """p50 and p99 of /route at `url` at 1,000 req/s, during a search storm to `storm_base` if given."""
    storming = None
    if storm_base is not None:
        storming = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SEARCH_STORM,
                f"{storm_base}/api/v1/search",
                str(seconds + 1),
                str(STORM_CLIENTS),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.5)  # the storm is under way before the first measured request
    latencies = asyncio.run(_open_loop(url, 1000, seconds))
    p50, p99 = statistics.median(latencies) * 1000, latencies[int(len(latencies) * 0.99)] * 1000
    searches = ""
    if storming is not None:
        out, _ = storming.communicate(timeout=seconds + 60)
        rate, _, statuses = (out or "0 {}").partition(" ")
        searches = f"  (search storm: {float(rate):.0f} searches/s answered, statuses {statuses.strip()})"
    return f"at 1,000 req/s: p50 {p50:5.2f} ms  p99 {p99:6.2f} ms{searches}"


def _load_rig():
    spec = importlib.util.spec_from_file_location("cluster_rig", ROOT / "tests" / "cluster" / "conftest.py")
    module = sys.modules["cluster_rig"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def _database() -> Iterator[str]:
    """The PostgreSQL URL the service runs on."""
    if os.environ.get("SERVICECENTER_DATABASE_URL"):
        yield os.environ["SERVICECENTER_DATABASE_URL"]
    else:
        rig = _load_rig()
        postgres = rig.Postgres(rig.Ports()())
        try:
            postgres.start(rig.postgres_bin())
            yield postgres.url
        finally:
            postgres.stop()


def main(seconds: int, workers: list[int]) -> None:
    with tempfile.TemporaryDirectory(prefix="route-bench-") as tmp:
        bare_port = _free_port()
        bare_base = f"http://127.0.0.1:{bare_port}"
        bare = _start([sys.executable, "-c", BARE_HANDLER, str(bare_port)], f"{bare_base}/healthz")
        try:
            bare_rps = _measure("bare aiohttp", bare_base, seconds, bare)
            with _database() as database_url:
                print("service database: PostgreSQL")
                for i, n in enumerate(workers):
                    reference = bare_base if i == 0 else None  # the bare handler's tail in a storm: once
                    _measure_service(n, seconds, bare_rps, reference, database_url, Path(tmp) / f"data-{n}")
        finally:
            _stop(bare)


def _measure_service(
    n: int, seconds: int, bare_rps: float, bare_base: str | None, database_url: str, data_dir: Path
) -> None:
    """`serve --workers n --route-port P`: /route on the workers' port and on the routing process's, each
    with its latency during a search storm to the workers' port; with `bare_base`, the bare handler's
    latency during the same storm too, the reference for the tail."""
    port, route_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "SERVICECENTER_DATA_DIR": str(data_dir),
        "SERVICECENTER_LOG_FORMAT": "json",
        "SERVICECENTER_WORKERS": str(n),
        "SERVICECENTER_DATABASE_URL": database_url,
        "SERVICECENTER_ROUTE_PORT": str(route_port),
    }
    service = _start(
        [sys.executable, "-m", "servicecenter", "serve", "--port", str(port)],
        f"http://127.0.0.1:{port}/readyz",
        env,
    )
    try:
        _wait_ready(f"http://127.0.0.1:{route_port}/readyz")
        base = f"http://127.0.0.1:{port}"
        if bare_base is not None:
            print(
                f"{'  bare aiohttp':22} during the storm to workers={n}: {_latency(bare_base + ROUTE, seconds, base)}"
            )
        route_rps = _measure(f"/api/v1/route workers={n}", base, seconds, service, storm_base=base)
        print(
            f"  workers={n}: route throughput is {route_rps / bare_rps:.0%} of the bare handler's, "
            f"{route_rps / n / bare_rps:.0%} per worker"
        )
        own_rps = _measure(
            "  routing process", f"http://127.0.0.1:{route_port}", seconds, service, storm_base=base
        )
        print(f"  routing process: route throughput is {own_rps / bare_rps:.0%} of the bare handler's")
    finally:
        _stop(service)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("seconds", nargs="?", type=int, default=5)
    parser.add_argument("--workers", nargs="+", type=int, default=[1], metavar="N")
    arguments = parser.parse_args()
    main(arguments.seconds, arguments.workers)
