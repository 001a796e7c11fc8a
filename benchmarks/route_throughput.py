"""/api/v1/route over HTTP: the real service process against a bare aiohttp JSON handler process.

Both run as separate processes on 127.0.0.1 on the same machine in the same run:
- throughput under concurrent load (closed loop): `wrk` (Debian package `wrk`, C, so the load
  generator is not the bottleneck) with 1 thread and 32 connections for 5 s per server; without
  wrk, a Python aiohttp closed loop is used instead and the script says so — on 2 cores that client
  is itself a bottleneck and the ratio between the servers is what to read, not the absolute number;
- latency at a fixed 1,000 requests per second (open loop): a Python asyncio client that sends on a
  fixed schedule and measures each request from its scheduled start, so a slow server cannot hide
  queueing (no coordinated omission). Client overhead is included in these numbers.
Targets: route throughput >= 70 % of the bare handler's; p99 < 10 ms at 1,000 req/s.

    .venv/bin/python benchmarks/route_throughput.py [SECONDS]
"""

from __future__ import annotations

import asyncio
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
from pathlib import Path

import aiohttp

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(argv: list[str], ready_url: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(ready_url, timeout=2).close()
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"{argv[:3]} exited during start-up") from None
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{argv[:3]} did not start")


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
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


def _measure(name: str, base: str, seconds: int) -> float:
    url = base + ROUTE
    asyncio.run(_closed_loop(url, 1))  # warm-up
    if shutil.which("wrk"):
        throughput, how = _wrk(url, seconds), "wrk -t1 -c32"
    else:
        throughput, how = asyncio.run(_closed_loop(url, seconds)), "Python closed loop, 32 workers"
    latencies = asyncio.run(_open_loop(url, 1000, seconds))
    p50, p99 = statistics.median(latencies) * 1000, latencies[int(len(latencies) * 0.99)] * 1000
    print(
        f"{name:14} throughput {throughput:8.0f} req/s ({how})   at 1,000 req/s: p50 {p50:5.2f} ms  p99 {p99:6.2f} ms"
    )
    return throughput


def main(seconds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="route-bench-") as tmp:
        bare_port, service_port = _free_port(), _free_port()
        bare = _start(
            [sys.executable, "-c", BARE_HANDLER, str(bare_port)], f"http://127.0.0.1:{bare_port}/healthz"
        )
        try:
            bare_rps = _measure("bare aiohttp", f"http://127.0.0.1:{bare_port}", seconds)
        finally:
            _stop(bare)
        env = {
            **os.environ,
            "SERVICECENTER_DATA_DIR": str(Path(tmp) / "data"),
            "SERVICECENTER_LOG_FORMAT": "json",
        }
        env.pop("SERVICECENTER_DATABASE_URL", None)
        service = _start(
            [sys.executable, "-m", "servicecenter", "serve", "--port", str(service_port)],
            f"http://127.0.0.1:{service_port}/readyz",
            env,
        )
        try:
            route_rps = _measure("/api/v1/route", f"http://127.0.0.1:{service_port}", seconds)
        finally:
            _stop(service)
    print(f"route throughput is {route_rps / bare_rps:.0%} of the bare handler's")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
