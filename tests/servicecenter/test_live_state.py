"""Two instances on one PostgreSQL database act as one: pool state, decisions, synonyms and their catch-up.

Each test runs two real applications (two aiohttp test servers, each with its own data dir and search
index) on the test's PostgreSQL database. Propagation is awaited by polling for the expected state with
a generous deadline, never by sleeping. SQLite is the single-instance default and shares nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import time
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from knowledge.live import store
from knowledge.live.models import PoolStateRecord
from knowledge.storage.db import create_engine, create_sessionmaker
from routing.decision_ids import new_decision_id
from servicecenter.app import create_app
from servicecenter.keys import CATALOGUE_FOLLOWER, ENGINE, LIVE_STATE
from servicecenter.settings import Settings

pytestmark = pytest.mark.skipif(
    not os.environ.get("SERVICECENTER_TEST_DATABASE_URL"),
    reason="instances share live state through PostgreSQL; SQLite is the single-instance default",
)

DEADLINE_S = 15.0
MONDAY_MORNING = "2026-11-23T09:30:00+01:00"
VULKANEIFEL_CALL = {"called": "115", "caller": "06592 1234", "at": MONDAY_MORNING}
BUSY = {"agents_available": 0, "calls_waiting": 4, "longest_wait_s": 45.0}
FREE = {"agents_available": 2, "calls_waiting": 0, "longest_wait_s": 0.0}
POOL = "/api/v1/pools/emh-vulkaneifel/state"


def _now(hours: float = 0) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll `condition` until it holds; fail naming `what` after DEADLINE_S (a bound, not a measurement)."""
    deadline = time.monotonic() + DEADLINE_S
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE_S} s: {what}")
        await asyncio.sleep(0.02)


@pytest.fixture
async def other(aiohttp_client, settings: Settings, tmp_path):
    """A second instance on the same database, with a data dir (and search index) of its own."""
    shutil.copytree(settings.data_dir, tmp_path / "other")
    return await aiohttp_client(create_app(settings.model_copy(update={"data_dir": tmp_path / "other"})))


async def _target(client) -> str:
    response = await client.get("/api/v1/route", params=VULKANEIFEL_CALL)
    assert response.status == 200, await response.text()
    return (await response.json())["target"]["id"]


async def _admin(statement: str) -> None:
    engine = create_async_engine(os.environ["SERVICECENTER_TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def test_a_pool_report_to_one_instance_changes_the_decisions_of_the_other(
    client, other, make_user
) -> None:
    pbx = await make_user("acd", "pbx")
    assert await _target(other) == "emh-vulkaneifel"
    assert (await client.put(POOL, json=BUSY, headers=pbx)).status == 200

    async def other_overflows() -> bool:
        return await _target(other) == "emh-all"

    await until(other_overflows, "the other instance sends Vulkaneifel's calls to the shared pool")
    pools = {p["id"]: p for p in await (await other.get("/api/v1/pools")).json()}
    assert pools["emh-vulkaneifel"]["state"]["calls_waiting"] == 4

    assert (await other.put(POOL, json=FREE, headers=pbx)).status == 200

    async def first_recovers() -> bool:
        return await _target(client) == "emh-vulkaneifel"

    await until(first_recovers, "the first instance takes the newer report made through the other")


async def test_a_decision_made_on_one_instance_is_read_through_the_other(client, other) -> None:
    decided = await (
        await client.get("/api/v1/route", params={**VULKANEIFEL_CALL, "caller": "+49 6592 555123"})
    ).json()
    response = await other.get(f"/api/v1/decisions/{decided['decision_id']}")  # waits for the write behind
    assert response.status == 200, await response.text()
    assert await response.json() == decided
    for page_path in ("/", "/vermittlung"):  # the agent's and the switchboard's screen pop
        page = await other.get(page_path, params={"call": decided["decision_id"]})
        assert page.status == 200, page_path
        assert "555123" not in await page.text()

    async with create_sessionmaker(client.app[ENGINE])() as session:
        record = await store.get_decision(session, decision_id=decided["decision_id"])
    assert record is not None and "555123" not in record.body, "the stored decision has no caller number"

    unknown = await other.get(f"/api/v1/decisions/{new_decision_id()}")
    assert unknown.status == 404, (
        "a fresh-looking id nobody made is unknown once its batch would have arrived"
    )


async def test_a_listener_that_lost_its_connection_catches_up_from_the_table(client, other) -> None:
    """A report stored without a notification (as if sent while the other was disconnected) is loaded
    when the other's listening connection is cut and comes back."""
    channel = other.app[LIVE_STATE].channel
    assert channel is not None

    async def listening() -> bool:
        return channel.connected

    await until(listening, "the other instance listens")
    connects = channel.connects
    missed = PoolStateRecord(pool_id="emh-vulkaneifel", **BUSY, updated_at=_now())
    async with create_sessionmaker(client.app[ENGINE]).begin() as session:
        await store.save_pool_states(session, states=[missed])
    assert await _target(other) == "emh-vulkaneifel", "nothing was announced"

    await _admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'servicecenter-live'"
    )

    async def caught_up() -> bool:
        return channel.connects > connects and await _target(other) == "emh-all"

    await until(caught_up, "the other instance reconnected and loaded the stored report")


async def test_reports_made_while_the_database_was_down_reach_the_other_instance_after_it(
    client, other, make_user, settings: Settings
) -> None:
    pbx = await make_user("acd", "pbx")
    assert (await client.put(POOL, json=FREE, headers=pbx)).status == 200  # the token is known from now on
    name = make_url(settings.database_url).database
    await _admin(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
    await _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    try:
        assert (await client.put(POOL, json=BUSY, headers=pbx)).status == 200
        assert await _target(client) == "emh-all", "routing answers from memory with the newest report"
        assert await _target(other) == "emh-vulkaneifel", "the other keeps the last state it knew"
        assert (await other.get("/readyz")).status == 503

        async def ready_to_route_without_the_database() -> bool:
            ready = await other.get("/readyz", params={"scope": "routing"})
            assert ready.status == 200, "the load balancer keeps an instance that routes"
            return (await ready.json())["checks"]["database"] == "unreachable"

        await until(ready_to_route_without_the_database, "the routing check reports the database away")
    finally:
        await _admin(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")

    async def other_overflows() -> bool:
        return await _target(other) == "emh-all"

    await until(other_overflows, "the report kept during the outage reaches the other instance")


async def test_synonyms_saved_through_one_instance_are_used_by_the_other(client, other, make_user) -> None:
    editor = await make_user("cora", "catalogue_editor")
    current = await client.get("/api/v1/synonyms", headers=editor)
    entries = {**(await current.json())["entries"], "perso weg": ["Personalausweis Verlust"]}
    saved = await client.put(
        "/api/v1/synonyms", json={"entries": entries}, headers={**editor, "If-Match": current.headers["ETag"]}
    )
    assert saved.status == 200, await saved.text()
    version = (await saved.json())["version"]

    async def followed() -> bool:
        return other.app[CATALOGUE_FOLLOWER].synonyms_version == version

    await until(followed, "the other instance searches with the new synonym list")


async def test_decisions_are_pruned_after_the_retention(settings: Settings) -> None:
    engine = create_engine(settings.database)
    sessions = create_sessionmaker(engine)
    try:
        old, new = ("a" * 32, _now(hours=-30), "{}"), ("b" * 32, _now(), "{}")
        async with sessions.begin() as session:
            await store.save_decisions(session, decisions=[old, new])
            await store.save_decisions(session, decisions=[new])  # a batch sent again changes nothing
        async with sessions.begin() as session:
            assert await store.prune_decisions(session, before=_now(hours=-24)) == 1
        async with sessions() as session:
            assert await store.get_decision(session, decision_id="a" * 32) is None
            assert await store.get_decision(session, decision_id="b" * 32) is not None
    finally:
        await engine.dispose()
