"""Agent search: a place taken out of the query, the words ranked in the index, and for each hit the
units responsible where the agent is asked about. A LeiKa entry that no EMH service describes gets a
responsible unit only where its level makes it clear: the Kreisverwaltung of the county asked about,
for a county-level entry.

The query text never reaches whoosh's query parser: agents type free text, not query syntax, so every
word is analysed and looked up as terms, AND first and loosened to OR when nothing matches.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.calendar import ServiceCalendar, WeeklyHours
from knowledge.catalogue import leika
from knowledge.catalogue.kept_responsibilities import KeptResponsibilities
from knowledge.catalogue.models import Responsibility, ServiceLevel, Unit
from knowledge.closures.board import NoticeBoard
from knowledge.closures.schemas import office_status, service_notices
from knowledge.search.analysis import words
from knowledge.search.index import SearchIndex
from knowledge.search.places import OUTSIDE_NOTE, Gazetteer, PlaceMatch
from knowledge.search.ranking import RankedHit, RankedPage, rank, suggestion
from knowledge.search.results import PlaceCandidate, Responsible, SearchHit, SearchPlace, SearchResult
from knowledge.search.synonyms import SynonymTable

__all__ = ["ResponsibleOffice", "SearchRequest", "responsible_entry", "search"]

LEIKA_NOTE = (
    "Keine Leistungsbeschreibung im Servicecenter; nach der LeiKa-Typisierung ist die Kreisverwaltung "
    "die erste Anlaufstelle."
)


@dataclass(frozen=True)
class SearchRequest:
    """One agent query. A query that does not end in a space is still being typed: its last word is
    completed as a prefix."""

    q: str
    county: str | None = None
    limit: int = 10
    offset: int = 0


def _visitor_address(unit: Unit) -> str | None:
    """'Street 1, 12345 Town' from what the unit has of it; None when it has none."""
    town = " ".join(part for part in (unit.postcode, unit.city) if part)
    return ", ".join(part for part in (unit.street, town) if part) or None


@dataclass(eq=False)
class ResponsibleOffice:
    """One responsibility as search answers it, minus what changes with the time: the fields of its
    `Responsible` entry that come from the catalogue alone (names, numbers, the visitor address), worked
    out once per catalogue revision (see KeptResponsibilities) instead of through the ORM for every hit of
    every answer, on the event loop that also routes calls."""

    responsibility: Responsibility
    """Where it applies (`_applies` reads its county and place)."""
    hours: WeeklyHours | None
    unit_id: str
    unit_county: str | None
    fields: dict[str, Any]
    """The `Responsible` fields that do not depend on the time; read-only."""
    _last: tuple[dict[str, Any], Responsible] | None = field(default=None, repr=False)
    """The last entry given, with the office status it was built from: the status stays the same for a
    minute at least (see `office_status`), and answering it again saves validating the entry anew. The
    other fields are read-only."""

    @classmethod
    def of(cls, responsibility: Responsibility, unit: Unit) -> ResponsibleOffice:
        """The time-independent part of how an agent sees `responsibility` of `unit`."""
        return cls(
            responsibility=responsibility,
            hours=responsibility.hours or unit.hours,
            unit_id=unit.id,
            unit_county=unit.county,
            fields={
                "county": responsibility.county,
                "place": responsibility.place,
                "unit_id": unit.id,
                "unit": unit.name,
                "phone": unit.phone,
                "extension": unit.extension,
                "email": unit.email,
                "website": unit.website,
                "address": _visitor_address(unit),
                "fees": responsibility.fees,
                "notes": responsibility.notes,
            },
        )

    def at(self, calendar: ServiceCalendar, notices: NoticeBoard, now: dt.datetime) -> Responsible:
        """The entry at `now`: open now (closures considered), today's hours, when it opens next, and the
        notices for the unit and its county."""
        status = office_status(
            calendar, notices, hours=self.hours, unit=self.unit_id, county=self.unit_county, now=now
        )
        if self._last is not None and self._last[0] == status:
            return self._last[1]
        entry = Responsible(**self.fields, **status)
        self._last = (status, entry)
        return entry


def responsible_entry(
    responsibility: Responsibility,
    unit: Unit,
    calendar: ServiceCalendar,
    notices: NoticeBoard,
    now: dt.datetime,
) -> Responsible:
    """How an agent sees one responsibility: who, which number, where to go (address, website), open now
    (closures considered), today's hours, when it opens next, and the notices for the unit and its county."""
    return ResponsibleOffice.of(responsibility, unit).at(calendar, notices, now)


def _applies(responsibility: Responsibility, found: PlaceMatch, county: str | None) -> bool:
    """Whether a responsibility serves where the agent is asked about: the place's VG (every Ortsgemeinde
    reaches its VG's units) or county, else the agent's county; nothing for a place outside the area."""
    if found.outside:
        return False
    territory = found.territory
    if territory is not None:
        if responsibility.place is not None:
            return responsibility.place in territory.municipalities
        return responsibility.county in territory.counties
    return county is None or responsibility.county == county


def _place(found: PlaceMatch) -> SearchPlace | None:
    """How the answer names what recognition found."""
    if (territory := found.territory) is not None:
        return SearchPlace(
            name=territory.name, county=territory.county, municipality=territory.municipality_name
        )
    if found.ambiguous:
        candidates = [
            PlaceCandidate(name=t.name, municipality=t.municipality_name, county=t.counties[0])
            for t in found.ambiguous
        ]
        where = "; ".join(f"{c.name} ({c.municipality})" for c in candidates)
        return SearchPlace(
            name=found.ambiguous_name or candidates[0].name,
            county=None,
            ambiguous=True,
            candidates=candidates,
            note=f"Ortsname mehrdeutig: {where} – bitte nachfragen",
        )
    if found.outside:
        return SearchPlace(name=found.outside, county=None, outside=True, note=OUTSIDE_NOTE)
    return None


async def _leika_responsible(
    session: AsyncSession,
    hit: RankedHit,
    found: PlaceMatch,
    county: str | None,
    calendar: ServiceCalendar,
    notices: NoticeBoard,
    now: dt.datetime,
) -> list[Responsible]:
    """The Kreisverwaltung for a county-level LeiKa entry when one county is asked about; else nobody."""
    if hit.level != ServiceLevel.county or found.outside or county is None:
        return []
    unit = await leika.county_office(session, county=county)
    if unit is None:
        return []
    responsibility = Responsibility(service=hit.id, unit=unit.id, county=county, place=None, notes=LEIKA_NOTE)
    return [responsible_entry(responsibility, unit, calendar, notices, now)]


async def search(
    *,
    index: SearchIndex,
    session: AsyncSession,
    gazetteer: Gazetteer,
    synonyms: SynonymTable,
    calendar: ServiceCalendar,
    notices: NoticeBoard,
    responsibilities: KeptResponsibilities[ResponsibleOffice],
    request: SearchRequest,
    now: dt.datetime,
) -> SearchResult:
    """Run one agent query: the answer of GET /api/v1/search."""
    started = time.perf_counter()
    found = gazetteer.detect(request.q, county=request.county)
    territory = found.territory
    county = request.county or (territory.county if territory else None)
    query_words = list(dict.fromkeys(words(found.text)))
    page = RankedPage()
    if query_words:
        completing = not request.q[-1:].isspace()
        page = await index.read(
            rank,
            query_words,
            completing=completing,
            county=county,
            offset=request.offset,
            limit=request.limit,
            synonyms=synonyms,
        )
    responsible = await responsibilities.for_services(
        session, service_ids=[h.id for h in page.hits if h.described]
    )
    hits = []
    for hit in page.hits:
        hits.append(
            SearchHit(
                id=hit.id,
                title=hit.title,
                leika=hit.leika,
                score=hit.score,
                snippet=hit.snippet,
                level=ServiceLevel(hit.level) if hit.level else None,
                described=hit.described,
                typisierung=hit.typisierung,
                notices=service_notices(notices, hit.id, now),
                responsible=[
                    office.at(calendar, notices, now)
                    for office in responsible.get(hit.id, [])
                    if _applies(office.responsibility, found, county)
                ]
                if hit.described
                else await _leika_responsible(session, hit, found, county, calendar, notices, now),
            )  # fmt: skip
        )
        # The process that answers searches also routes the PBX's calls: a route request waiting meanwhile
        # is answered between two hits, not after the whole page (up to fifty offices' statuses).
        await asyncio.sleep(0)
    return SearchResult(
        query=request.q,
        total=page.total,
        total_is_lower_bound=page.total_is_lower_bound,
        took_ms=round((time.perf_counter() - started) * 1000, 2),
        suggestion=suggestion(request.q, page.corrections, page.hits),
        place=_place(found),
        facets=page.facets,
        hits=hits,
    )
