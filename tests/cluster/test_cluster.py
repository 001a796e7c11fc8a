"""Three instances behind HAProxy on one PostgreSQL database act as one service, also through the loss of one.

Under routing load through HAProxy's PBX frontend (to the instances' routing processes) and search load
through its main frontend: a pool report to one instance changes the decisions of the other two, a
decision made on one is read through another, and after one instance is killed with SIGKILL mid-load every
routing request still gets its answer (HAProxy retries it on another instance). Waits are bounded polls
for the expected state, never sleeps standing in for it.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import pytest

DEADLINE_S = 30.0
ROUTE = {"called": "115", "caller": "06592 1234", "at": "2026-11-23T09:30:00+01:00"}
BUSY = {"agents_available": 0, "calls_waiting": 4, "longest_wait_s": 45.0}


@dataclass
class Load:
    """What the load generator saw, per kind of request: statuses, and errors by type."""

    answers: dict[str, Counter] = field(default_factory=lambda: {"route": Counter(), "search": Counter()})

    def answered(self, kind: str) -> int:
        return self.answers[kind][200]

    def failures(self, kind: str) -> dict:
        return {status: n for status, n in self.answers[kind].items() if status != 200}


async def _loop(
    http: aiohttp.ClientSession, kind: str, path: str, params: dict, load: Load, stop: asyncio.Event
) -> None:
    while not stop.is_set():
        try:
            async with http.get(path, params=params) as response:
                await response.read()
                load.answers[kind][response.status] += 1
        except (aiohttp.ClientError, TimeoutError) as error:
            load.answers[kind][type(error).__name__] += 1
        await asyncio.sleep(0.005)  # bounded load: a few hundred requests a second at most


async def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not await asyncio.to_thread(condition):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE_S} s: {what}")
        await asyncio.sleep(0.05)


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def _target(instance_url: str) -> str:
    query = "&".join(f"{k}={v}".replace(" ", "%20").replace("+", "%2B") for k, v in ROUTE.items())
    return get_json(f"{instance_url}/api/v1/route?{query}")["target"]["id"]


async def test_three_instances_behind_haproxy_act_as_one(cluster) -> None:
    first, second, third = cluster.instances
    load, stop = Load(), asyncio.Event()
    timeout = aiohttp.ClientTimeout(total=15)
    async with (
        aiohttp.ClientSession(cluster.haproxy.url, timeout=timeout) as http,
        aiohttp.ClientSession(cluster.haproxy.pbx_url, timeout=timeout) as pbx,
    ):
        generators = [
            *(asyncio.create_task(_loop(pbx, "route", "/api/v1/route", ROUTE, load, stop)) for _ in range(4)),
            asyncio.create_task(
                _loop(http, "search", "/api/v1/search", {"q": "Personalausweis"}, load, stop)
            ),
        ]
        try:
            await _until(lambda: load.answered("route") > 50 and load.answered("search") > 5, "load flows")

            # a pool report to the first instance changes the decisions of the other two
            assert {_target(i.route_url) for i in cluster.instances} == {"emh-vulkaneifel"}
            async with aiohttp.ClientSession() as direct:
                put = await direct.put(
                    f"{first.url}/api/v1/pools/emh-vulkaneifel/state",
                    json=BUSY,
                    headers=cluster.headers("pbx"),
                )
                assert put.status == 200
            await _until(
                lambda: (
                    _target(second.route_url) == _target(third.route_url) == _target(third.url) == "emh-all"
                ),
                "the second and third instance overflow Vulkaneifel's calls",
            )

            # a decision the PBX got from the first instance's routing process is read through the second
            # instance's main port, where the agent's screen pop asks
            decided = get_json(f"{first.route_url}/api/v1/route?called=115&caller=anonymous")
            assert get_json(f"{second.url}/api/v1/decisions/{decided['decision_id']}") == decided
            # the PBX's frontend answers routing only
            with pytest.raises(urllib.error.HTTPError) as refused:
                get_json(f"{cluster.haproxy.pbx_url}/api/v1/search?q=Personalausweis")
            with refused.value:  # the error holds the answer's connection
                assert refused.value.code == 404

            # the third instance dies mid-load; HAProxy retries what was in flight and takes it out
            before = load.answered("route")
            third.kill()
            await _until(
                lambda: (
                    cluster.haproxy.servers("routing")["sc3"].startswith("DOWN")
                    and cluster.haproxy.servers()["sc3"].startswith("DOWN")
                ),
                "HAProxy marks sc3 down",
            )
            after_down = load.answered("route")
            await _until(lambda: load.answered("route") > after_down + 100, "routing flows on two instances")
        finally:
            stop.set()
            await asyncio.gather(*generators)

    assert load.answered("route") > before + 100
    assert load.failures("route") == {}, "no routing answer lost beyond HAProxy's retry"
    assert load.failures("search") == {}, "searches were answered throughout"
