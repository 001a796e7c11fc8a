"""Agent search: place detection, query building, ranking and hits with the responsible units.

The query text never reaches whoosh's query parser: agents type free text, not query syntax, so every
word is analysed and looked up as terms, AND first and loosened to OR when nothing matches.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession
from whoosh import query as wq
from whoosh.highlight import HtmlFormatter, get_text
from whoosh.searching import Searcher

from knowledge import store
from knowledge.analysis import normalise
from knowledge.index import SearchIndex
from knowledge.models import Place, PlaceKind, Responsibility, Unit
from routing.calendar import ServiceCalendar, WeeklyHours

__all__ = ["Gazetteer", "SearchRequest", "opening", "responsible_entry", "search"]

SEARCH_FIELDS = ("title", "synonyms", "short_text", "body")
SNIPPET_FIELDS = ("short_text", "body", "title")


def _fold(text: str) -> str:
    """Lower-case, umlauts and accents removed, punctuation to spaces: how place names are compared."""
    text = text.lower().replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", text))


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
            folded = _fold(place.name)
            keys = {folded, _fold(re.sub(r"\(.*?\)", "", place.name))}
            keys |= {folded.removeprefix(prefix) for prefix in self.PREFIXES}
            for key in keys:
                self._names.setdefault(key, territory)
            for code in place.postal_codes:
                self._postal.setdefault(code, territory)
        self._longest = max((len(k.split()) for k in self._names), default=1)

    def detect(self, text: str) -> tuple[Territory | None, str]:
        """The first place named in `text` (longest name wins) and the text without it."""
        words = _fold(text).split()
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
    """One agent query."""

    q: str
    county: str | None = None
    limit: int = 10
    offset: int = 0


@dataclass
class _Ranked:
    total: int
    hits: list[dict] = field(default_factory=list)


def _build_query(terms: list[str], group: type[wq.CompoundQuery]) -> wq.Query:
    return group([wq.Or([wq.Term(f, term) for f in SEARCH_FIELDS]) for term in terms])


class MarkFormatter(HtmlFormatter):
    """Escaped text with matched words in plain <mark> elements, fragments joined by an ellipsis."""

    def __init__(self) -> None:
        super().__init__(between=" … ")

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{self._text(get_text(text, token, replace))}</mark>"


_FORMATTER = MarkFormatter()


def _rank(searcher: Searcher, terms: list[str], request: SearchRequest) -> _Ranked:
    """AND over all terms; OR when AND finds nothing. Runs in a search thread."""
    flt = wq.Term("counties", request.county) if request.county else None
    results = None
    for group in (wq.And, wq.Or) if len(terms) > 1 else (wq.And,):
        results = searcher.search(_build_query(terms, group), limit=request.offset + request.limit, filter=flt)
        if not results.is_empty():
            break
    assert results is not None
    results.formatter = _FORMATTER
    ranked = _Ranked(total=len(results))
    for hit in results[request.offset : request.offset + request.limit]:
        snippet = next((s for f in SNIPPET_FIELDS if (s := hit.highlights(f, top=2))), "")
        ranked.hits.append(
            {
                "id": hit["id"],
                "title": hit["title"],
                "leika": hit["leika"] or None,
                "score": round(hit.score, 3),
                "snippet": snippet or hit["short_text"][:200],
                "level": hit["level"],
            }
        )
    return ranked


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
    calendar: ServiceCalendar,
    request: SearchRequest,
    now: dt.datetime,
) -> dict:
    """Run one agent query; the result is the JSON body of GET /api/v1/search."""
    started = time.perf_counter()
    territory, text = gazetteer.detect(request.q)
    county = request.county or (territory.county if territory else None)
    terms = list(dict.fromkeys(normalise(text)))
    ranked = _Ranked(total=0)
    if terms:
        ranked = await index.read(lambda s: _rank(s, terms, SearchRequest(text, county, request.limit, request.offset)))
    found = await store.responsibilities_for(session, service_ids=[h["id"] for h in ranked.hits])
    for hit in ranked.hits:
        hit["responsible"] = [
            responsible_entry(r, u, calendar, now) for r, u in found.get(hit["id"], []) if _applies(r, territory, county)
        ]
    return {
        "query": request.q,
        "total": ranked.total,
        "took_ms": round((time.perf_counter() - started) * 1000, 2),
        "suggestion": None,
        "place": {"name": territory.name, "county": territory.county} if territory else None,
        "hits": ranked.hits,
    }
