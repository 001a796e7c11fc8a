"""Ranking one agent query with a whoosh searcher: the part of a search that costs CPU.

Runs where the searcher lives (a read worker process) and returns plain data. Its cost is bounded by
counts, never by the clock: matches are counted up to COUNT_LIMIT, and every match is scored at once over
whole posting lists (bulk.py, with the scores whoosh's matchers would give), so a loaded server gives the
same answer as an idle one.

Services and LeiKa entries share the index. EMH services always come first; after them the LeiKa entries
that no service describes (a key some service carries is described: read from the index's
`service_leika` field, once per searcher). Whether the strict query or the loosened one is used is
decided over both kinds together, so an entry that only LeiKa names is not pushed down by a loosened
list of services.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq
from whoosh.highlight import ContextFragmenter, HtmlFormatter, get_text, highlight
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from knowledge.search.analysis import fold, fold_text
from knowledge.search.bulk import LeafScorer
from knowledge.search.index import KIND_LEIKA
from knowledge.search.query import HEAD_FIELD, SCORED_FIELD, on_field, plan_query
from knowledge.search.synonyms import SynonymTable

__all__ = ["CACHED_PAGES", "COUNT_LIMIT", "RankedHit", "RankedPage", "rank", "suggestion", "warm"]

SNIPPET_FIELDS = ("short_text", "body", "title")
COUNTY_BONUS = 1000.0
"""Added to the score of services with a responsibility in the agent's county, so they come first."""
COUNT_LIMIT = 1000
"""Matches are counted (total, facets) exactly up to this many; beyond, `total` is a lower bound."""
CACHED_PAGES = 2000
"""Ranked pages kept per searcher, that is per generation of the index (a write opens a new searcher, which
starts empty): the queries agents ask all day and the prefixes search as you type repeats are answered
without ranking them again, with the same page."""
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


def _facet_values(searcher: Searcher) -> dict[str, dict[str, np.ndarray]]:
    """For each facet, the documents (numbered over the whole index) holding each of its values, as arrays;
    built once per searcher and thread."""
    cache = _per_searcher(searcher)
    if "facets" not in cache:
        size = searcher.reader().doc_count_all()
        values: dict[str, dict[str, np.ndarray]] = {}
        for name, fieldname in FACETS.items():
            holding = values[name] = {}
            for leaf, offset in searcher.leaf_searchers():
                postings = _leaf_scorer(searcher, leaf).postings
                for term in leaf.reader().lexicon(fieldname):
                    if value := _text(term):
                        found = holding.setdefault(value, np.zeros(size, dtype=bool))
                        found[postings(fieldname, value)[0] + offset] = True
        cache["facets"] = values
    return cache["facets"]


def _described(searcher: Searcher) -> frozenset[int]:
    """Numbers of the LeiKa entries whose key some service in the index carries (a few hundred)."""
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
    return frozenset(found)


@dataclass
class _Segment:
    """Document sets of one segment of the index, numbered within the segment: what the ranking restricts
    to or favours, as sets (for counting) and as arrays over the segment (for scoring)."""

    size: int
    entries: frozenset[int]
    open_entries: frozenset[int]
    """LeiKa entries that no service describes."""
    reader: IndexReader
    counties: dict[str, frozenset[int]] = field(default_factory=dict)
    masks: dict[str, np.ndarray] = field(default_factory=dict)

    def mask(self, kind: str) -> np.ndarray:
        """The documents a scope of `kind` holds (services, entries, open entries), as an array."""
        if kind not in self.masks:
            inside = self._array(self.open_entries if kind == OPEN_ENTRIES else self.entries)
            self.masks[kind] = ~inside if kind == SERVICES else inside
        return self.masks[kind]

    def county_mask(self, key: str) -> np.ndarray:
        """The documents with a responsibility in county `key`, as an array."""
        if (name := f"county {key}") not in self.masks:
            self.masks[name] = self._array(self.county(key))
        return self.masks[name]

    def county(self, key: str) -> frozenset[int]:
        if key not in self.counties:
            postings = (
                self.reader.postings("counties", key) if self.reader.doc_frequency("counties", key) else None
            )
            self.counties[key] = frozenset(postings.all_ids()) if postings else frozenset()
        return self.counties[key]

    def _array(self, ids: frozenset[int]) -> np.ndarray:
        inside = np.zeros(self.size, dtype=bool)
        inside[sorted(ids)] = True
        return inside


def _segments(searcher: Searcher) -> dict[int, _Segment]:
    """The document sets of each segment (by `id` of its leaf searcher); built once per searcher."""
    cache = _per_searcher(searcher)
    if "segments" not in cache:
        described = _described(searcher)
        segments = {}
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            entries = frozenset(
                reader.postings("kind", KIND_LEIKA).all_ids()
                if reader.doc_frequency("kind", KIND_LEIKA)
                else ()
            )
            segments[id(leaf)] = _Segment(
                reader.doc_count_all(),
                entries,
                frozenset(n for n in entries if n + offset not in described),
                reader,
            )
        cache["segments"] = segments
    return cache["segments"]


SERVICES, ENTRIES, OPEN_ENTRIES = "services", "entries", "open entries"
"""What a scope holds: the services, every LeiKa entry, or the LeiKa entries no service describes."""


@dataclass(frozen=True)
class _Scope:
    """`child` limited to one kind of document (services: every document but the LeiKa entries; entries:
    the LeiKa entries no service describes), services in `county` scored COUNTY_BONUS higher."""

    child: wq.Query
    kind: str
    segments: dict[int, _Segment]
    county: str | None = None

    def scored(self, boost: wq.Query, county: str | None = None, head: wq.Query | None = None) -> _Scope:
        """The same documents (those `head` matches too, when given), the query's title words and phrase
        as optional boosts, the county's services first."""
        child = wq.AndMaybe(self.child, boost)
        return _Scope(wq.And([head, child]) if head else child, self.kind, self.segments, county)


def _count_facets(searcher: Searcher, matched: list[int]) -> dict[str, dict[str, int]]:
    ids = np.asarray(matched, dtype=np.int64)
    return {
        name: {
            value: count for value in sorted(holding) if (count := int(np.count_nonzero(holding[value][ids])))
        }
        for name, holding in _facet_values(searcher).items()
    }


def _snippet(text: str, terms: frozenset[str], analyzer) -> str:
    """Up to two fragments of `text` around the query's terms, the terms marked. Every term the analyzer
    makes is a stem or compound part of a folded word, so a text whose folded words hold none of the terms
    has no fragment, and is not analysed (the highlighter analyses every word: most of a snippet's cost)."""
    if not text:
        return ""
    folded = fold_text(text)
    if not any(term in folded for term in terms):
        return ""
    return highlight(text, terms, analyzer, _FRAGMENTER, _FORMATTER, top=2)


def _count(searcher: Searcher, query: _Scope) -> list[int]:
    """The numbers of the first COUNT_LIMIT matches."""
    found: list[int] = []
    for leaf, offset in searcher.leaf_searchers():
        matched = _leaf_scorer(searcher, leaf).scores(query.child).matched & query.segments[id(leaf)].mask(
            query.kind
        )
        found += (np.flatnonzero(matched)[: COUNT_LIMIT - len(found)] + offset).tolist()
        if len(found) >= COUNT_LIMIT:
            break
    return found


@dataclass(frozen=True)
class _Scored:
    """A scored document: its number, score and stored fields (by name, as whoosh's Hit reads them)."""

    docnum: int
    score: float
    fields: dict

    def __getitem__(self, name: str):
        return self.fields[name]


def _leaf_scorer(searcher: Searcher, leaf: Searcher) -> LeafScorer:
    scorers = _per_searcher(searcher).setdefault("scorers", {})
    if id(leaf) not in scorers:
        scorers[id(leaf)] = LeafScorer(searcher, leaf)
    return scorers[id(leaf)]


def _top(searcher: Searcher, query: _Scope, limit: int) -> list[_Scored]:
    """The best `limit` documents of `query` by score, then number (as whoosh's top-N collector orders
    them), every match scored at once (bulk.py)."""
    best: list[tuple[float, int]] = []
    for leaf, offset in searcher.leaf_searchers():
        scores = _leaf_scorer(searcher, leaf).scores(query.child)
        segment = query.segments[id(leaf)]
        score = scores.score
        if query.county:
            score = score + np.where(segment.county_mask(query.county), COUNTY_BONUS, 0.0)
        found = np.flatnonzero(scores.matched & segment.mask(query.kind))
        top = found[np.lexsort((found, -score[found]))[:limit]]
        best += [(float(score[n]), offset + int(n)) for n in top]
    best.sort(key=lambda pair: (-pair[0], pair[1]))
    reader = searcher.reader()
    return [_Scored(n, s, reader.stored_fields(n)) for s, n in best[:limit]]


def _named(searcher: Searcher, head: wq.Query) -> int:
    """How many services titles or synonyms name (`head`)."""
    return sum(
        int(np.count_nonzero(_leaf_scorer(searcher, leaf).scores(head).matched))
        for leaf, _ in searcher.leaf_searchers()
    )


def _ranked(
    searcher: Searcher, services: _Scope, boost: wq.Query, county: str | None, need: int
) -> list[_Scored]:
    """The best `need` services `services` matches, those that titles or synonyms name (`head`) scored with
    their title and synonym words too. When they name at least `need` services, only those are ranked."""
    head = on_field(services.child, HEAD_FIELD)
    named = _named(searcher, head)
    if named >= need:
        return _top(searcher, services.scored(boost, county, head), need)
    by_doc = {hit.docnum: hit for hit in _top(searcher, services.scored(boost, county), need)}
    if named:
        by_doc |= {hit.docnum: hit for hit in _top(searcher, services.scored(boost, county, head), need)}
    return sorted(by_doc.values(), key=lambda hit: (-(hit.score or 0.0), hit.docnum))[:need]


def _scopes(searcher: Searcher, core: wq.Query, leika_only: bool) -> tuple[_Scope | None, _Scope]:
    """The service part and the LeiKa part of `core`, in rank order."""
    segments = _segments(searcher)
    if leika_only:
        return None, _Scope(core, ENTRIES, segments)
    return _Scope(core, SERVICES, segments), _Scope(core, OPEN_ENTRIES, segments)


def _ranked_hit(hit: _Scored, county: str | None, snippet: str) -> RankedHit:
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


def warm(searcher: Searcher) -> int:
    """Build now what the first search on a new generation of the index would otherwise wait for: the
    document sets of each segment, the facets' sets and each segment's scorer with its field lengths
    (a quarter to a whole second at 50,000 services). Returns how many of these it built: 0 when the
    searcher was warm."""
    cache = _per_searcher(searcher)
    built = 0
    if "segments" not in cache:
        _segments(searcher)
        built += 1
    if "facets" not in cache:
        _facet_values(searcher)
        built += 1
    scored = [name for name, field_type in searcher.schema.items() if field_type.scorable]
    for leaf, _ in searcher.leaf_searchers():
        built += _leaf_scorer(searcher, leaf).load_lengths(scored)
    return built


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
    Services first, then the LeiKa entries no service describes; `leika_only`: every LeiKa entry, alone.
    The last CACHED_PAGES pages of this searcher are answered again without ranking."""
    pages = _per_searcher(searcher).setdefault("pages", OrderedDict())
    key = (tuple(query_words), completing, county, offset, limit, leika_only, synonyms)
    if (page := pages.get(key)) is not None:
        pages.move_to_end(key)
        return page
    page = _rank(searcher, query_words, completing, county, offset, limit, synonyms, leika_only)
    pages[key] = page
    if len(pages) > CACHED_PAGES:
        pages.popitem(last=False)
    return page


def _rank(
    searcher: Searcher,
    query_words: list[str],
    completing: bool,
    county: str | None,
    offset: int,
    limit: int,
    synonyms: SynonymTable,
    leika_only: bool,
) -> RankedPage:
    plan = plan_query(searcher, query_words, synonyms, completing=completing)
    if plan is None:
        return RankedPage()
    services, entries = _scopes(searcher, plan.strict, leika_only)
    matched_services = _count(searcher, services) if services is not None else []
    matched_entries = _count(searcher, entries)
    if not matched_services and not matched_entries:
        services, entries = _scopes(searcher, plan.loose, leika_only)
        matched_services = _count(searcher, services) if services is not None else []
        matched_entries = _count(searcher, entries)
    need = offset + limit
    hits = (
        _ranked(searcher, services, plan.boost, county, need)
        if services is not None and matched_services
        else []
    )
    if matched_entries and len(matched_services) < min(need, COUNT_LIMIT):
        hits += _top(searcher, entries.scored(plan.boost), need - len(matched_services))
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
