"""`servicecenter serve --workers N [--route-port P]`: how many, refused on SQLite, and N real processes
(and the routing process) acting as one."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from servicecenter.cli import main
from servicecenter.settings import Settings
from servicecenter.workers import WorkerCountError, resolve_workers
from tests.conftest import free_port

POSTGRES = "postgresql+asyncpg://sc@127.0.0.1:1/sc"
DEADLINE_S = 30.0
CALL = {"called": "115", "caller": "06592 1234", "at": "2026-11-23T09:30:00+01:00"}
BUSY = {"agents_available": 0, "calls_waiting": 4, "longest_wait_s": 45.0}
SERVICE = "/api/v1/services/personalausweis-beantragen"


def test_the_default_is_every_core_on_postgresql_and_one_on_sqlite(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SERVICECENTER_WORKERS", raising=False)
    assert resolve_workers(Settings(data_dir=tmp_path, database_url=POSTGRES), None) == (os.cpu_count() or 1)
    assert resolve_workers(Settings(data_dir=tmp_path, database_url=None), None) == 1
    assert resolve_workers(Settings(data_dir=tmp_path, database_url=POSTGRES, workers=3), None) == 3
    assert resolve_workers(Settings(data_dir=tmp_path, database_url=POSTGRES, workers=3), 2) == 2


def test_several_workers_on_sqlite_are_refused_with_the_reason(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("SERVICECENTER_DATABASE_URL", raising=False)
    with pytest.raises(WorkerCountError, match="PostgreSQL"):
        resolve_workers(Settings(data_dir=tmp_path, database_url=None), 2)
    assert main(["serve", "--workers", "2", "--data-dir", str(tmp_path), "--port", "1"]) == 2
    assert "PostgreSQL" in capsys.readouterr().err
    assert not (tmp_path / "servicecenter.db").exists(), "nothing was started"


def test_a_routing_process_on_sqlite_is_refused_with_the_reason(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("SERVICECENTER_DATABASE_URL", raising=False)
    monkeypatch.delenv("SERVICECENTER_WORKERS", raising=False)
    with pytest.raises(WorkerCountError, match="PostgreSQL"):
        resolve_workers(Settings(data_dir=tmp_path, database_url=None, route_port=8116), None)
    with pytest.raises(WorkerCountError, match="differ"):
        resolve_workers(Settings(data_dir=tmp_path, database_url=POSTGRES, port=8116, route_port=8116), None)
    assert main(["serve", "--route-port", "2", "--data-dir", str(tmp_path), "--port", "1"]) == 2
    assert "PostgreSQL" in capsys.readouterr().err
    assert not (tmp_path / "servicecenter.db").exists(), "nothing was started"


async def _until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE_S} s: {what}")
        await asyncio.sleep(0.05)


async def _on_one_worker(base: str, path: str, **params: str) -> tuple[int, dict]:
    """(worker index, JSON answer of `path`), both over one new connection, so from the same worker."""
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(base, connector=connector) as http:
        async with http.get("/readyz") as ready:
            worker = (await ready.json())["worker"]["index"]
        async with http.get(path, params=params) as response:
            assert response.status == 200, await response.text()
            return worker, await response.json()


@pytest.mark.skipif(
    not os.environ.get("SERVICECENTER_TEST_DATABASE_URL"), reason="several workers need PostgreSQL"
)
async def test_two_workers_share_the_port_pool_state_and_the_search_index(start_service, make_user) -> None:
    service = start_service(SERVICECENTER_WORKERS="2", SERVICECENTER_SEARCH_WORKERS="1")
    base = service.url
    pbx = await make_user("acd", "pbx")
    editor = await make_user("cora", "catalogue_editor")
    targets: dict[int, str] = {}
    found: dict[int, bool] = {}
    routes = 0

    async def both_route_to(expected: str) -> bool:
        nonlocal routes
        routes += 1
        worker, decision = await _on_one_worker(base, "/api/v1/route", **CALL)
        targets[worker] = decision["target"]["id"]
        return set(targets) == {0, 1} and set(targets.values()) == {expected}

    await _until(lambda: both_route_to("emh-vulkaneifel"), "both workers answer on the one port")

    async with aiohttp.ClientSession(base) as http:
        async with http.put("/api/v1/pools/emh-vulkaneifel/state", json=BUSY, headers=pbx) as response:
            assert response.status == 200
        async with http.get(SERVICE) as current:
            tag = current.headers["ETag"]
        changed = {"title": "Personalausweis beantragen (Quokkaschalter)"}
        async with http.patch(SERVICE, json=changed, headers={**editor, "If-Match": tag}) as response:
            assert response.status == 200, await response.text()

    await _until(lambda: both_route_to("emh-all"), "a pool report to one worker reaches both")

    async def both_find_the_new_title() -> bool:
        worker, result = await _on_one_worker(base, "/api/v1/search", q="Quokkaschalter")
        found[worker] = any("Quokkaschalter" in hit["title"] for hit in result["hits"])
        return set(found) == {0, 1} and all(found.values())

    await _until(both_find_the_new_title, "the index written by worker 0 is read by both")

    async with aiohttp.ClientSession(base) as http, http.get("/metrics") as response:
        text = await response.text()
    routed = sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("servicecenter_route_decisions_total{")
    )
    assert routed == routes, "a scrape of one worker adds up the route counts of both"
    assert "06592" not in text


@pytest.mark.skipif(
    not os.environ.get("SERVICECENTER_TEST_DATABASE_URL"), reason="the routing process needs PostgreSQL"
)
async def test_the_routing_process_answers_the_pbx_on_its_own_port_as_one_service(
    start_service, make_user
) -> None:
    route_port = free_port()
    service = start_service(SERVICECENTER_ROUTE_PORT=str(route_port), SERVICECENTER_SEARCH_WORKERS="1")
    pbx_port = f"http://127.0.0.1:{route_port}"
    acd = await make_user("acd", "pbx")

    async def route_via(base: str) -> dict | None:
        async with aiohttp.ClientSession(base) as http, http.get("/api/v1/route", params=CALL) as response:
            return await response.json() if response.status == 200 else None

    async def answers() -> bool:
        try:
            return await route_via(pbx_port) is not None
        except aiohttp.ClientConnectionError:
            return False

    await _until(answers, "the routing process listens on its port")
    async with aiohttp.ClientSession(pbx_port) as http:
        async with http.get("/readyz") as ready:
            assert (await ready.json())["worker"]["routing_only"] is True
        for path in ("/api/v1/search?q=Personalausweis", "/", "/api/v1/units"):
            async with http.get(path) as response:
                assert response.status == 404, f"{path} is not answered on the PBX's port"
    decision = await route_via(pbx_port)
    assert decision is not None and decision["target"]["id"] == "emh-vulkaneifel"

    async def readable_on_the_main_port() -> bool:
        path = f"/api/v1/decisions/{decision['decision_id']}"
        async with aiohttp.ClientSession(service.url) as http, http.get(path) as response:
            return response.status == 200 and (await response.json())["target"] == decision["target"]

    await _until(
        readable_on_the_main_port, "the agent's screen pop reads the PBX's decision on the main port"
    )

    report = "/api/v1/pools/emh-vulkaneifel/state"
    async with (
        aiohttp.ClientSession(service.url) as http,
        http.put(report, json=BUSY, headers=acd) as response,
    ):
        assert response.status == 200

    async def overflows() -> bool:
        answer = await route_via(pbx_port)
        return answer is not None and answer["target"]["id"] == "emh-all"

    await _until(overflows, "a pool report to the main port reaches the routing process")

    started = [line for line in service.log_lines() if line.get("event") == "worker_started"]
    routing_pid = next(line["pid"] for line in started if line["routing_only"])
    os.kill(routing_pid, signal.SIGKILL)

    async def restarted() -> bool:
        lines = [line for line in service.log_lines() if line.get("event") == "worker_started"]
        return len(lines) > len(started) and await answers()

    await _until(restarted, "the supervisor starts the routing process again")
    assert (await route_via(pbx_port))["target"]["id"] == "emh-all", "it starts with the shared pool state"
    assert (await route_via(service.url))["target"]["id"] == "emh-all"
