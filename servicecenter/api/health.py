"""Liveness and readiness for the PBX's and the operators' monitoring."""

from __future__ import annotations

import asyncio
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text

from servicecenter.api.params import parse_query
from servicecenter.keys import CALL_ROUTER, ENGINE, LIVE_STATE, SEARCH_INDEX, WORKER

__all__ = ["ReadinessQuery", "healthz", "readyz"]


class ReadinessQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: Literal["all", "routing"] = Field(
        default="all",
        description="`routing`: 200 whenever this instance routes calls, a database outage only reported in the "
        "body (the load balancer's check: an outage of the shared database is no reason to take an instance "
        "out); `all`: 503 while anything is degraded",
    )


async def healthz(request: web.Request) -> web.Response:
    """200 while the process runs."""
    return web.json_response({"status": "ok"})


async def _database_ok(request: web.Request) -> bool:
    try:
        async with asyncio.timeout(2):
            async with request.app[ENGINE].connect() as connection:
                await connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


async def _database_reachable(request: web.Request, scope: str) -> bool:
    """For the load balancer's frequent check (`scope=routing`) on PostgreSQL, whether the live channel's
    connection is up (kept alive every few seconds): no query that a busy database or event loop could
    make late enough to take a routing instance out. Otherwise a query."""
    channel = request.app[LIVE_STATE].channel
    if scope == "routing" and channel is not None:
        return channel.connected
    return await _database_ok(request)


async def readyz(request: web.Request) -> web.Response:
    """200 when database and search index are usable; 503 naming what is not (with `scope=routing`: 200).

    The routing policy is loaded before the server listens and lives in memory, so routing is always
    up while this answers: an outage elsewhere is reported as degraded, with the rule count.
    """
    query = parse_query(request, ReadinessQuery)
    worker = request.app[WORKER]
    checks = {
        "database": "ok" if await _database_reachable(request, query.scope) else "unreachable",
        "search_index": "ok" if request.app[SEARCH_INDEX].revision is not None else "missing",
    }
    ready = all(v == "ok" for v in checks.values())
    body = {
        "status": "ready" if ready else "degraded",
        "checks": checks,
        "routing": {"rules": len(request.app[CALL_ROUTER].policy.rule_file.rules)},
        "worker": {"index": worker.index, "count": worker.count, "routing_only": worker.routing_only},
    }
    if not ready:
        body["detail"] = "routing answers from memory; search and catalogue may fail"
    return web.json_response(body, status=200 if ready or query.scope == "routing" else 503)
