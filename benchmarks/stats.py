"""Call statistics at the size of a year: ACD ingest rate and `GET /api/v1/stats` latency.

A 40-seat center for a year (2025): about 1,900 calls a working day, 08:00–18:00, as Asterisk's queue_log
lines (ENTERQUEUE, RINGNOANSWER, CONNECT, COMPLETE…, ABANDON, EXITWITHTIMEOUT; ~1.5 million lines), posted
to the real service over loopback in chronological batches, as the forwarder sends them; the dedupe
hashes are pruned once a simulated day (in service: every ten minutes), and that time counts as ingest. The routing
decisions and wrap-ups of the same calls are added to their counters the way the background flush does.
Then the statistics of a month by day and of the year by week are asked for, again and again.

    .venv/bin/python -m benchmarks.stats [--batch 5000] [--rounds 40]
    SERVICECENTER_DATABASE_URL=postgresql+asyncpg://… .venv/bin/python -m benchmarks.stats   (an empty database)

Targets: ingest ≥ 20,000 lines/s; stats p95 < 100 ms. Client and service share this process, so both are
also given in this process's CPU time (client, service and SQLite; not a PostgreSQL server's): on a busy
machine those figures are the steadier ones.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
from aiohttp import web

from knowledge import accounts
from knowledge.accounts import Role
from knowledge.calendar import BERLIN
from knowledge.statistics.counters import DECISIONS, OUTCOMES, Counts, add_counts
from knowledge.statistics.slots import slot_of
from servicecenter.app import create_app
from servicecenter.auth import hash_password
from servicecenter.keys import SESSIONMAKER, STATS_RECORDER
from servicecenter.settings import Settings

YEAR = 2025
CALLS_PER_DAY = 1900
HOURLY = [0, 0, 0, 0, 0, 0, 0, 0, 14, 16, 15, 13, 8, 7, 9, 8, 6, 4]
"""Share of the day's calls per hour (08–17)."""
POOLS = {
    "emh-bernkastel-wittlich": ("07231", "06571", "+49 6571 14-0"),
    "emh-bitburg-pruem": ("07232", "06561", "+49 6561 15-0"),
    "emh-cochem-zell": ("07135", "02671", "+49 2671 61-0"),
    "emh-vulkaneifel": ("07233", "06592", "+49 6592 933-0"),
}
SERVICES = [f"leistung-{i:03d}" for i in range(120)]
OUTCOMES_WEIGHTED = (
    ["solved"] * 68 + ["forwarded"] * 14 + ["transferred"] * 10 + ["callback"] * 6 + ["misrouted"] * 2
)


def _calls(day: dt.date, rng: random.Random) -> Iterator[tuple[int, str, str, str, str, dict]]:
    """(entry epoch, call id, pool, line, county, what happened) of one working day's calls."""
    start = dt.datetime.combine(day, dt.time(8), BERLIN).timestamp()
    for n in range(int(CALLS_PER_DAY * rng.uniform(0.8, 1.2))):
        hour = rng.choices(range(len(HOURLY)), HOURLY)[0]
        entered = int(start + (hour - 8) * 3600 + rng.random() * 3600)
        pool = rng.choice([*POOLS, "emh-all"]) if rng.random() < 0.9 else "emh-all"
        line = "115" if rng.random() < 0.6 else "switchboard"
        county = POOLS[pool][0] if pool in POOLS else rng.choice([c for c, _, _ in POOLS.values()])
        wait = int(rng.expovariate(1 / 22))
        fate = rng.random()
        outcome = {"end": "abandon" if fate < 0.07 else "exit" if fate < 0.09 else "answer", "wait": wait}
        outcome["talk"] = int(rng.expovariate(1 / 190)) + 20
        outcome["caller"] = rng.randint(10_000, 999_999)
        outcome["agent"] = rng.randrange(40)
        yield entered, f"{int(entered)}.{n}", pool, line, county, outcome


def _lines(
    entered: int, call_id: str, pool: str, line: str, county: str, what: dict
) -> list[tuple[int, int, str]]:
    """The call's queue_log lines as (time, order within the call, line): sorting keeps Asterisk's order."""
    events = _events(entered, call_id, pool, line, county, what)
    return [(epoch, n, text) for n, (epoch, text) in enumerate(events)]


def _events(
    entered: int, call_id: str, pool: str, line: str, county: str, what: dict
) -> list[tuple[int, str]]:
    """The call's events as (time, queue_log line), in the order Asterisk writes them."""
    area = next((code for c, code, _ in POOLS.values() if c == county), "06592")
    called = "115" if line == "115" else next(s for c, _, s in POOLS.values() if c == county)
    url = f"https://sc.example/?called={called.replace('+', '%2B').replace(' ', '%20')}"
    lines = [(entered, f"{entered}|{call_id}|{pool}|NONE|ENTERQUEUE|{url}|{area}{what['caller']}|1")]
    wait = what["wait"]
    if what["end"] == "abandon":
        return [*lines, (entered + wait, f"{entered + wait}|{call_id}|{pool}|NONE|ABANDON|1|1|{wait}")]
    if what["end"] == "exit":
        return [*lines, (entered + 300, f"{entered + 300}|{call_id}|{pool}|NONE|EXITWITHTIMEOUT|1|1|300")]
    agent = f"SIP/agent{what['agent']:02d}"
    if wait > 15:
        lines.append((entered + 15, f"{entered + 15}|{call_id}|{pool}|{agent}|RINGNOANSWER|15000"))
    connected, ended = entered + wait, entered + wait + what["talk"]
    lines.append((connected, f"{connected}|{call_id}|{pool}|{agent}|CONNECT|{wait}|{call_id}9|2"))
    who = "COMPLETECALLER" if what["talk"] % 2 else "COMPLETEAGENT"
    lines.append((ended, f"{ended}|{call_id}|{pool}|{agent}|{who}|{wait}|{what['talk']}|1"))
    return lines


def _working_days() -> Iterator[dt.date]:
    day = dt.date(YEAR, 1, 1)
    while day.year == YEAR:
        if day.weekday() < 5:
            yield day
        day += dt.timedelta(days=1)


async def _token(sessionmaker, name: str, role: Role) -> dict:
    async with sessionmaker.begin() as session:
        user = await accounts.add_user(
            session, name=name, role=role, county=None, password_hash=hash_password("x" * 16)
        )
        return {"Authorization": f"Bearer {await accounts.create_token(session, user=user)}"}


def _counters(calls: list[tuple], rng: random.Random) -> tuple[Counts, Counts]:
    """The decisions and wrap-ups of a day's calls, as the recorder's flush writes them."""
    decisions: Counts = {}
    outcomes: Counts = {}
    for entered, _, pool, line, county, what in calls:
        slot = slot_of(entered)
        rule = "115-by-caller-area" if line == "115" else "switchboard-by-called-county"
        key = (slot, line, county, pool, rule, "pool", True, pool == "emh-all")
        decisions[key] = [decisions.get(key, [0])[0] + 1]
        if what["end"] == "answer":
            service = SERVICES[min(int(rng.paretovariate(1.2)) - 1, len(SERVICES) - 1)]
            key = (slot, line, county, pool, service, rng.choice(OUTCOMES_WEIGHTED))
            outcomes[key] = [outcomes.get(key, [0])[0] + 1]
    return decisions, outcomes


async def main(batch: int, rounds: int) -> None:
    url = os.environ.get("SERVICECENTER_DATABASE_URL")
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir), database_url=url, acd_dedupe_days=8))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        sessionmaker = app[SESSIONMAKER]
        pbx = await _token(sessionmaker, "telefonanlage", Role.pbx) | {"Content-Type": "text/plain"}
        lead = await _token(sessionmaker, "teamleitung", Role.supervisor)
        rng = random.Random(115)
        sent = posting = cpu = flushing = 0.0
        pending: list[tuple[int, int, str]] = []
        month = 1
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:

            async def post(lines: list[tuple[int, int, str]]) -> tuple[float, float]:
                body = "".join(f"{text}\n" for _, _, text in lines).encode()
                began, began_cpu = time.perf_counter(), time.process_time()
                async with http.post("/api/v1/acd/events", data=body, headers=pbx) as response:
                    assert response.status == 200, await response.text()
                    await response.read()
                return time.perf_counter() - began, time.process_time() - began_cpu

            for day in _working_days():
                calls = list(_calls(day, rng))
                for call in calls:
                    pending.extend(_lines(*call))
                pending.sort()
                while len(pending) >= batch:
                    wall, used = await post(pending[:batch])
                    posting, cpu, sent = posting + wall, cpu + used, sent + batch
                    pending = pending[batch:]
                began, began_cpu = time.perf_counter(), time.process_time()
                await app[STATS_RECORDER].prune()  # every 10 minutes in service; here once a simulated day
                posting, cpu = posting + time.perf_counter() - began, cpu + time.process_time() - began_cpu
                decisions, outcomes = _counters(calls, rng)
                began = time.perf_counter()
                async with sessionmaker.begin() as session:
                    await add_counts(session, DECISIONS, decisions)
                    await add_counts(session, OUTCOMES, outcomes)
                flushing += time.perf_counter() - began
                if day.month != month and sent:
                    print(f"… until {day}: {int(sent):,} lines, {sent / posting:,.0f} lines/s", flush=True)
                month = day.month
            if pending:
                wall, used = await post(pending)
                posting, cpu, sent = posting + wall, cpu + used, sent + len(pending)
            print(f"database {'PostgreSQL' if url else 'SQLite'}; batches of {batch} lines")
            print(
                f"ingest: {int(sent):,} queue_log lines in {posting:.1f} s = {sent / posting:,.0f} lines/s "
                f"({sent / cpu:,.0f} lines per CPU second)"
            )
            print(
                f"counter flush (decisions and wrap-ups of a day per transaction): {flushing:.1f} s for the year"
            )

            async def latency(params: dict) -> tuple[list[float], list[float]]:
                timings, used = [], []
                for i in range(rounds + 3):
                    began, began_cpu = time.perf_counter(), time.process_time()
                    async with http.get("/api/v1/stats", params=params, headers=lead) as response:
                        assert response.status == 200, await response.text()
                        await response.read()
                    if i >= 3:
                        timings.append((time.perf_counter() - began) * 1000)
                        used.append((time.process_time() - began_cpu) * 1000)
                return sorted(timings), sorted(used)

            for label, params in (
                ("a month by day", {"from": f"{YEAR}-03-01", "to": f"{YEAR}-03-31", "by": "day"}),
                ("a year by week", {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31", "by": "week"}),
                (
                    "a year by week, one county",
                    {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31", "by": "week", "county": "07233"},
                ),
                ("a day by hour", {"from": f"{YEAR}-03-04", "to": f"{YEAR}-03-04", "by": "hour"}),
            ):
                timings, used = await latency(params)
                p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
                cpu_p95 = used[min(len(used) - 1, int(len(used) * 0.95))]
                print(
                    f"GET /api/v1/stats {label}: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms "
                    f"(CPU of this process: median {statistics.median(used):.1f} ms, p95 {cpu_p95:.1f} ms)"
                )
        await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--batch", type=int, default=5000, help="lines per POST (default 5000)")
    parser.add_argument("--rounds", type=int, default=40, help="requests per stats question (default 40)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.batch, arguments.rounds))
