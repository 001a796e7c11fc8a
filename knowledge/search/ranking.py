"""Ranking one agent query with a whoosh searcher: the part of a search that costs CPU.

Runs where the searcher lives (a read worker process) and returns plain data. Its cost is bounded by
counts, never by the clock: matches are counted up to COUNT_LIMIT and at most SCORING_BUDGET of them
are scored, so a loaded server gives the same answer as an idle one.

Services and LeiKa entries share the index. EMH services always come first; after them the LeiKa entries
that no service describes (a key some service carries is described: read from the index's
`service_leika` field, once per searcher). Whether the strict query or the loosened one is used is
decided over both kinds together, so an entry that only LeiKa names is not pushed down by a loosened
list of services.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain, islice

from whoosh import query as wq
from whoosh.collectors import Collector, FilterCollector, WrappingCollector
from whoosh.highlight import ContextFragmenter, HtmlFormatter, get_text, highlight
from whoosh.searching import Hit, Searcher

from knowledge.search.analysis import fold
from knowledge.search.index import KIND_LEIKA, KIND_SERVICE
from knowledge.search.query import HEAD_FIELD, SCORED_FIELD, on_field, plan_query
from knowledge.search.synonyms import SynonymTable

__all__ = ["COUNT_LIMIT", "SCORING_BUDGET", "RankedHit", "RankedPage", "rank", "suggestion"]

SNIPPET_FIELDS = ("short_text", "body", "title")
COUNTY_BONUS = 1000.0
"""Added to the score of services with a responsibility in the agent's county, so they come first."""
COUNT_LIMIT = 1000
"""Matches are counted (total, facets) exactly up to this many; beyond, `total` is a lower bound."""
SCORING_BUDGET = 3000
"""At most this many matches are scored per query (whoosh scores in Python, about 10 µs a document).
Services named in titles or synonyms are scored first, so a broad word at 50,000 services still ranks
the services it names."""
FACETS = {"level": "level", "county": "counties", "kind": "kind"}
"""Facet name in the answer → index field it counts."""


@dataclass(frozen=True)
class RankedHit:
    """A hit as the ranking sees it; `synonyms` only spell the suggestion."""

    id: str
    title: str
    leika: str | None
    score: float
    snippet: str
    level: str | None
    synonyms: str
    described: bool = True
    typisierung: str | None = None


@dataclass
class RankedPage:
    """One page of ranked hits with the counts over all matches."""

    total: int = 0
    total_is_lower_bound: bool = False
    hits: list[RankedHit] = field(default_factory=list)
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


_local = threading.local()


def _text(term: str | bytes) -> str:
    return term.decode() if isinstance(term, bytes) else term


def _per_searcher(searcher: Searcher) -> dict:
    """A cache of what is derived from this searcher's index, for this thread; emptied with a new searcher."""
    if getattr(_local, "searcher", None) is not searcher:
        _local.searcher, _local.cache = searcher, {}
    return _local.cache


def _facet_values(searcher: Searcher) -> dict[str, list[tuple[str, ...]]]:
    """For each facet, the values of every document by number; built once per searcher and thread."""
    cache = _per_searcher(searcher)
    if "facets" not in cache:
        reader = searcher.reader()
        values: dict[str, list[tuple[str, ...]]] = {}
        for name, fieldname in FACETS.items():
            by_doc: list[tuple[str, ...]] = [()] * reader.doc_count_all()
            for term in reader.lexicon(fieldname):
                if not (value := _text(term)):
                    continue
                for docnum in reader.postings(fieldname, term).all_ids():
                    by_doc[docnum] += (value,)
            values[name] = by_doc
        cache["facets"] = values
    return cache["facets"]


def _described(searcher: Searcher) -> frozenset[int]:
    """Numbers of the LeiKa entries whose key some service in the index carries (a few hundred)."""
    cache = _per_searcher(searcher)
    if "described" not in cache:
        reader = searcher.reader()
        entries = (
            set(reader.postings("kind", KIND_LEIKA).all_ids())
            if reader.doc_frequency("kind", KIND_LEIKA)
            else set()
        )
        found: set[int] = set()
        for term in reader.lexicon("service_leika"):
            if _text(term) and reader.postings("service_leika", term).is_active():
                found.update(n for n in reader.postings("leika", term).all_ids() if n in entries)
        cache["described"] = frozenset(found)
    return cache["described"]


def _of_kind(core: wq.Query, kind: str) -> wq.Query:
    """`core` limited to one kind of document, scored as before."""
    return wq.And([core, wq.ConstantScoreQuery(wq.Term("kind", kind), 0.0)])


def _count_facets(searcher: Searcher, matched: list[int]) -> dict[str, dict[str, int]]:
    values = _facet_values(searcher)
    return {
        name: dict(sorted(Counter(chain.from_iterable(map(by_doc.__getitem__, matched))).items()))
        for name, by_doc in values.items()
    }


def _snippet(text: str, terms: frozenset[str], analyzer) -> str:
    """Up to two fragments of `text` around the query's terms, the terms marked."""
    return highlight(text, terms, analyzer, _FRAGMENTER, _FORMATTER, top=2) if text else ""


def _count(searcher: Searcher, query: wq.Query, exclude: frozenset[int] = frozenset()) -> list[int]:
    """The numbers of the first COUNT_LIMIT matches but those in `exclude`, unscored."""
    found: list[int] = []
    for subsearcher, offset in searcher.leaf_searchers():
        ids = (offset + n for n in query.matcher(subsearcher).all_ids())
        found += islice((n for n in ids if n not in exclude), COUNT_LIMIT - len(found))
        if len(found) >= COUNT_LIMIT:
            break
    return found


class _ScoringBudget(WrappingCollector):
    """Scores at most `budget` matches over all segments of the index, then stops collecting."""

    def __init__(self, child: Collector, budget: int) -> None:
        super().__init__(child)
        self.left = budget

    def collect_matches(self) -> None:
        for sub_docnum in self.child.matches():
            if self.left <= 0:
                return
            self.left -= 1
            self.child.collect(sub_docnum)


def _top(searcher: Searcher, query: wq.Query, limit: int, exclude: frozenset[int] = frozenset()) -> list[Hit]:
    child = searcher.collector(limit=limit)
    collector = _ScoringBudget(
        FilterCollector(child, restrict=set(exclude)) if exclude else child, SCORING_BUDGET
    )
    searcher.search_with_collector(query, collector)
    return list(collector.results())


def _ranked(searcher: Searcher, core: wq.Query, boost: wq.Query, county: str | None, need: int) -> list[Hit]:
    """The best `need` matches of `core`. When titles or synonyms name at least `need` services, only
    those are scored (the ranking puts them first anyway); otherwise the named ones are scored first and
    the other matches within SCORING_BUDGET, both with the same scoring, merged by score."""
    scored = wq.AndMaybe(core, boost)
    if county:
        scored = wq.AndMaybe(scored, wq.ConstantScoreQuery(wq.Term("counties", county), COUNTY_BONUS))
    head = on_field(core, HEAD_FIELD)
    named = len(list(islice(head.docs(searcher), need)))
    if named >= need:
        return _top(searcher, wq.And([head, scored]), need)
    by_doc = {hit.docnum: hit for hit in _top(searcher, scored, need)}
    if named:
        by_doc |= {hit.docnum: hit for hit in _top(searcher, wq.And([head, scored]), need)}
    return sorted(by_doc.values(), key=lambda hit: (-(hit.score or 0.0), hit.docnum))[:need]


def _scopes(searcher: Searcher, core: wq.Query, leika_only: bool) -> tuple[wq.Query | None, wq.Query]:
    """The service part and the LeiKa part of `core`, in rank order."""
    if leika_only:
        return None, _of_kind(core, KIND_LEIKA)
    return _of_kind(core, KIND_SERVICE), _of_kind(core, KIND_LEIKA)


def _ranked_hit(hit: Hit, county: str | None, snippet: str) -> RankedHit:
    in_county = county is not None and county in hit["counties"].split(",")
    described = hit["kind"] != KIND_LEIKA
    return RankedHit(
        id=hit["id"] if described else hit["leika"],
        title=hit["title"],
        leika=hit["leika"] or None,
        score=round((hit.score or 0.0) - (COUNTY_BONUS if in_county else 0.0), 3),
        snippet=snippet or hit["short_text"][:200],
        level=hit["level"] or None,
        synonyms=hit["synonyms"],
        described=described,
        typisierung=None if described else hit["typisierung"] or None,
    )


def rank(
    searcher: Searcher,
    query_words: list[str],
    *,
    completing: bool,
    county: str | None,
    offset: int,
    limit: int,
    synonyms: SynonymTable,
    leika_only: bool = False,
) -> RankedPage:
    """The page [offset, offset + limit) for `query_words`: strict query first, loosened to any word
    when it finds nothing; the last word is completed as a prefix while it is still being typed.
    Services first, then the LeiKa entries no service describes; `leika_only`: every LeiKa entry, alone."""
    plan = plan_query(searcher, query_words, synonyms, completing=completing)
    if plan is None:
        return RankedPage()
    described = frozenset() if leika_only else _described(searcher)
    services, entries = _scopes(searcher, plan.strict, leika_only)
    matched_services = _count(searcher, services) if services is not None else []
    matched_entries = _count(searcher, entries, described)
    if not matched_services and not matched_entries:
        services, entries = _scopes(searcher, plan.loose, leika_only)
        matched_services = _count(searcher, services) if services is not None else []
        matched_entries = _count(searcher, entries, described)
    need = offset + limit
    hits = _ranked(searcher, services, plan.boost, county, need) if services and matched_services else []
    if matched_entries and len(matched_services) < min(need, COUNT_LIMIT):
        hits += _top(searcher, wq.AndMaybe(entries, plan.boost), need - len(matched_services), described)
    matched = matched_services + matched_entries
    analyzer = searcher.schema[SCORED_FIELD].analyzer
    page = RankedPage(
        total=len(matched),
        total_is_lower_bound=len(matched_services) >= COUNT_LIMIT or len(matched_entries) >= COUNT_LIMIT,
        facets=_count_facets(searcher, matched),
        corrections=plan.corrections,
    )
    for hit in hits[offset : offset + limit]:
        snippet = next((s for f in SNIPPET_FIELDS if (s := _snippet(hit[f], plan.terms, analyzer))), "")
        page.hits.append(_ranked_hit(hit, county, snippet))
    return page


def suggestion(q: str, corrections: dict[str, str], hits: list[RankedHit]) -> str | None:
    """The query with its misspelt words corrected, spelt as the best hits spell them."""
    if not corrections:
        return None
    spelling = {fold(w): w.lower() for h in hits for w in re.findall(r"\w+", f"{h.title} {h.synonyms}")}
    return " ".join(
        spelling.get(corrections[f], corrections[f]) if (f := fold(w)) in corrections else w
        for w in re.findall(r"\w+", q)
    )
