"""The LeiKa reference list over HTTP: search it by words, a key or a key's first digits, and read one entry
with the EMH services that describe it."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from knowledge.catalogue import leika
from knowledge.catalogue.models import ServiceLevel
from knowledge.errors import NotFound
from knowledge.search.analysis import words
from knowledge.search.ranking import rank
from servicecenter.api.params import parse_query
from servicecenter.keys import CATALOGUE_FOLLOWER, SEARCH_INDEX, SESSIONMAKER

__all__ = ["LeikaDetail", "LeikaPage", "LeikaQuery", "get_leika", "list_leika"]


class LeikaQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(
        default=None, max_length=200, description="words of the name, a 14-digit key, or a key's first digits"
    )
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=10_000)


class LeikaEntryView(leika.LeikaEntryBase):
    """A LeiKa entry with the level its Typisierung implies and whether an EMH service describes it."""

    level: ServiceLevel | None = Field(description="implied by the Typisierung; null when it implies none")
    described: bool = Field(description="an EMH service carries this key")


class LinkedService(BaseModel):
    """An EMH service that carries the key (GET /api/v1/services/{id})."""

    id: str
    title: str
    level: ServiceLevel


class LeikaDetail(LeikaEntryView):
    services: list[LinkedService]


class LeikaPage(BaseModel):
    """One page of entries: by relevance for words, by key otherwise."""

    total: int
    entries: list[LeikaEntryView]


def _view(entry: leika.LeikaEntryBase, described: set[str]) -> LeikaEntryView:
    return LeikaEntryView(
        **entry.model_dump(), level=leika.level_of(entry.typisierung), described=entry.key in described
    )


async def list_leika(request: web.Request) -> web.Response:
    """GET /api/v1/leika: the LeiKa list searched like agent search (German analysis, typos), or by key."""
    query = parse_query(request, LeikaQuery)
    q = (query.q or "").strip()
    async with request.app[SESSIONMAKER]() as session:
        if not q or q.isdigit():
            total, entries = await leika.list_entries(
                session, key_prefix=q, offset=query.offset, limit=query.limit
            )
        else:
            query_words = list(dict.fromkeys(words(q)))
            synonyms = request.app[CATALOGUE_FOLLOWER].synonyms
            page = (
                await request.app[SEARCH_INDEX].read(
                    rank,
                    query_words,
                    completing=False,
                    county=None,
                    offset=query.offset,
                    limit=query.limit,
                    synonyms=synonyms,
                    leika_only=True,
                )
                if query_words
                else None
            )
            total = page.total if page else 0
            _, entries = await leika.list_entries(session, keys=[h.id for h in page.hits] if page else [])
        described = await leika.described_keys(session, keys=[e.key for e in entries])
    body = LeikaPage(total=total, entries=[_view(e, described) for e in entries])
    return web.Response(text=body.model_dump_json(), content_type="application/json")


async def get_leika(request: web.Request) -> web.Response:
    """GET /api/v1/leika/{key}: one entry and the EMH services that carry its key."""
    key = request.match_info["key"]
    async with request.app[SESSIONMAKER]() as session:
        entry = await leika.get_entry(session, key=key)
        if entry is None:
            raise NotFound("LeiKa entry", key)
        services = await leika.services_for(session, key=key)
    body = LeikaDetail(
        **_view(entry, {key} if services else set()).model_dump(),
        services=[LinkedService(id=s.id, title=s.title, level=s.level) for s in services],
    )
    return web.Response(text=body.model_dump_json(), content_type="application/json")
