"""The agents' worklist at scale: 100,000 tickets, then "open tickets of one county, due first, first page".

    .venv/bin/python -m benchmarks.tickets [--count 100000] [--rounds 300] [--postgres URL]

On a fresh data dir with the demo catalogue (SQLite), and with `--postgres` (or SERVICECENTER_TEST_DATABASE_URL)
on a fresh database created on that server and dropped afterwards. Tickets are spread like a year of
work: 80 % closed, 4 % answered, 6 % forwarded, 10 % open, over the four counties. Measured: the store
query (`knowledge.tickets.store.list_tickets`, 50 rows) and the same over HTTP (`GET /api/v1/tickets`,
an agent's token), p50 and p95; the query plan shows the index used. Prints numbers, never pass/fail.
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
import uuid
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import insert, make_url, select, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlmodel import col

from knowledge import accounts
from knowledge.accounts import Role
from knowledge.catalogue.models import Unit
from knowledge.tickets import store
from knowledge.tickets.models import Ticket, TicketKind, TicketState
from servicecenter.app import create_app
from servicecenter.bootstrap import open_database
from servicecenter.logs import configure_logging
from servicecenter.settings import Settings

COUNTIES = ("07231", "07232", "07135", "07233")
STATES = (TicketState.closed, TicketState.answered, TicketState.forwarded, TicketState.open)
WEIGHTS = (0.80, 0.04, 0.06, 0.10)
BATCH = 5_000
PAGE = 50


def _tickets(count: int, units: list[str], seed: int = 115) -> list[dict]:
    """`count` ticket rows spread over the last year and the counties, reproducible by `seed`."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    rows = []
    for i in range(count):
        created = now - dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        state = rng.choices(STATES, WEIGHTS)[0]
        kind = rng.choice(tuple(TicketKind))
        rows.append(
            {
                "id": uuid.UUID(int=rng.getrandbits(128)).hex,
                "kind": kind,
                "state": state,
                "county": rng.choice(COUNTIES),
                "unit_id": rng.choice(units) if kind is not TicketKind.callback else None,
                "summary": f"Synthetische Frage {i}: Unterlagen, Gebühren und Termine",
                "consent": False,
                "created_by": "benchmark",
                "created_at": created,
                "warn_at": created + dt.timedelta(hours=40),
                "due_at": created + dt.timedelta(hours=48 + rng.randrange(48)),
                "closed_at": created + dt.timedelta(days=2) if state is TicketState.closed else None,
                "version": 1,
            }
        )
    return rows


async def _fill(settings: Settings, count: int, rounds: int) -> str:
    """Migrate, load the demo catalogue, insert `count` tickets; return an agent's bearer token."""
    engine, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker.begin() as session:
            units = list((await session.scalars(select(col(Unit.id)))).all())
            user = await accounts.add_user(
                session, name="bench", role=Role.agent, county=None, password_hash="!"
            )
            token = await accounts.create_token(session, user=user)
        started = time.perf_counter()
        rows = _tickets(count, units)
        for start in range(0, count, BATCH):
            async with sessionmaker.begin() as session:
                await session.execute(insert(Ticket), rows[start : start + BATCH])
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
        print(f"  {count:,} tickets inserted in {time.perf_counter() - started:.1f} s")
        async with sessionmaker() as session:
            await _plan(session)
            times = []
            for i in range(rounds):
                began = time.perf_counter()
                await store.list_tickets(
                    session, states=(TicketState.open,), county=COUNTIES[i % 4], limit=PAGE
                )
                times.append(time.perf_counter() - began)
        _report("store query", times)
    finally:
        await engine.dispose()
    return token


async def _plan(session: AsyncSession) -> None:
    """The database's plan for the worklist query, to see the index at work."""
    statement = store.worklist_statement(states=(TicketState.open,), county="07135", limit=PAGE)
    dialect = session.get_bind().dialect
    compiled = statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if dialect.name == "sqlite" else "EXPLAIN "
    plan = (await session.execute(text(prefix + str(compiled)))).all()
    print("  plan: " + " | ".join(str(row[-1]) for row in plan))


async def _http(settings: Settings, token: str, rounds: int) -> None:
    """The same query through the API, as the worklist page's reader would ask it."""
    server = TestServer(create_app(settings.model_copy(update={"ticket_worker": False})), host="127.0.0.1")
    await server.start_server()
    try:
        headers = {"Authorization": f"Bearer {token}"}
        async with aiohttp.ClientSession() as client:
            times = []
            for i in range(rounds):
                began = time.perf_counter()
                url = server.make_url(f"/api/v1/tickets?state=open&county={COUNTIES[i % 4]}&limit={PAGE}")
                async with client.get(url, headers=headers) as response:
                    assert response.status == 200, await response.text()
                    assert await response.json(), "the page is empty"
                times.append(time.perf_counter() - began)
        _report("GET /api/v1/tickets", times)
    finally:
        await server.close()


def _report(what: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times[10:])  # the first rounds warm caches
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(f"  {what}: p50 {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms ({len(ms)} rounds)")


async def _run(name: str, settings: Settings, count: int, rounds: int) -> None:
    print(f"{name}:")
    token = await _fill(settings, count, rounds)
    await _http(settings, token, rounds)


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def main(count: int, rounds: int, postgres: str | None) -> None:
    configure_logging(log_format="console", level="warning")
    with tempfile.TemporaryDirectory(prefix="sc-bench-tickets-") as tmp:
        await _run("SQLite", Settings(data_dir=Path(tmp) / "sqlite", database_url=None), count, rounds)
        if postgres:
            name = f"sc_bench_tickets_{os.getpid()}"
            await _admin(postgres, f"CREATE DATABASE {name}")
            try:
                url = make_url(postgres).set(database=name).render_as_string(hide_password=False)
                await _run("PostgreSQL", Settings(data_dir=Path(tmp) / "pg", database_url=url), count, rounds)
            finally:
                await _admin(postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        else:
            print("PostgreSQL: skipped (no --postgres URL and no SERVICECENTER_TEST_DATABASE_URL)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--postgres", help="postgresql+asyncpg://user@host:port/db (needs CREATE DATABASE)")
    args = parser.parse_args()
    asyncio.run(
        main(args.count, args.rounds, args.postgres or os.environ.get("SERVICECENTER_TEST_DATABASE_URL"))
    )
