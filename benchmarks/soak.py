"""A bounded soak of the real service: the agents' and the PBX's mixed load, then a search storm on top.

Starts `servicecenter serve` on 127.0.0.1 (a fresh data dir: SQLite, demo catalogue) and sends requests on
a fixed schedule (open loop: each latency counts from the request's scheduled start, so a slow server
cannot hide queueing), 70 % search (the judged agent queries), 25 % route (115 and switchboard calls from
the four counties), 5 % units. Phases, one after the other:

- warm-up: `--warmup` s of the mix, not counted;
- mixed: `--duration` s of the mix;
- storm: `--storm` s of the mix while `--storm-clients` anonymous clients send the costliest known queries
  back to back (one 200-letter word each: typo correction and compound splitting work hardest).

The mix searches as a logged-in agent (a bearer token), as the console does: every client here shares the
address 127.0.0.1, and the storm fills that address's anonymous searches (`search_max_concurrent_per_client`),
so anonymous agents would measure the limit's 429s instead of the service.

Prints per phase and endpoint the count, p50/p95/p99 and errors (status or exception, by kind), the storm's
own answers, and the memory of the service (RSS of its main process; PSS of it with every process it
started: the search workers) after warm-up and at the end. Stops the service by its PID.

    .venv/bin/python -m benchmarks.soak [--rate 20] [--duration 60] [--storm 30] [--warmup 10]
                                        [--storm-clients 8] [--workers N]

Issue 11's targets on the 2-core machine: under the storm `/route` p99 < 50 ms and no route error; at
20 req/s no error and search p95 < 100 ms; RSS growth < 10 % over 10 minutes (`--duration 600`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from benchmarks.evaluation import load_judged
from benchmarks.route_throughput import _free_port, _start, _stop

EXPENSIVE_QUERIES = ["ß" * 200, "ä" * 200, "x" * 200]
CALLS = [
    {"called": "115", "caller": "+49 2671 555123"},
    {"called": "115", "caller": "+49 6571 204455"},
    {"called": "115", "caller": "06561 7781"},
    {"called": "115", "caller": "+49 6592 12345"},
    {"called": "115", "caller": "+49 30 1234567"},
    {"called": "115"},
    {"called": "+49 6571 14-0"},
    {"called": "+49 2671 61-0", "caller": "+49 2671 1"},
]
UNIT_QUERIES = [
    {"q": "Bürgerbüro"},
    {"q": "Kfz"},
    {"county": "07233"},
    {"q": "Standesamt", "county": "07135"},
]
MIX = (("search", 0.70), ("route", 0.25), ("units", 0.05))
COUNTIES = ("07231", "07232", "07135", "07233")


@dataclass
class Phase:
    """What one phase measured: latencies and errors by endpoint."""

    name: str
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def requests(seed: int):
    """An endless, reproducible sequence of (endpoint, path, params) in the mix's proportions."""
    rng = random.Random(seed)
    judged = [(q.q, q.county) for q in load_judged()]
    names, weights = zip(*MIX, strict=True)
    while True:
        endpoint = rng.choices(names, weights)[0]
        if endpoint == "search":
            q, county = rng.choice(judged)
            params = {"q": q} | ({"county": county} if county else {})
            if rng.random() < 0.3:
                params["county"] = rng.choice(COUNTIES)
            yield "search", "/api/v1/search", params
        elif endpoint == "route":
            yield "route", "/api/v1/route", rng.choice(CALLS)
        else:
            yield "units", "/api/v1/units", rng.choice(UNIT_QUERIES)


async def one(
    http: aiohttp.ClientSession, base: str, request, scheduled: float, phase: Phase | None, headers: dict
) -> None:
    endpoint, path, params = request
    try:
        async with http.get(base + path, params=params, headers=headers) as response:
            await response.read()
            status = response.status
    except (TimeoutError, aiohttp.ClientError) as error:
        status = type(error).__name__
    if phase is None:
        return
    phase.latencies[endpoint].append(time.perf_counter() - scheduled)
    if status != 200:
        phase.errors[endpoint][status] += 1


async def mixed(
    http, base: str, source, rate: float, seconds: float, phase: Phase | None, headers: dict
) -> None:
    """The mix at `rate` requests/s for `seconds`, each request on its own schedule, as the agent `headers`."""
    tasks = []
    start = time.perf_counter() + 0.05
    for i in range(int(rate * seconds)):
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(one(http, base, next(source), scheduled, phase, headers)))
    await asyncio.gather(*tasks)


async def storm_client(
    http, base: str, n: int, stop: asyncio.Event, answers: Counter, took: list[float]
) -> None:
    """Costly queries back to back until `stop`."""
    i = n
    while not stop.is_set():
        started = time.perf_counter()
        try:
            async with http.get(f"{base}/api/v1/search", params={"q": EXPENSIVE_QUERIES[i % 3]}) as response:
                await response.read()
                answers[response.status] += 1
        except (TimeoutError, aiohttp.ClientError) as error:
            answers[type(error).__name__] += 1
        took.append(time.perf_counter() - started)
        i += 1


def _kib(path: str, key: str) -> int:
    """One `key: N kB` line of a /proc file; 0 when the process is gone."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (its search workers, the fork server), from /proc."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = [], {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found += frontier
    return found


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process so far, from /proc; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu(pid: int) -> tuple[float, float]:
    """CPU seconds of the service's main process, and of every process below it."""
    return cpu_seconds(pid), sum(cpu_seconds(p) for p in descendants(pid))


def memory(pid: int) -> tuple[int, int, int]:
    """(RSS of the service's main process, PSS of it and every process below it, their count) in KiB.
    PSS shares the pages that forked workers have in common among them, where RSS would count them twice."""
    below = descendants(pid)
    pss = sum(_kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in [pid, *below])
    return _kib(f"/proc/{pid}/status", "VmRSS:"), pss, len(below)


def report(phase: Phase) -> None:
    print(f"\n{phase.name} ({phase.seconds:.0f} s)")
    print(f"  {'endpoint':8} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  errors")
    for endpoint in ("route", "search", "units"):
        values = phase.latencies.get(endpoint, [])
        if not values:
            continue
        errors = ", ".join(f"{k}: {v}" for k, v in phase.errors[endpoint].most_common()) or "none"
        p50, p95, p99 = (percentile(values, p) * 1000 for p in (0.5, 0.95, 0.99))
        print(
            f"  {endpoint:8} {len(values):6} {p50:8.1f} {p95:8.1f} {p99:8.1f} {max(values) * 1000:8.1f}  {errors}"
        )


async def soak(base: str, pid: int, args: argparse.Namespace, agent: dict) -> None:
    source = requests(args.seed)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as http:
        await mixed(http, base, source, args.rate, args.warmup, None, agent)
        before, cpu_before = memory(pid), cpu(pid)
        phase = Phase(f"mixed load, {args.rate:g} req/s", args.duration)
        await mixed(http, base, source, args.rate, args.duration, phase, agent)
        report(phase)

        stop, answers, took = asyncio.Event(), Counter(), []
        clients = [
            asyncio.create_task(storm_client(http, base, n, stop, answers, took))
            for n in range(args.storm_clients)
        ]
        phase = Phase(
            f"mixed load, {args.rate:g} req/s, with a search storm from {args.storm_clients} clients",
            args.storm,
        )
        await mixed(http, base, source, args.rate, args.storm, phase, agent)
        stop.set()
        await asyncio.gather(*clients)
        report(phase)
        if took:
            print(
                f"  storm    {len(took):6} {statistics.median(took) * 1000:8.1f} {percentile(took, 0.95) * 1000:8.1f}"
                f" {percentile(took, 0.99) * 1000:8.1f} {max(took) * 1000:8.1f}  "
                + ", ".join(f"{k}: {v}" for k, v in answers.most_common())
            )
        after, cpu_after = memory(pid), cpu(pid)
    print(
        f"\nCPU seconds after warm-up: main process {cpu_after[0] - cpu_before[0]:.1f}, "
        f"its child processes (search workers) {cpu_after[1] - cpu_before[1]:.1f}; "
        f"load average at the end {os.getloadavg()[0]:.1f}"
    )
    print(
        f"memory after warm-up: main process RSS {before[0] / 1024:.0f} MiB, PSS with its {before[2]} child "
        f"processes {before[1] / 1024:.0f} MiB; at the end {after[0] / 1024:.0f} MiB and {after[1] / 1024:.0f} MiB "
        f"(growth {(after[0] / before[0] - 1) * 100:+.1f} % and {(after[1] / before[1] - 1) * 100:+.1f} %)"
    )


def agent_token(env: dict[str, str]) -> dict[str, str]:
    """A bearer header of a new agent of the running service, made with its own command line."""
    command = [sys.executable, "-m", "servicecenter"]
    subprocess.run(
        [*command, "user", "add", "soak-agent", "--role", "agent"],
        env=env,
        input="soak-passwort-1\n",
        text=True,
        check=True,
        capture_output=True,
    )
    token = subprocess.run(
        [*command, "token", "create", "soak-agent"], env=env, text=True, check=True, capture_output=True
    ).stdout.split()[-1]
    return {"Authorization": f"Bearer {token}"}


def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        port = _free_port()
        env = {
            **os.environ,
            "SERVICECENTER_DATA_DIR": str(Path(tmp) / "data"),
            "SERVICECENTER_LOG_FORMAT": "json",
            "SERVICECENTER_LOG_LEVEL": "warning",
        }
        env.pop("SERVICECENTER_DATABASE_URL", None)
        if args.workers:
            env["SERVICECENTER_SEARCH_WORKERS"] = str(args.workers)
        base = f"http://127.0.0.1:{port}"
        service = _start(
            [sys.executable, "-m", "servicecenter", "serve", "--host", "127.0.0.1", "--port", str(port)],
            f"{base}/readyz",
            env,
        )
        try:
            print(
                f"servicecenter serve (pid {service.pid}) on {base}, {os.cpu_count()} cores; mix "
                + ", ".join(f"{name} {share:.0%}" for name, share in MIX)
                + f"; warm-up {args.warmup:g} s; load average {os.getloadavg()[0]:.1f}"
            )
            asyncio.run(soak(base, service.pid, args, agent_token(env)))
        finally:
            _stop(service)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=20, help="mixed requests per second (default 20)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of mixed load (default 60)")
    parser.add_argument(
        "--storm", type=float, default=30, help="seconds of mixed load with the storm (default 30)"
    )
    parser.add_argument("--warmup", type=float, default=10, help="seconds of uncounted warm-up (default 10)")
    parser.add_argument(
        "--storm-clients", type=int, default=8, help="clients sending costly queries (default 8)"
    )
    parser.add_argument("--workers", type=int, help="SERVICECENTER_SEARCH_WORKERS for the service")
    parser.add_argument("--seed", type=int, default=11, help="seed of the request sequence")
    main(parser.parse_args())
