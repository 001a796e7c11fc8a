"""The PBX's answer never waits behind a search: search runs in worker processes, routing in the service.

Shown without timing: a stopped search worker holds up searches but no routing decision, a storm of
expensive queries against the real `servicecenter serve` leaves every decision correct and no search
with a 5xx other than a clean 503, and the workers start and stop with the service.
"""

import asyncio
import os
import signal
import time
from pathlib import Path

import aiohttp

from servicecenter.app import create_app
from servicecenter.keys import SEARCH_INDEX

MONDAY_MORNING = "2026-11-23T09:30:00+01:00"
COCHEM_CALL = {"called": "115", "caller": "+49 2671 555123", "at": MONDAY_MORNING}
EXPENSIVE_QUERIES = ["ß" * 200, "ä" * 200, "x" * 200]
"""The costliest queries known (one 200-letter word: typo correction and compound splitting work hard)."""
STORM_CLIENTS = 8
ROUTE_REQUESTS = 40


def _worker_pid(searcher) -> int:
    return os.getpid()


async def _route_target(http, url: str) -> str:
    async with http.get(f"{url}/api/v1/route", params=COCHEM_CALL) as response:
        assert response.status == 200, await response.text()
        return (await response.json())["target"]["id"]


async def test_routing_answers_while_the_search_worker_is_stopped(aiohttp_client, settings) -> None:
    client = await aiohttp_client(create_app(settings.model_copy(update={"search_workers": 1})))
    worker = await client.app[SEARCH_INDEX].read(_worker_pid)
    os.kill(worker, signal.SIGSTOP)
    try:
        search = asyncio.create_task(client.get("/api/v1/search", params={"q": "Personalausweis"}))
        for _ in range(20):
            response = await client.get("/api/v1/route", params=COCHEM_CALL)
            assert response.status == 200
            assert (await response.json())["target"]["id"] == "emh-cochem-zell"
        assert not search.done(), "the search cannot have been answered: its worker is stopped"
    finally:
        os.kill(worker, signal.SIGCONT)
    response = await search
    assert response.status == 200
    assert (await response.json())["hits"][0]["id"] == "personalausweis-beantragen"


async def test_a_dead_search_worker_costs_one_503_and_is_replaced(aiohttp_client, settings) -> None:
    client = await aiohttp_client(create_app(settings.model_copy(update={"search_workers": 1})))
    worker = await client.app[SEARCH_INDEX].read(_worker_pid)
    os.kill(worker, signal.SIGKILL)
    refused = await client.get("/api/v1/search", params={"q": "Personalausweis"})
    assert refused.status == 503
    assert refused.content_type == "application/problem+json"
    assert "Suche" in (await refused.json())["detail"]
    assert refused.headers["Retry-After"]
    answered = await client.get("/api/v1/search", params={"q": "Personalausweis"})
    assert answered.status == 200
    assert (await answered.json())["hits"][0]["id"] == "personalausweis-beantragen"


def _children(pid: int) -> set[int]:
    """Every living descendant of `pid` (zombies count as gone), from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


async def test_a_search_storm_leaves_every_routing_decision_correct(start_service) -> None:
    service = start_service(SERVICECENTER_SEARCH_WORKERS="1")
    workers = _children(service.process.pid)
    assert workers, "the search workers run beside the service"
    storm_answered, routes_done = asyncio.Event(), asyncio.Event()
    storm: list[tuple[int, str, float, float]] = []

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=STORM_CLIENTS + 2)) as http:

        async def storm_client(n: int) -> None:
            """Costly queries back to back until the routing decisions are done (each bounded by the
            client's timeout)."""
            i = n
            while not routes_done.is_set():
                q = EXPENSIVE_QUERIES[i % len(EXPENSIVE_QUERIES)]
                i += 1
                started = time.monotonic()
                async with http.get(f"{service.url}/api/v1/search", params={"q": q}) as response:
                    storm.append((response.status, response.content_type, started, time.monotonic()))
                storm_answered.set()

        clients = [asyncio.create_task(storm_client(n)) for n in range(STORM_CLIENTS)]
        await storm_answered.wait()
        first_route = time.monotonic()
        targets = [await _route_target(http, service.url) for _ in range(ROUTE_REQUESTS)]
        last_route = time.monotonic()
        routes_done.set()
        await asyncio.gather(*clients)

    assert targets == ["emh-cochem-zell"] * ROUTE_REQUESTS
    assert any(start < first_route for _, _, start, _ in storm), "the storm was on before the first decision"
    assert any(end > last_route for _, _, _, end in storm), "and still on after the last one"
    assert {status for status, *_ in storm} <= {200, 503}
    assert all(kind == "application/problem+json" for status, kind, *_ in storm if status == 503)
    assert not any(line.get("level") == "error" for line in service.log_lines())
    service.stop()
    assert _gone_soon(workers), "no search worker outlives the service"


def _gone_soon(pids: set[int], seconds: float = 10) -> bool:
    """Whether `pids` have all exited within `seconds` (the fork server leaves once the service has)."""
    deadline = time.monotonic() + seconds
    while any(_living(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _living(pid: int) -> bool:
    """Whether `pid` runs (a zombie has exited, it only waits for its parent)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
