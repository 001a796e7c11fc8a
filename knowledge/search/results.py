"""What an agent search answers: the wire shape of `GET /api/v1/search`, built once and serialised as is.

The same models describe the answer in the OpenAPI document and are what `search()` returns, so the
description cannot drift from the body.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from knowledge.catalogue.models import ServiceLevel

__all__ = ["Responsible", "SearchHit", "SearchPlace", "SearchResult"]


class Responsible(BaseModel):
    """How an agent sees one responsibility: who, which number, open now."""

    county: str
    place: str | None
    unit_id: str
    unit: str
    phone: str | None
    extension: str | None
    email: str | None
    hours: str | None = Field(description="opening hours as German text; null when unknown")
    open_now: bool | None = Field(description="null when the hours are unknown")
    fees: str | None
    notes: str | None


class SearchHit(BaseModel):
    """One ranked service with the units responsible for it where the agent is asked about."""

    id: str
    title: str
    leika: str | None
    score: float
    snippet: str = Field(description="HTML-escaped text with matched words in <mark>")
    level: ServiceLevel
    responsible: list[Responsible]


class SearchPlace(BaseModel):
    """The place named in the query, which narrows `responsible`."""

    name: str
    county: str


class SearchResult(BaseModel):
    """The answer to one agent query."""

    query: str
    total: int
    total_is_lower_bound: bool = Field(description="true when more matches exist than were counted (1,000)")
    took_ms: float
    suggestion: str | None = Field(description="the query with misspelt words corrected")
    place: SearchPlace | None
    facets: dict[str, dict[str, int]] = Field(description="hit counts by `level` and by `county`")
    hits: list[SearchHit]
