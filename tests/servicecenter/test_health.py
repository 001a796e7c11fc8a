"""Liveness and readiness, including the degraded state while the database is away."""

from knowledge.db import create_engine
from servicecenter.keys import ENGINE


async def test_healthz(client) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_readyz_when_everything_is_loaded(client) -> None:
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 200, body
    assert body["checks"] == {"database": "ok", "search_index": "ok", "routing": "ok"}


async def test_database_down_is_degraded_and_routing_still_answers(client) -> None:
    app = client.server.app
    working = app[ENGINE]
    app[ENGINE] = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        response = await client.get("/readyz")
        body = await response.json()
        assert response.status == 503
        assert body["status"] == "degraded" and body["checks"]["database"] == "unreachable"
        routed = await client.get("/api/v1/route", params={"called": "115", "at": "2026-11-23T09:00:00+01:00"})
        assert routed.status == 200
    finally:
        await app[ENGINE].dispose()
        app[ENGINE] = working
