"""Agent search: place detection, query building, ranking and hits with the responsible units.

The query text never reaches whoosh's query parser: agents type free text, not query syntax, so every
word is analysed and looked up as terms, AND first and loosened to OR when nothing matches.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession
from whoosh import query as wq
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.highlight import HtmlFormatter, get_text
from whoosh.searching import Results, Searcher
from whoosh.sorting import Count, FieldFacet

from knowledge import store
from knowledge.analysis import fold, fold_text, words
from knowledge.index import SearchIndex
from knowledge.query import plan_query
from knowledge.synonyms import SynonymTable
from knowledge.models import Place, PlaceKind, Responsibility, Unit
from routing.calendar import ServiceCalendar, WeeklyHours

__all__ = ["Gazetteer", "SearchRequest", "opening", "responsible_entry", "search"]

SNIPPET_FIELDS = ("short_text", "body", "title")


@dataclass(frozen=True)
class Territory:
    """A place recognised in a query: its county and the VG or verbandsfreie Gemeinde it belongs to."""

    name: str
    county: str
    municipality: str | None


class Gazetteer:
    """Place names and postal codes of the catalogue, recognised inside a query."""

    PREFIXES = ("verbandsgemeinde ", "vg ", "stadt ", "gemeinde ")

    def __init__(self, places: list[Place]) -> None:
        by_id = {p.id: p for p in places}
        self._names: dict[str, Territory] = {}
        self._postal: dict[str, Territory] = {}
        for place in places:
            municipality = place.id if place.kind is not PlaceKind.ortsgemeinde else place.parent
            territory = Territory(by_id[municipality].name if municipality else place.name, place.county, municipality)
            folded = fold_text(place.name)
            keys = {folded, fold_text(re.sub(r"\(.*?\)", "", place.name))}
            keys |= {folded.removeprefix(prefix) for prefix in self.PREFIXES}
            for key in keys:
                self._names.setdefault(key, territory)
            for code in place.postal_codes:
                self._postal.setdefault(code, territory)
        self._longest = max((len(k.split()) for k in self._names), default=1)

    def detect(self, text: str) -> tuple[Territory | None, str]:
        """The first place named in `text` (longest name wins) and the text without it."""
        words = fold_text(text).split()
        for i, word in enumerate(words):
            if word in self._postal:
                return self._postal[word], " ".join(words[:i] + words[i + 1 :])
        for size in range(min(self._longest, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                territory = self._names.get(" ".join(words[i : i + size]))
                if territory:
                    return territory, " ".join(words[:i] + words[i + size :])
        return None, text


@dataclass(frozen=True)
class SearchRequest:
    """One agent query. A query that does not end in a space is still being typed: its last word is
    completed as a prefix."""

    q: str
    county: str | None = None
    limit: int = 10
    offset: int = 0


@dataclass
class _Ranked:
    total: int = 0
    hits: list[dict] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    corrections: dict[str, str] = field(default_factory=dict)


class MarkFormatter(HtmlFormatter):
    """Escaped text with matched words in plain <mark> elements, fragments joined by an ellipsis."""

    def __init__(self) -> None:
        super().__init__(between=" … ")

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{self._text(get_text(text, token, replace))}</mark>"


_FORMATTER = MarkFormatter()
COUNTY_BONUS = 1000.0
"""Added to the score of services with a responsibility in the agent's county, so they come first."""
FACETS = {"level": FieldFacet("level"), "county": FieldFacet("counties", allow_overlap=True)}
TIME_LIMIT_S = 0.25
"""A loose query over a very large catalogue stops collecting after this long and ranks what it has."""


def _collect(searcher: Searcher, query: wq.Query, limit: int) -> Results:
    collector = TimeLimitCollector(
        searcher.collector(limit=limit, groupedby=FACETS, maptype=Count), TIME_LIMIT_S, use_alarm=False
    )
    try:
        searcher.search_with_collector(query, collector)
    except TimeLimit:
        pass
    return collector.results()


def _rank(searcher: Searcher, query_words: list[str], request: SearchRequest, county: str | None,
          synonyms: SynonymTable) -> _Ranked:
    """Strict query first, loosened to any word when it finds nothing. Runs in a search thread."""
    completing = not request.q[-1:].isspace()
    plan = plan_query(searcher, query_words, synonyms, completing=completing)
    if plan is None:
        return _Ranked()
    results = None
    for query in (plan.strict, plan.loose):
        if county:
            query = wq.AndMaybe(query, wq.ConstantScoreQuery(wq.Term("counties", county), COUNTY_BONUS))
        results = _collect(searcher, query, request.offset + request.limit)
        if not results.is_empty():
            break
    assert results is not None
    results.formatter = _FORMATTER
    ranked = _Ranked(
        total=len(results),
        facets={name: dict(sorted(results.groups(name).items())) for name in FACETS},
        corrections=plan.corrections,
    )
    for hit in results[request.offset : request.offset + request.limit]:
        snippet = next((s for f in SNIPPET_FIELDS if (s := hit.highlights(f, top=2))), "")
        in_county = county is not None and county in hit["counties"].split(",")
        ranked.hits.append(
            {
                "id": hit["id"],
                "title": hit["title"],
                "leika": hit["leika"] or None,
                "score": round(hit.score - (COUNTY_BONUS if in_county else 0.0), 3),
                "snippet": snippet or hit["short_text"][:200],
                "level": hit["level"],
                "synonyms": hit["synonyms"],
            }
        )
    return ranked


def _suggestion(q: str, corrections: dict[str, str], hits: list[dict]) -> str | None:
    """The query with its misspelt words corrected, spelt as the best hits spell them."""
    if not corrections:
        return None
    spelling = {fold(w): w.lower() for h in hits for w in re.findall(r"\w+", f"{h['title']} {h['synonyms']}")}
    return " ".join(
        spelling.get(corrections[f], corrections[f]) if (f := fold(w)) in corrections else w
        for w in re.findall(r"\w+", q)
    )


@lru_cache(maxsize=4096)
def _hours(frozen: tuple) -> WeeklyHours:
    return WeeklyHours.model_validate(dict(frozen))


def _weekly(hours: dict | None) -> WeeklyHours | None:
    if not hours:
        return None
    return _hours(tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(hours.items())))


def opening(
    hours: dict | None, calendar: ServiceCalendar, now: dt.datetime
) -> tuple[str | None, bool | None]:
    """Opening hours as German text and whether open at `now`; (None, None) when hours are unknown."""
    weekly = _weekly(hours)
    if weekly is None:
        return None, None
    return weekly.describe(), calendar.is_open(weekly, now)


def responsible_entry(responsibility: Responsibility, unit: Unit, calendar: ServiceCalendar, now: dt.datetime) -> dict:
    """How an agent sees one responsibility: who, which number, open now."""
    hours, open_now = opening(responsibility.hours or unit.hours, calendar, now)
    return {
        "county": responsibility.county,
        "place": responsibility.place,
        "unit_id": unit.id,
        "unit": unit.name,
        "phone": unit.phone,
        "extension": unit.extension,
        "email": unit.email,
        "hours": hours,
        "open_now": open_now,
        "fees": responsibility.fees,
        "notes": responsibility.notes,
    }


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
) -> dict:
    """Run one agent query; the result is the JSON body of GET /api/v1/search."""
    started = time.perf_counter()
    territory, text = gazetteer.detect(request.q)
    county = request.county or (territory.county if territory else None)
    query_words = list(dict.fromkeys(words(text)))
    ranked = _Ranked()
    if query_words:
        ranked = await index.read(lambda s: _rank(s, query_words, request, county, synonyms))
    found = await store.responsibilities_for(session, service_ids=[h["id"] for h in ranked.hits])
    suggestion = _suggestion(request.q, ranked.corrections, ranked.hits)
    for hit in ranked.hits:
        del hit["synonyms"]
        hit["responsible"] = [
            responsible_entry(r, u, calendar, now) for r, u in found.get(hit["id"], []) if _applies(r, territory, county)
        ]
    return {
        "query": request.q,
        "total": ranked.total,
        "took_ms": round((time.perf_counter() - started) * 1000, 2),
        "suggestion": suggestion,
        "place": {"name": territory.name, "county": territory.county} if territory else None,
        "facets": ranked.facets,
        "hits": ranked.hits,
    }
