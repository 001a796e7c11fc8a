"""Search insights: how often each (normalised, impersonal) query was searched per hour, and in vain.

Catalogue editors read the most frequent queries and those that found nothing, and turn them into
synonyms or add them to a service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from knowledge.statistics.counters import upsert
from knowledge.statistics.models import SearchCount
from knowledge.statistics.slots import day_bounds

__all__ = ["Insights", "QueryCount", "add_searches", "insights"]


class QueryCount(BaseModel):
    """One normalised query over the range."""

    query: str
    searches: int
    zero_hits: int = Field(description="searches that found nothing")
    avg_hits: float = Field(description="mean number of hits")


class Insights(BaseModel):
    """GET /api/v1/search/insights."""

    from_: dt.date = Field(alias="from")
    to: dt.date
    county: str | None
    searches: int = Field(description="searches counted in the range")
    zero_hit_searches: int
    zero_hit: list[QueryCount] = Field(description="the queries most often searched in vain")
    frequent: list[QueryCount] = Field(description="the queries most often searched")


async def add_searches(session: AsyncSession, counts: Mapping[tuple, Sequence[int]]) -> None:
    """Add counts keyed (hour slot, county, query) -> (searches, zero hits, hits) to the counters."""
    rows = [
        {"slot": slot, "county": county, "query": query, "searches": s, "zero_hits": z, "hits": h}
        for (slot, county, query), (s, z, h) in counts.items()
    ]
    await upsert(session, SearchCount, rows, add=("searches", "zero_hits", "hits"))


async def insights(
    session: AsyncSession, *, first: dt.date, last: dt.date, county: str | None = None, limit: int = 50
) -> Insights:
    """The most frequent and the most often fruitless queries of Berlin days `first` to `last`."""
    start, end = day_bounds(first, last)
    query = col(SearchCount.query)
    where = [col(SearchCount.slot) >= start, col(SearchCount.slot) < end]
    if county is not None:
        where.append(col(SearchCount.county) == county)
    searches, zero_hits, hits = (
        func.sum(col(SearchCount.searches)),
        func.sum(col(SearchCount.zero_hits)),
        func.sum(col(SearchCount.hits)),
    )
    grouped = select(query, searches, zero_hits, hits).where(*where).group_by(query)

    def listing(rows) -> list[QueryCount]:
        return [
            QueryCount(
                query=q, searches=int(s), zero_hits=int(z), avg_hits=round(int(h) / int(s), 1) if s else 0
            )
            for q, s, z, h in rows
        ]

    vain = await session.execute(grouped.having(zero_hits > 0).order_by(zero_hits.desc(), query).limit(limit))
    frequent = await session.execute(grouped.order_by(searches.desc(), query).limit(limit))
    all_searches, all_vain = (
        await session.execute(select(func.coalesce(searches, 0), func.coalesce(zero_hits, 0)).where(*where))
    ).one()
    return Insights.model_validate(
        {
            "from": first,
            "to": last,
            "county": county,
            "searches": int(all_searches),
            "zero_hit_searches": int(all_vain),
            "zero_hit": listing(vain),
            "frequent": listing(frequent),
        }
    )
