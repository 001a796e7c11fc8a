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
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False


async def readyz(request: web.Request) -> web.Response:
    """200 when database, search index and routing rules are all usable; 503 naming what is not."""
    checks = {
        "database": "ok" if await _database_ok(request) else "unreachable",
        "search_index": "ok" if request.app[SEARCH_INDEX].revision is not None else "missing",
        "routing": "ok" if request.app[CALL_ROUTER].policy is not None else "no rules",
    }
    ready = all(v == "ok" for v in checks.values())
    status = "ready" if ready else ("degraded" if checks["routing"] == "ok" else "unavailable")
    body = {"status": status, "checks": checks}
    if not ready and checks["routing"] == "ok":
        body["detail"] = "routing answers from memory; search and catalogue may fail"
    return web.json_response(body, status=200 if ready else 503)
