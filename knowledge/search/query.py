"""From what an agent typed to whoosh queries: synonyms, compounds, typos and the word still being typed.

Each typed word (or colloquial phrase from the synonym table) becomes a group of alternatives: the word
itself, its catalogue synonyms, spelling corrections when the index does not know it, and completions
when it is the word being typed. The strict query needs every group; the loose one any term.
A 14-digit word is a LeiKa key and matches the services and the LeiKa entry with that key.
Runs in a read worker process with its searcher, whose schema carries the analyzer of its index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice

from whoosh import query as wq
from whoosh.searching import Searcher

from knowledge.search.synonyms import Span, SynonymTable

__all__ = ["HEAD_FIELD", "QueryPlan", "SCORED_FIELD", "VOCABULARY", "max_edits", "on_field", "plan_query"]

SCORED_FIELD = "text"
HEAD_FIELD = "head"
VOCABULARY = "words"

SYNONYM_WEIGHT = 1.0
CORRECTION_WEIGHT = 0.9
COMPLETION_WEIGHT = 0.5
PHRASE_BOOST = 3.0
LEIKA_KEY = re.compile(r"\d{14}")
MAX_CORRECTIONS = 3
MAX_COMPLETIONS = 6
COMPLETION_SCAN = 64
CORRECTION_SCAN = 64
"""Known words within the tolerated edits looked at per typed word: a short word has hundreds of them."""
MAX_CORRECTED_LENGTH = 40
"""Longer typed words are not corrected: the catalogue's longest word has 32 letters, and the automaton
that finds near words grows with the word (200 × "ß", folded to 400 letters, took seconds)."""
MAX_ANALYSED_WORDS = 16
"""Words of one query that are analysed at all; the API refuses longer queries before they get here."""


def max_edits(word: str) -> int:
    """Typos tolerated in a word of this length: none up to 4 letters, one up to 8, two beyond."""
    return 0 if len(word) <= 4 else 1 if len(word) <= 8 else 2


@dataclass
class QueryPlan:
    """The queries for one search, and the corrections that went into them."""

    strict: wq.Query
    loose: wq.Query
    boost: wq.Query
    terms: frozenset[str]
    corrections: dict[str, str] = field(default_factory=dict)


class _Planner:
    def __init__(self, searcher: Searcher) -> None:
        self.reader = searcher.reader()
        self.analyzer = searcher.schema[SCORED_FIELD].analyzer

    def groups(self, text: str) -> list[list[str]]:
        """Terms of `text` by position: a compound comes with its parts at the same position."""
        by_position: dict[int, list[str]] = {}
        for token in self.analyzer(text, positions=True):
            by_position.setdefault(token.pos, []).append(token.text)
        return list(by_position.values())

    def knows(self, word: str) -> bool:
        """In the vocabulary, made of known parts, or stemmed to a term of some service's text."""
        if self.reader.doc_frequency(VOCABULARY, word):
            return True
        groups = self.groups(word)
        return any(len(g) > 1 or self.reader.doc_frequency(SCORED_FIELD, g[0]) for g in groups)

    def by_frequency(self, candidates: list[str], limit: int) -> list[str]:
        ranked = sorted(candidates, key=lambda w: -self.reader.doc_frequency(VOCABULARY, w))
        return ranked[:limit]

    def corrections(self, word: str) -> list[str]:
        """Known words within the tolerated edits, nearest first, then the most common."""
        if not word.isalpha() or len(word) > MAX_CORRECTED_LENGTH:
            return []
        for distance in range(1, max_edits(word) + 1):
            near = islice(self.reader.terms_within(VOCABULARY, word, distance, prefix=1), CORRECTION_SCAN)
            found = [w for w in near if w != word]
            if found:
                return self.by_frequency(found, MAX_CORRECTIONS)
        return []

    def completions(self, word: str) -> list[str]:
        """The most common known words that start with `word`."""
        if not 3 <= len(word) <= MAX_CORRECTED_LENGTH:
            return []
        expansions = islice(self.reader.expand_prefix(VOCABULARY, word), COMPLETION_SCAN)
        found = [t.decode() if isinstance(t, bytes) else t for t in expansions]
        return self.by_frequency([w for w in found if w != word], MAX_COMPLETIONS)


def _term(text: str, boost: float) -> wq.Query:
    return wq.Term(SCORED_FIELD, text, boost=boost)


def _strict_group(terms: list[str], boost: float) -> wq.Query:
    """A compound matches as a whole or by all of its parts."""
    whole = _term(terms[0], boost)
    if len(terms) == 1:
        return whole
    return wq.Or([whole, wq.And([_term(t, boost) for t in terms[1:]])])


def _alternatives(
    planner: _Planner, span: Span, completing: bool, corrections: dict[str, str]
) -> list[tuple[str, float]]:
    typed = " ".join(span.words)
    found = [(typed, 1.0)] + [(term, SYNONYM_WEIGHT) for term in span.alternatives]
    if len(span.words) > 1 or span.alternatives:
        return found
    word = span.words[0]
    if planner.knows(word):
        return found
    if completing and (completed := planner.completions(word)):
        return found + [(w, COMPLETION_WEIGHT) for w in completed]
    if fixed := planner.corrections(word):
        corrections[word] = fixed[0]
        return [(w, CORRECTION_WEIGHT) for w in fixed]
    return found


def plan_query(
    searcher: Searcher, query_words: list[str], synonyms: SynonymTable, *, completing: bool
) -> QueryPlan | None:
    """The strict and loose queries for the folded `query_words`; None when nothing is left to search."""
    planner = _Planner(searcher)
    spans = synonyms.spans(query_words[:MAX_ANALYSED_WORDS])
    corrections: dict[str, str] = {}
    required: list[wq.Query] = []
    anywhere: list[wq.Query] = []
    terms: set[str] = set()
    for i, span in enumerate(spans):
        if len(span.words) == 1 and LEIKA_KEY.fullmatch(span.words[0]):
            by_key = wq.Term("leika", span.words[0])
            required.append(by_key)
            anywhere.append(by_key)
            continue
        options, seen = [], set()
        for text, weight in _alternatives(planner, span, completing and i == len(spans) - 1, corrections):
            groups = planner.groups(text)
            if not groups or (key := tuple(map(tuple, groups))) in seen:
                continue
            seen.add(key)
            options.append(wq.And([_strict_group(g, weight) for g in groups]))
            anywhere += [_term(t, weight) for g in groups for t in g]
            terms.update(t for g in groups for t in g)
        if options:
            required.append(wq.Or(options))
    if not required:
        return None
    heads = [g[0] for g in planner.groups(" ".join(query_words))]
    in_title: list[wq.Query] = [wq.Term("title", t) for t in sorted(terms)]
    if len(heads) > 1:
        in_title.append(wq.Phrase("title", heads, boost=PHRASE_BOOST))
    return QueryPlan(
        wq.And(required).normalize(),
        wq.Or(anywhere).normalize(),
        wq.Or(in_title),
        frozenset(terms),
        corrections,
    )


def on_field(query: wq.Query, fieldname: str) -> wq.Query:
    """`query` asked of another field analysed the same way (the head field: titles and synonyms)."""

    def move(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Term) and node.fieldname == SCORED_FIELD:
            return wq.Term(fieldname, node.text, boost=node.boost)
        return node

    return query.accept(move)
