"""GET /metrics: Prometheus text with routing, search, pool-state and backlog figures, nothing personal,
for the allowed networks only."""

from __future__ import annotations

import re
from ipaddress import ip_network

from servicecenter.app import create_app
from servicecenter.keys import ENGINE
from servicecenter.settings import Settings

CALLER = "+49 6592 987123"
CALL = {"called": "115", "caller": CALLER, "at": "2026-11-23T09:30:00+01:00"}


def _value(text: str, sample: str) -> float:
    """The value of one sample line (`name{labels}`) of the exposition."""
    match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    assert match, f"no sample {sample}"
    return float(match.group(1))


async def test_metrics_count_routing_and_search_and_report_state(client, make_user) -> None:
    pbx = await make_user("acd", "pbx")
    for _ in range(3):
        assert (await client.get("/api/v1/route", params=CALL)).status == 200
    after_hours = {**CALL, "at": "2026-11-23T22:30:00+01:00"}
    assert (await client.get("/api/v1/route", params=after_hours)).status == 200
    assert (await client.get("/api/v1/route", params={"called": "0800 000"})).status == 422
    assert (await client.get("/api/v1/search", params={"q": "Personalausweis"})).status == 200
    busy = {"agents_available": 0, "calls_waiting": 4, "longest_wait_s": 45.0}
    assert (await client.put("/api/v1/pools/emh-vulkaneifel/state", json=busy, headers=pbx)).status == 200

    response = await client.get("/metrics")
    assert response.status == 200
    assert response.content_type == "text/plain"
    text = await response.text()
    assert _value(text, 'servicecenter_route_decisions_total{line="115",outcome="routed"}') == 3
    assert _value(text, 'servicecenter_route_decisions_total{line="115",outcome="after_hours"}') == 1
    assert _value(text, 'servicecenter_route_decisions_total{line="unknown",outcome="rejected"}') == 1
    assert _value(text, 'servicecenter_route_seconds_count{line="115",outcome="routed"}') == 3
    assert _value(text, "servicecenter_search_seconds_count") == 1
    assert 0 <= _value(text, 'servicecenter_pool_state_age_seconds{pool="emh-vulkaneifel"}') < 120
    assert _value(text, "servicecenter_database_up") == 1
    assert _value(text, 'servicecenter_tickets_backlog{state="open"}') == 0
    assert _value(text, "servicecenter_mail_outbox_backlog") == 0
    assert _value(text, "servicecenter_search_index_revision") == _value(
        text, "servicecenter_catalogue_revision"
    )
    assert "987123" not in text and "6592" not in text, "no caller number in any label or value"


async def test_metrics_report_the_database_down_and_still_answer(client, cut_database) -> None:
    await cut_database(client.app[ENGINE])
    response = await client.get("/metrics")
    assert response.status == 200
    assert _value(await response.text(), "servicecenter_database_up") == 0


async def test_metrics_are_refused_outside_the_allowed_networks(aiohttp_client, settings: Settings) -> None:
    elsewhere = await aiohttp_client(
        create_app(settings.model_copy(update={"metrics_networks": [ip_network("10.0.0.0/8")]}))
    )
    response = await elsewhere.get("/metrics")
    assert response.status == 403
    assert response.content_type == "application/problem+json"


async def test_a_request_forwarded_by_the_load_balancer_from_outside_is_refused(
    aiohttp_client, settings
) -> None:
    """Behind HAProxy on the same machine every peer is loopback: the forwarded client address counts."""
    proxied = await aiohttp_client(
        create_app(settings.model_copy(update={"trusted_proxies": [ip_network("127.0.0.1/32")]}))
    )
    assert (await proxied.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})).status == 403
    assert (await proxied.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})).status == 200
