"""Closures over HTTP: list those in force and to come, store one, delete one.

Who may: a county editor for their county and its units, an admin for everything, a supervisor a line for
the rest of today (the "heute geschlossen" switch); decided in servicecenter/auth.py. A stored closure is
audited and bumps the catalogue revision; this instance swaps it into routing's calendar right after the
commit, every other one with its catalogue follower's next round. The list is answered from memory, so
agents' pages keep showing closures while the database is down.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from knowledge.calendar import BERLIN, to_berlin
from knowledge.closures import store
from knowledge.closures.models import Closure
from knowledge.closures.schemas import ClosureCreate, closure_view, scope_parts
from knowledge.counties import CountyKey
from knowledge.errors import NotFound
from servicecenter.api.params import parse_json, parse_query, path_int
from servicecenter.auth import Action, Identity, authorize_any, check_county, check_line_closure
from servicecenter.keys import CALL_ROUTER, CATALOGUE_FOLLOWER, SESSIONMAKER
from servicecenter.problems import Problem

__all__ = [
    "ClosureQuery",
    "create_closure",
    "delete_closure",
    "list_closures",
    "unknown_scope",
    "within_today",
]

log = structlog.get_logger(__name__)


class ClosureQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    county: CountyKey | None = Field(default=None, description="closures of this county and of its units")
    scope: Literal["unit", "county", "line"] | None = None
    in_force: bool = Field(default=False, description="only those in force now (default: also those to come)")


def within_today(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> bool:
    """Whether [start, end) lies within the Berlin day of `now`: what a supervisor may close."""
    today = to_berlin(now).date()
    midnight = dt.datetime.combine(today, dt.time(0), BERLIN)
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), BERLIN)
    return midnight <= start and end <= tomorrow


def unknown_scope(error: store.UnknownScope) -> Problem:
    """422 naming the scope that does not exist, in German."""
    return Problem(
        422,
        f"{error}.",
        title="Ungültige Angaben",
        errors=[{"loc": ["body", "scope", error.kind], "msg": f"{error}."}],
    )


async def list_closures(request: web.Request) -> web.Response:
    """GET /api/v1/closures: the closures in force or still to come, by start."""
    query = parse_query(request, ClosureQuery)
    now = dt.datetime.now(BERLIN)
    views = [
        closure_view(period, now).model_dump(mode="json")
        for period in request.app[CALL_ROUTER].policy.calendar.closures
        if period.end > now
        and (query.county is None or period.county == query.county)
        and (query.scope is None or period.scope == query.scope)
        and (not query.in_force or period.covers(now))
    ]
    return web.json_response(views)


def _check(identity: Identity, kind: str, county: str | None, start: dt.datetime, end: dt.datetime) -> None:
    if kind == "line":
        check_line_closure(identity, within_today=within_today(start, end, dt.datetime.now(dt.UTC)))
    else:
        check_county(identity, Action.manage_closures, county)


async def create_closure(request: web.Request) -> web.Response:
    """POST /api/v1/closures: close a line, a county or a unit from `from` (default now) until `until`."""
    identity = await authorize_any(request, Action.manage_closures, Action.close_line_today)
    body = await parse_json(request, ClosureCreate, german=True)
    kind, key = scope_parts(body.scope)
    assert key is not None, "a closure's scope has a key"
    now = dt.datetime.now(dt.UTC)
    start = to_berlin(body.starts_at).astimezone(dt.UTC) if body.starts_at is not None else now
    end = to_berlin(body.until).astimezone(dt.UTC)
    async with request.app[SESSIONMAKER]() as session:
        try:
            county = await store.county_of_scope(session, kind=kind, key=key)
        except store.UnknownScope as error:
            raise unknown_scope(error) from None
    _check(identity, kind, county, start, end)
    row = Closure(
        scope=kind,
        scope_key=key,
        county=county,
        starts_at=start,
        ends_at=end,
        reason=body.reason,
        announcement=body.announcement,
        created_by=identity.name,
    )
    async with request.app[SESSIONMAKER].begin() as session:
        await store.add_closure(session, closure=row, actor=identity.name)
    await request.app[CATALOGUE_FOLLOWER].refresh_closures()
    log.info("closure_stored", closure=row.id, scope=kind, key=key, actor=identity.name)
    view = closure_view(store.as_period(row), dt.datetime.now(BERLIN))
    return web.json_response(view.model_dump(mode="json"), status=201)


async def delete_closure(request: web.Request) -> web.Response:
    """DELETE /api/v1/closures/{id}: remove a closure (what it was stays in the audit trail)."""
    identity = await authorize_any(request, Action.manage_closures, Action.close_line_today)
    closure_id = path_int(request, "id")
    try:
        async with request.app[SESSIONMAKER]() as session:
            row = await store.get_closure(session, closure_id=closure_id)
        _check(identity, row.scope, row.county, row.starts_at, row.ends_at)
        async with request.app[SESSIONMAKER].begin() as session:
            await store.delete_closure(session, closure=row, actor=identity.name)
    except NotFound:
        raise Problem(404, "Diese Schließung gibt es nicht (mehr).") from None
    await request.app[CATALOGUE_FOLLOWER].refresh_closures()
    log.info("closure_deleted", closure=closure_id, scope=row.scope, key=row.scope_key, actor=identity.name)
    return web.Response(status=204)
