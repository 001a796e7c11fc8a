"""Read access to the Leistungsverzeichnis: agent search, service entries, units, export.

A search is bounded before it reaches the index: at most `search_max_query_chars` characters and
`search_max_query_words` words (422 naming the limit), and at most `search_max_concurrent_per_client`
anonymous searches of one client address at once (429); the index bounds the work per word itself
(knowledge/search/query.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import SQLAlchemyError

from knowledge.calendar import BERLIN
from knowledge.catalogue import store
from knowledge.catalogue.exchange import export_document
from knowledge.catalogue.models import Unit
from knowledge.closures.schemas import office_status, service_notices
from knowledge.counties import CountyKey
from knowledge.errors import NotFound
from knowledge.search.agent_search import SearchRequest, responsible_entry, search
from servicecenter.api.entries import etag
from servicecenter.api.params import parse_query
from servicecenter.api.responses import UnitStatus
from servicecenter.auth import SESSION_COOKIE, identify
from servicecenter.clients import client_address
from servicecenter.keys import (
    CALL_ROUTER,
    CATALOGUE_FOLLOWER,
    METRICS,
    SEARCH_INDEX,
    SEARCH_LIMIT,
    SESSIONMAKER,
    SETTINGS,
    STATS_RECORDER,
)
from servicecenter.problems import Problem
from servicecenter.settings import Settings

__all__ = ["check_query_size", "export", "get_service", "get_unit", "list_units", "search_services"]

QUERY_CHARS_CEILING = 1000
"""No setting lets a query grow beyond this; `search_max_query_chars` (200) is the limit in force."""


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1, max_length=QUERY_CHARS_CEILING)
    county: CountyKey | None = None
    limit: int = Field(default=10, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=10_000)


class UnitQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(default=None, max_length=200)
    county: CountyKey | None = None
    limit: int = Field(default=50, ge=1, le=200)


def _now() -> dt.datetime:
    return dt.datetime.now(BERLIN)


def check_query_size(q: str, settings: Settings) -> None:
    """422 when the query is longer, or has more words, than a search may analyse."""
    too_big = None
    if len(q) > settings.search_max_query_chars:
        too_big = f"at most {settings.search_max_query_chars} characters (search_max_query_chars)"
    elif len(re.findall(r"\w+", q)) > settings.search_max_query_words:
        too_big = f"at most {settings.search_max_query_words} words (search_max_query_words)"
    if too_big:
        raise Problem(
            422,
            f"invalid query: q may have {too_big}",
            title="Validation failed",
            errors=[{"loc": ["query", "q"], "msg": too_big}],
        )


async def _anonymous(request: web.Request) -> bool:
    """Whether nobody is logged in; an unknown token or an unreachable session store counts as nobody."""
    try:
        return await identify(request) is None
    except (Problem, SQLAlchemyError, OSError):
        return True


def _client(request: web.Request) -> str:
    """Who is typing, to tell one agent's keystrokes from another's: a hash kept in memory for seconds."""
    parts = (
        client_address(request),
        request.headers.get("Authorization"),
        request.cookies.get(SESSION_COOKIE),
    )
    who = "|".join(p or "" for p in (*parts, request.headers.get("User-Agent")))
    return hashlib.blake2b(who.encode(), digest_size=12).hexdigest()


async def search_services(request: web.Request) -> web.Response:
    """GET /api/v1/search: what an agent types, ranked, with who is responsible and whether open now."""
    started = time.perf_counter()
    query = parse_query(request, SearchQuery)
    check_query_size(query.q, request.app[SETTINGS])
    try:
        if await _anonymous(request):
            with request.app[SEARCH_LIMIT].slot(client_address(request)):
                return await _search(request, query)
        return await _search(request, query)
    finally:
        request.app[METRICS].search_seconds.observe(time.perf_counter() - started)


async def _search(request: web.Request, query: SearchQuery) -> web.Response:
    follower = request.app[CATALOGUE_FOLLOWER]
    async with request.app[SESSIONMAKER]() as session:
        result = await search(
            index=request.app[SEARCH_INDEX],
            session=session,
            gazetteer=follower.gazetteer,
            synonyms=follower.synonyms,
            calendar=request.app[CALL_ROUTER].policy.calendar,
            notices=follower.notices,
            responsibilities=follower.responsibilities,
            request=SearchRequest(query.q, query.county, query.limit, query.offset),
            now=_now(),
        )
    if query.offset == 0:  # paging is no new search; insights count what was asked, not where
        county = query.county or (result.place.county if result.place else None)
        asked = follower.gazetteer.detect(query.q, query.county).text
        request.app[STATS_RECORDER].note_search(_client(request), asked, county, result.total)
    return web.Response(text=result.model_dump_json(), content_type="application/json")


async def get_service(request: web.Request) -> web.Response:
    """GET /api/v1/services/{id}: the whole entry with every county's responsibility."""
    service_id = request.match_info["id"]
    async with request.app[SESSIONMAKER]() as session:
        service = await store.get_service(session, service_id=service_id)
        if service is None:
            raise NotFound("service", service_id)
        found = await store.responsibilities_for(session, service_ids=[service_id])
    now, calendar = _now(), request.app[CALL_ROUTER].policy.calendar
    notices = request.app[CATALOGUE_FOLLOWER].notices
    body = service.model_dump(mode="json") | {
        "notices": [n.model_dump(mode="json") for n in service_notices(notices, service_id, now)],
        "responsible": [
            responsible_entry(r, u, calendar, notices, now).model_dump(mode="json")
            for r, u in found.get(service_id, [])
        ],
    }
    return web.json_response(body, headers={"ETag": etag(service.version)})


def _unit_body(request: web.Request, unit: Unit) -> dict:
    """A unit as stored, plus its hours as German text, whether it is open now, today's hours, when it opens
    next, the closure in force and the notices for it and its county."""
    status = office_status(
        request.app[CALL_ROUTER].policy.calendar,
        request.app[CATALOGUE_FOLLOWER].notices,
        hours=unit.hours,
        unit=unit.id,
        county=unit.county,
        now=_now(),
    )
    status["hours_text"] = status.pop("hours")
    return unit.model_dump(mode="json") | UnitStatus.model_validate(status).model_dump(mode="json")


async def list_units(request: web.Request) -> web.Response:
    """GET /api/v1/units: the switchboard directory, offices and departments with their numbers."""
    query = parse_query(request, UnitQuery)
    async with request.app[SESSIONMAKER]() as session:
        units = await store.list_units(session, q=query.q, county=query.county, limit=query.limit)
    return web.json_response([_unit_body(request, u) for u in units])


async def get_unit(request: web.Request) -> web.Response:
    """GET /api/v1/units/{id}: one unit."""
    unit_id = request.match_info["id"]
    async with request.app[SESSIONMAKER]() as session:
        unit = await store.get_unit(session, unit_id=unit_id)
    if unit is None:
        raise NotFound("unit", unit_id)
    return web.json_response(_unit_body(request, unit), headers={"ETag": etag(unit.version)})


async def export(request: web.Request) -> web.Response:
    """GET /api/v1/export: the catalogue document, the same as `servicecenter export` writes."""
    async with request.app[SESSIONMAKER]() as session:
        document = await export_document(session)
    return web.json_response(document.model_dump(mode="json"))
