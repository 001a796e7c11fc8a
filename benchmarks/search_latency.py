"""Agent search over HTTP on the demo catalogue: median and p95 latency of typical queries.

Starts the real service on a loopback port with a fresh data dir (first start included), then
sends the queries one after another.

    .venv/bin/python benchmarks/search_latency.py [ROUNDS]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from servicecenter.app import create_app
from servicecenter.settings import Settings

QUERIES = [
    "Personalausweis",
    "perso verloren",
    "auto ummelden",
    "fuhrerschein umtausch",
    "Hundesteuer Gerolstein",
    "Wunschkennzeichen 56812",
    "Kindergeld",
    "Sperrmüll",
    "Führungszeugnis",
    "Baugenehmigung Daun",
    "Wohngeld",
    "Reisepass Kinder",
    "Gewerbe anmelden",
    "Schwerbehindertenausweis",
    "Jagdschein",
]


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        started = time.perf_counter()
        runner = web.AppRunner(
            create_app(Settings(data_dir=Path(data_dir), database_url=None)), access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        print(f"first start (schema, demo catalogue, index) {time.perf_counter() - started:.2f} s")
        timings, took = [], []
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            for _ in range(rounds):
                for q in QUERIES:
                    began = time.perf_counter()
                    async with http.get("/api/v1/search", params={"q": q}) as response:
                        body = await response.json()
                    timings.append((time.perf_counter() - began) * 1000)
                    took.append(body["took_ms"])
        await runner.cleanup()
    timings.sort()
    print(
        f"queries {len(timings)}  HTTP median {statistics.median(timings):.2f} ms  "
        f"p95 {timings[int(len(timings) * 0.95)]:.2f} ms  in-service median {statistics.median(took):.2f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
