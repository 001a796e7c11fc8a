"""Info-Meldungen over HTTP: list those in force and to come, post one, delete one.

A county editor posts for their county and its units, an admin for everything (a service, everyone);
decided in servicecenter/auth.py. Stored with an audit record and a catalogue revision bump, swapped into
this instance's memory right after the commit and into every other one's with its follower's next round.
The list is answered from memory, like the closures.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from knowledge.calendar import BERLIN, to_berlin
from knowledge.closures import store
from knowledge.closures.models import Notice
from knowledge.closures.schemas import NoticeCreate, notice_view, scope_parts
from knowledge.counties import CountyKey
from knowledge.errors import NotFound
from servicecenter.api.closures import unknown_scope
from servicecenter.api.params import parse_json, parse_query, path_int
from servicecenter.auth import Action, authorize, check_county
from servicecenter.keys import CATALOGUE_FOLLOWER, SESSIONMAKER
from servicecenter.problems import Problem

__all__ = ["NoticeQuery", "create_notice", "delete_notice", "list_notices"]

log = structlog.get_logger(__name__)


class NoticeQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    county: CountyKey | None = Field(default=None, description="notices of this county and of its units")
    scope: Literal["unit", "county", "service", "all"] | None = None
    in_force: bool = Field(default=False, description="only those in force now (default: also those to come)")


async def list_notices(request: web.Request) -> web.Response:
    """GET /api/v1/notices: the notices in force or still to come, by start."""
    query = parse_query(request, NoticeQuery)
    now = dt.datetime.now(BERLIN)
    views = [
        notice_view(notice, now).model_dump(mode="json")
        for notice in request.app[CATALOGUE_FOLLOWER].notices
        if notice.valid_until > now
        and (query.county is None or notice.county == query.county)
        and (query.scope is None or notice.scope == query.scope)
        and (not query.in_force or notice.in_force(now))
    ]
    return web.json_response(views)


async def create_notice(request: web.Request) -> web.Response:
    """POST /api/v1/notices: an Info-Meldung for a unit, a county, a service or everyone."""
    identity = await authorize(request, Action.manage_notices)
    body = await parse_json(request, NoticeCreate, german=True)
    kind, key = scope_parts(body.scope)
    now = dt.datetime.now(dt.UTC)
    async with request.app[SESSIONMAKER]() as session:
        try:
            county = await store.county_of_scope(session, kind=kind, key=key)
        except store.UnknownScope as error:
            raise unknown_scope(error) from None
    check_county(identity, Action.manage_notices, county)
    row = Notice(
        text=body.text,
        severity=body.severity,
        scope=kind,
        scope_key=key,
        county=county,
        valid_from=to_berlin(body.valid_from).astimezone(dt.UTC) if body.valid_from is not None else now,
        valid_until=to_berlin(body.valid_until).astimezone(dt.UTC),
        created_by=identity.name,
    )
    async with request.app[SESSIONMAKER].begin() as session:
        await store.add_notice(session, notice=row, actor=identity.name)
    await request.app[CATALOGUE_FOLLOWER].refresh_closures()
    log.info("notice_stored", notice=row.id, scope=kind, key=key, actor=identity.name)
    view = notice_view(store.as_posted(row), dt.datetime.now(BERLIN))
    return web.json_response(view.model_dump(mode="json"), status=201)


async def delete_notice(request: web.Request) -> web.Response:
    """DELETE /api/v1/notices/{id}: take a notice down (what it said stays in the audit trail)."""
    identity = await authorize(request, Action.manage_notices)
    notice_id = path_int(request, "id")
    try:
        async with request.app[SESSIONMAKER]() as session:
            row = await store.get_notice(session, notice_id=notice_id)
        check_county(identity, Action.manage_notices, row.county)
        async with request.app[SESSIONMAKER].begin() as session:
            await store.delete_notice(session, notice=row, actor=identity.name)
    except NotFound:
        raise Problem(404, "Diese Meldung gibt es nicht (mehr).") from None
    await request.app[CATALOGUE_FOLLOWER].refresh_closures()
    log.info("notice_deleted", notice=notice_id, actor=identity.name)
    return web.Response(status=204)
