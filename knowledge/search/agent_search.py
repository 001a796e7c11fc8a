"""Agent search: a place taken out of the query, the words ranked in the index, and for each hit the
units responsible where the agent is asked about.

The query text never reaches whoosh's query parser: agents type free text, not query syntax, so every
word is analysed and looked up as terms, AND first and loosened to OR when nothing matches.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.calendar import ServiceCalendar
from knowledge.catalogue import store
from knowledge.catalogue.models import Responsibility, Unit
from knowledge.search.analysis import words
from knowledge.search.index import SearchIndex
from knowledge.search.places import Gazetteer, Territory
from knowledge.search.ranking import RankedPage, rank, suggestion
from knowledge.search.results import Responsible, SearchHit, SearchPlace, SearchResult
from knowledge.search.synonyms import SynonymTable

__all__ = ["SearchRequest", "responsible_entry", "search"]


@dataclass(frozen=True)
class SearchRequest:
    """One agent query. A query that does not end in a space is still being typed: its last word is
    completed as a prefix."""

    q: str
    county: str | None = None
    limit: int = 10
    offset: int = 0


def responsible_entry(
    responsibility: Responsibility, unit: Unit, calendar: ServiceCalendar, now: dt.datetime
) -> Responsible:
    """How an agent sees one responsibility: who, which number, open now."""
    hours, open_now = calendar.opening(responsibility.hours or unit.hours, now)
    return Responsible(
        county=responsibility.county,
        place=responsibility.place,
        unit_id=unit.id,
        unit=unit.name,
        phone=unit.phone,
        extension=unit.extension,
        email=unit.email,
        hours=hours,
        open_now=open_now,
        fees=responsibility.fees,
        notes=responsibility.notes,
    )


def _applies(responsibility: Responsibility, territory: Territory | None, county: str | None) -> bool:
    if territory is not None:
        if responsibility.place is not None:
            return responsibility.place == territory.municipality
        return responsibility.county == territory.county
    return county is None or responsibility.county == county


async def search(
    *,
    index: SearchIndex,
    session: AsyncSession,
    gazetteer: Gazetteer,
    synonyms: SynonymTable,
    calendar: ServiceCalendar,
    request: SearchRequest,
    now: dt.datetime,
) -> SearchResult:
    """Run one agent query: the answer of GET /api/v1/search."""
    started = time.perf_counter()
    territory, text = gazetteer.detect(request.q)
    county = request.county or (territory.county if territory else None)
    query_words = list(dict.fromkeys(words(text)))
    page = RankedPage()
    if query_words:
        completing = not request.q[-1:].isspace()
        page = await index.read(
            lambda searcher: rank(
                searcher,
                query_words,
                completing=completing,
                county=county,
                offset=request.offset,
                limit=request.limit,
                synonyms=synonyms,
            )  # fmt: skip
        )
    found = await store.responsibilities_for(session, service_ids=[h.id for h in page.hits])
    hits = [
        SearchHit(
            id=hit.id,
            title=hit.title,
            leika=hit.leika,
            score=hit.score,
            snippet=hit.snippet,
            level=hit.level,
            responsible=[
                responsible_entry(r, u, calendar, now)
                for r, u in found.get(hit.id, [])
                if _applies(r, territory, county)
            ],
        )  # fmt: skip
        for hit in page.hits
    ]
    return SearchResult(
        query=request.q,
        total=page.total,
        total_is_lower_bound=page.total_is_lower_bound,
        took_ms=round((time.perf_counter() - started) * 1000, 2),
        suggestion=suggestion(request.q, page.corrections, page.hits),
        place=SearchPlace(name=territory.name, county=territory.county) if territory else None,
        facets=page.facets,
        hits=hits,
    )
