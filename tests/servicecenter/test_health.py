"""Liveness and readiness, including the degraded state while the database is away."""

from servicecenter.keys import ENGINE


async def test_healthz(client) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_readyz_when_everything_is_loaded(client) -> None:
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 200, body
    assert body["checks"] == {"database": "ok", "search_index": "ok"}
    assert body["routing"]["rules"] >= 8


async def test_database_down_is_degraded_and_routing_still_answers(client, cut_database) -> None:
    await cut_database(client.server.app[ENGINE])
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 503
    assert body["status"] == "degraded" and body["checks"]["database"] == "unreachable"
    routed = await client.get(
        "/api/v1/route", params={"called": "115", "caller": "06592 1234", "at": "2026-11-23T09:00:00+01:00"}
    )
    assert routed.status == 200
    assert (await routed.json())["county"] == "07233"
    search = await client.get("/api/v1/search", params={"q": "Personalausweis"})
    assert search.status == 503
    assert search.content_type == "application/problem+json"
