"""Liveness and readiness for the PBX's and the operators' monitoring."""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy import text

from servicecenter.keys import CALL_ROUTER, ENGINE, SEARCH_INDEX

__all__ = ["healthz", "readyz"]


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


async def readyz(request: web.Request) -> web.Response:
    """200 when database and search index are usable; 503 naming what is not.

    The routing policy is loaded before the server listens and lives in memory, so routing is always
    up while this answers: an outage elsewhere is reported as degraded, with the rule count.
    """
    checks = {
        "database": "ok" if await _database_ok(request) else "unreachable",
        "search_index": "ok" if request.app[SEARCH_INDEX].revision is not None else "missing",
    }
    ready = all(v == "ok" for v in checks.values())
    body = {
        "status": "ready" if ready else "degraded",
        "checks": checks,
        "routing": {"rules": len(request.app[CALL_ROUTER].policy.rule_file.rules)},
    }
    if not ready:
        body["detail"] = "routing answers from memory; search and catalogue may fail"
    return web.json_response(body, status=200 if ready else 503)
