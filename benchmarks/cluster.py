"""Three instances behind HAProxy on one PostgreSQL database (the rig of tests/cluster), under a bounded load.

Prints, all through HAProxy unless said otherwise (routing through its PBX frontend, to the instances'
routing processes; the rest through its main frontend):
- per endpoint (route, search, decision by id, pools): requests sent on a fixed schedule (open loop, so a
  slow answer cannot hold the load back), answered per second, p50/p99 measured from each request's
  scheduled start, and failures;
- state propagation: a pool report sent to one instance until both others (asked directly) hold it,
  and a decision made on one instance until another answers it by id; p50/p99 over `--samples`;
- failover: one instance killed with SIGKILL under the route load: until HAProxy marks it down, routing
  requests that failed, and the route latency p99/max in the seconds after the kill.

    .venv/bin/python benchmarks/cluster.py [--seconds 10] [--rate 200] [--search-rate 5] [--samples 50] [--workers 1]

Needs haproxy and PostgreSQL's server binaries (Debian packages haproxy, postgresql). On a machine others
are using at the same time the absolute numbers move with their load: read them with the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("cluster_rig", ROOT / "tests" / "cluster" / "conftest.py")
rig = sys.modules["cluster_rig"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rig)

ROUTE = {"called": "115", "caller": "06592 1234", "at": "2026-11-23T09:30:00+01:00"}
QUERIES = [
    "Personalausweis",
    "kfz zulassung",
    "Führerschein Prüm",
    "Wohngeld",
    "Hund anmelden",
    "perso verloren",
]


@dataclass
class Series:
    """Latencies (s) and outcomes of one endpoint."""

    latencies: list[float] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)

    def line(self, name: str, seconds: float) -> str:
        done = sorted(self.latencies)
        if not done:
            return f"{name:16} no answers; outcomes {dict(self.outcomes)}"
        failures = {k: v for k, v in self.outcomes.items() if k != 200}
        return (
            f"{name:16} {self.outcomes[200] / seconds:7.1f} answered/s   p50 {_ms(statistics.median(done))}   "
            f"p99 {_ms(_p99(done))}   failures {failures or 0}"
        )


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


async def _one(
    http: aiohttp.ClientSession,
    path: str,
    params: dict,
    series: Series,
    scheduled: float,
    headers: dict | None = None,
) -> None:
    try:
        async with http.get(path, params=params, headers=headers) as response:
            await response.read()
            series.outcomes[response.status] += 1
    except (aiohttp.ClientError, TimeoutError) as error:
        series.outcomes[type(error).__name__] += 1
        return
    series.latencies.append(time.perf_counter() - scheduled)


async def _open_loop(http: aiohttp.ClientSession, rate: float, seconds: float, request) -> None:
    """`request(scheduled, i)` on a fixed schedule of `rate` per second for `seconds`."""
    tasks = []
    start = time.perf_counter() + 0.05
    for i in range(int(rate * seconds)):
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(request(scheduled, i)))
    await asyncio.gather(*tasks)


async def steady(cluster, seconds: float, rate: float, search_rate: float) -> None:
    """Route, search, decisions and pools at once, each on its own schedule."""
    decision_ids = []
    async with aiohttp.ClientSession(cluster.haproxy.pbx_url) as http:
        for _ in range(20):
            async with http.get("/api/v1/route", params=ROUTE) as response:
                decision_ids.append((await response.json())["decision_id"])
    series = {name: Series() for name in ("route", "search", "decision by id", "pools")}
    agent = cluster.headers("agent")  # agents search logged in
    async with (
        aiohttp.ClientSession(cluster.haproxy.url, connector=aiohttp.TCPConnector(limit=512)) as http,
        aiohttp.ClientSession(cluster.haproxy.pbx_url, connector=aiohttp.TCPConnector(limit=512)) as pbx,
    ):
        await asyncio.gather(
            _open_loop(
                pbx, rate, seconds, lambda t, i: _one(pbx, "/api/v1/route", ROUTE, series["route"], t)
            ),
            _open_loop(
                http,
                search_rate,
                seconds,
                lambda t, i: _one(
                    http, "/api/v1/search", {"q": QUERIES[i % len(QUERIES)]}, series["search"], t, agent
                ),
            ),
            _open_loop(
                http,
                rate / 10,
                seconds,
                lambda t, i: _one(
                    http,
                    f"/api/v1/decisions/{decision_ids[i % len(decision_ids)]}",
                    {},
                    series["decision by id"],
                    t,
                ),
            ),
            _open_loop(
                http, rate / 20, seconds, lambda t, i: _one(http, "/api/v1/pools", {}, series["pools"], t)
            ),
        )
    print(
        f"steady load for {seconds:.0f} s through HAProxy (route {rate:.0f}/s, search {search_rate:.0f}/s, "
        f"decisions {rate / 10:.0f}/s, pools {rate / 20:.0f}/s):"
    )
    for name, values in series.items():
        print("  " + values.line(name, seconds))


async def propagation(cluster, samples: int) -> None:
    """Pool reports and decisions, from one instance to the others, timed until they are seen there."""
    pool_times, decision_times = [], []
    async with aiohttp.ClientSession() as http:
        for n in range(samples):
            source = cluster.instances[n % 3]
            others = [i for i in cluster.instances if i is not source]
            state = {"agents_available": n % 3, "calls_waiting": 1000 + n, "longest_wait_s": float(n)}
            started = time.perf_counter()
            async with http.put(
                f"{source.url}/api/v1/pools/emh-vulkaneifel/state", json=state, headers=cluster.headers("pbx")
            ) as response:
                assert response.status == 200
            pending = set(range(len(others)))
            while pending:
                for k in list(pending):
                    async with http.get(f"{others[k].url}/api/v1/pools") as response:
                        pools = {p["id"]: p for p in await response.json()}
                    held = pools["emh-vulkaneifel"]["state"]
                    if held is not None and held["calls_waiting"] == 1000 + n:
                        pending.discard(k)
                await asyncio.sleep(0.002)
            pool_times.append(time.perf_counter() - started)

            started = time.perf_counter()
            async with http.get(f"{source.route_url}/api/v1/route", params=ROUTE) as response:
                decision_id = (await response.json())["decision_id"]
            async with http.get(f"{others[0].url}/api/v1/decisions/{decision_id}") as response:
                assert response.status == 200, await response.text()
            decision_times.append(time.perf_counter() - started)
    for name, times in (("pool report", pool_times), ("decision by id", decision_times)):
        print(
            f"  propagation of a {name:15} p50 {_ms(statistics.median(times))}   p99 {_ms(_p99(times))}   "
            f"max {_ms(max(times))}   ({len(times)} samples)"
        )


async def failover(cluster, rate: float) -> None:
    """SIGKILL one instance under route load; how long until HAProxy stops sending it anything, and what the
    PBX saw meanwhile."""
    series = Series()
    kill_at: list[float] = []
    connector = aiohttp.TCPConnector(limit=512)
    async with aiohttp.ClientSession(cluster.haproxy.pbx_url, connector=connector) as http:

        async def request(scheduled: float, i: int) -> None:
            await _one(http, "/api/v1/route", ROUTE, series, scheduled)

        async def kill_and_watch() -> float:
            await asyncio.sleep(2)
            kill_at.append(time.perf_counter())
            cluster.instances[2].process.kill()
            while not (await asyncio.to_thread(cluster.haproxy.servers, "routing"))["sc3"].startswith("DOWN"):
                await asyncio.sleep(0.01)
            return time.perf_counter() - kill_at[0]

        loop = asyncio.create_task(_open_loop(http, rate, 8, request))
        down_after = await kill_and_watch()
        await loop
    cluster.instances[2].process.wait(timeout=20)
    failed = sum(v for k, v in series.outcomes.items() if k != 200)
    print(
        f"failover: sc3 killed (SIGKILL) under {rate:.0f} routes/s; HAProxy marked it down after {_ms(down_after)}; "
        f"route p99 {_ms(_p99(series.latencies))}, max {_ms(max(series.latencies))}; "
        f"failed routing requests: {failed} of {sum(series.outcomes.values())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--rate", type=float, default=200, help="routes per second (the other endpoints less)"
    )
    parser.add_argument("--search-rate", type=float, default=5, help="searches per second (each costs CPU)")
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="serve --workers of each instance")
    args = parser.parse_args()
    haproxy, pg_bin = shutil.which("haproxy") or "/usr/sbin/haproxy", rig.postgres_bin()
    if not Path(haproxy).exists() or pg_bin is None:
        raise SystemExit("needs haproxy and PostgreSQL (apt-get install haproxy postgresql)")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as tmp:
        started = time.monotonic()
        with rig.running_cluster(Path(tmp), haproxy, pg_bin, workers=args.workers) as cluster:
            print(
                f"three instances (--workers {args.workers}) and HAProxy up after {time.monotonic() - started:.0f} s"
            )
            asyncio.run(steady(cluster, args.seconds, args.rate, args.search_rate))
            print("state propagation (instances asked directly):")
            asyncio.run(propagation(cluster, args.samples))
            asyncio.run(failover(cluster, args.rate))
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
