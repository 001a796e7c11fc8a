"""What an agent search answers: the wire shape of `GET /api/v1/search`, built once and serialised as is.

The same models describe the answer in the OpenAPI document and are what `search()` returns, so the
description cannot drift from the body.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from knowledge.catalogue.models import ServiceLevel
from knowledge.closures.schemas import ClosureView, NoticeView

__all__ = ["PlaceCandidate", "Responsible", "SearchHit", "SearchPlace", "SearchResult"]


class Responsible(BaseModel):
    """How an agent sees one responsibility: who, which number, open now."""

    county: str
    place: str | None
    unit_id: str
    unit: str
    phone: str | None
    extension: str | None
    email: str | None
    website: str | None
    address: str | None = Field(description="the visitor address, e.g. 'Leopoldstraße 29, 54550 Daun'")
    hours: str | None = Field(
        description="opening hours as German text, days with equal hours grouped; null when unknown"
    )
    open_now: bool | None = Field(description="false within a closure; null when the hours are unknown")
    hours_today: str | None = Field(description="today's hours in German, holidays and closures considered")
    opens_next: dt.datetime | None = Field(
        description="while closed: when it opens next (closures, holidays)"
    )
    closure: ClosureView | None = Field(description="the closure of the unit or its county in force now")
    notices: list[NoticeView] = Field(description="notices in force for the unit and its county")
    fees: str | None
    notes: str | None


class SearchHit(BaseModel):
    """One ranked service with the units responsible for it where the agent is asked about, or a LeiKa
    entry that no EMH service describes (`described: false`), after every described service."""

    id: str = Field(description="the service's id; for an undescribed LeiKa entry its 14-digit key")
    title: str
    leika: str | None
    score: float
    snippet: str = Field(description="HTML-escaped text with matched words in <mark>")
    level: ServiceLevel | None = Field(
        description="who carries it out; for an undescribed LeiKa entry the level its Typisierung implies, "
        "null when it implies none"
    )
    described: bool = Field(
        description="false: a LeiKa entry without an EMH description (GET /api/v1/leika/{key})"
    )
    typisierung: str | None = Field(default=None, description="the LeiKa Typisierung of an undescribed entry")
    notices: list[NoticeView] = Field(description="notices in force for this service and for everyone")
    responsible: list[Responsible]


class PlaceCandidate(BaseModel):
    """One of the places an ambiguous name may mean."""

    name: str
    municipality: str | None = Field(description="its Verbandsgemeinde or verbandsfreie Gemeinde")
    county: str


class SearchPlace(BaseModel):
    """The place named in the query: inside the area it narrows `responsible`; an ambiguous name or a
    place outside the area is reported and narrows nothing."""

    name: str
    county: str | None = Field(
        description="null for a place outside, an ambiguous name, or a postcode of two counties"
    )
    municipality: str | None = Field(
        default=None, description="the Verbandsgemeinde or verbandsfreie Gemeinde responsible for it"
    )
    outside: bool = Field(default=False, description="a known place outside the four counties")
    ambiguous: bool = Field(default=False, description="the name fits places in several VGs; none was picked")
    candidates: list[PlaceCandidate] = Field(
        default_factory=list, description="what an ambiguous name may mean"
    )
    note: str | None = Field(default=None, description="German text for the agent")


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
