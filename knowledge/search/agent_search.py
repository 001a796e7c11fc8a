"""Agent search: place detection, query building, ranking and hits with the responsible units.

The query text never reaches whoosh's query parser: agents type free text, not query syntax, so every
word is analysed and looked up as terms, AND first and loosened to OR when nothing matches.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, islice

from sqlalchemy.ext.asyncio import AsyncSession
from whoosh import query as wq
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.highlight import ContextFragmenter, HtmlFormatter, get_text, highlight
from whoosh.searching import Results, Searcher

from knowledge.calendar import ServiceCalendar, WeeklyHours
from knowledge.catalogue import store
from knowledge.catalogue.models import Place, PlaceKind, Responsibility, Unit
from knowledge.search.analysis import fold, fold_text, words
from knowledge.search.index import SearchIndex
from knowledge.search.query import HEAD_FIELD, SCORED_FIELD, on_field, plan_query
from knowledge.search.synonyms import SynonymTable

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
            territory = Territory(
                by_id[municipality].name if municipality else place.name, place.county, municipality
            )
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
    total_is_lower_bound: bool = False
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
_FRAGMENTER = ContextFragmenter()
COUNTY_BONUS = 1000.0
"""Added to the score of services with a responsibility in the agent's county, so they come first."""
TIME_LIMIT_S = 0.05
"""A query that names no service in titles or synonyms is scored over all matches for at most this long."""
COUNT_LIMIT = 1000
"""Matches are counted (total, facets) exactly up to this many; beyond, `total` is a lower bound."""
FACETS = {"level": "level", "county": "counties"}
"""Facet name in the answer → index field it counts."""


_local = threading.local()


def _facet_values(searcher: Searcher) -> dict[str, list[tuple[str, ...]]]:
    """For each facet, the values of every document by number; built once per searcher and thread."""
    if getattr(_local, "searcher", None) is not searcher:
        reader = searcher.reader()
        values: dict[str, list[tuple[str, ...]]] = {}
        for name, fieldname in FACETS.items():
            by_doc: list[tuple[str, ...]] = [()] * reader.doc_count_all()
            for term in reader.lexicon(fieldname):
                value = term.decode() if isinstance(term, bytes) else term
                for docnum in reader.postings(fieldname, term).all_ids():
                    by_doc[docnum] += (value,)
            values[name] = by_doc
        _local.searcher, _local.facet_values = searcher, values
    return _local.facet_values


def _count_facets(searcher: Searcher, matched: list[int]) -> dict[str, dict[str, int]]:
    values = _facet_values(searcher)
    return {
        name: dict(sorted(Counter(chain.from_iterable(map(by_doc.__getitem__, matched))).items()))
        for name, by_doc in values.items()
    }


def _snippet(text: str, terms: frozenset[str], analyzer) -> str:
    """Up to two fragments of `text` around the query's terms, the terms marked."""
    return highlight(text, terms, analyzer, _FRAGMENTER, _FORMATTER, top=2) if text else ""


def _count(searcher: Searcher, query: wq.Query) -> list[int]:
    """The numbers of the first COUNT_LIMIT matches, unscored."""
    found: list[int] = []
    for subsearcher, offset in searcher.leaf_searchers():
        found += (offset + n for n in islice(query.matcher(subsearcher).all_ids(), COUNT_LIMIT - len(found)))
        if len(found) >= COUNT_LIMIT:
            break
    return found


def _top(searcher: Searcher, query: wq.Query, limit: int) -> Results:
    collector = TimeLimitCollector(searcher.collector(limit=limit), TIME_LIMIT_S, use_alarm=False)
    try:
        searcher.search_with_collector(query, collector)
    except TimeLimit:
        pass
    return collector.results()


def _ranked(searcher: Searcher, core: wq.Query, boost: wq.Query, county: str | None, need: int) -> Results:
    """The best `need` matches of `core`: when enough of them are named in titles or synonyms, only those
    are scored (the ranking rule puts them first anyway), otherwise every match, within TIME_LIMIT_S."""
    scored = wq.AndMaybe(core, boost)
    if county:
        scored = wq.AndMaybe(scored, wq.ConstantScoreQuery(wq.Term("counties", county), COUNTY_BONUS))
    head = on_field(core, HEAD_FIELD)
    if len(list(islice(head.docs(searcher), need))) >= need:
        return _top(searcher, wq.And([head, scored]), need)
    return _top(searcher, scored, need)


def _rank(
    searcher: Searcher,
    query_words: list[str],
    request: SearchRequest,
    county: str | None,
    synonyms: SynonymTable,
) -> _Ranked:
    """Strict query first, loosened to any word when it finds nothing. Runs in a search thread."""
    completing = not request.q[-1:].isspace()
    plan = plan_query(searcher, query_words, synonyms, completing=completing)
    if plan is None:
        return _Ranked()
    core = plan.strict
    matched = _count(searcher, core)
    if not matched:
        core = plan.loose
        matched = _count(searcher, core)
    results = _ranked(searcher, core, plan.boost, county, request.offset + request.limit)
    analyzer = searcher.schema[SCORED_FIELD].analyzer
    ranked = _Ranked(
        total=len(matched),
        total_is_lower_bound=len(matched) >= COUNT_LIMIT,
        facets=_count_facets(searcher, matched),
        corrections=plan.corrections,
    )
    for hit in results[request.offset : request.offset + request.limit]:
        snippet = next((s for f in SNIPPET_FIELDS if (s := _snippet(hit[f], plan.terms, analyzer))), "")
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


def responsible_entry(
    responsibility: Responsibility, unit: Unit, calendar: ServiceCalendar, now: dt.datetime
) -> dict:
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
            responsible_entry(r, u, calendar, now)
            for r, u in found.get(hit["id"], [])
            if _applies(r, territory, county)
        ]
    return {
        "query": request.q,
        "total": ranked.total,
        "total_is_lower_bound": ranked.total_is_lower_bound,
        "took_ms": round((time.perf_counter() - started) * 1000, 2),
        "suggestion": suggestion,
        "place": {"name": territory.name, "county": territory.county} if territory else None,
        "facets": ranked.facets,
        "hits": ranked.hits,
    }
