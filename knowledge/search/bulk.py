"""BM25F over whole posting lists at once: the scores whoosh's matchers give, without stepping them per
document.

whoosh scores in Python, several matcher calls per document and term (about 10 µs a document), and at
50,000 services one broad word matches tens of thousands of them. Here each term's postings are read once
per searcher into arrays (document numbers, and their BM25F scores from the weights and the documents'
field lengths), and a query (Term, And, Or, AndMaybe; a Phrase through whoosh's own matcher, since the
title phrases it looks for are rare) is worked out as arrays over all documents of a segment. The formula
and the way children add up are whoosh's (BM25F with the searcher's parameters, a compound scoring the sum
of its matching children, boosts as factors), so every document gets the score whoosh would give it, and
every match is scored.

Runs in a read worker, beside ranking.py, with the searcher the worker holds.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import _length_byte_cache

__all__ = ["LeafScorer", "Scores", "Unsupported"]

BYTE_TO_LENGTH = np.asarray(_length_byte_cache, dtype=np.float64)
"""A stored length byte → the field length it stands for (whoosh keeps lengths as one byte each)."""
POSTINGS_KEPT = 2_000_000
"""Postings kept per segment, in all (16 bytes each): the terms asked all day are not read again."""

QUERIES_KEPT = 32
"""Answers to (parts of) queries kept per segment (each an array of 9 bytes a document: 0.5 MB at 50,000)."""


class Unsupported(Exception):
    """A query of a kind this module does not score, or a weighting other than BM25F: ranking.py builds
    only the kinds above, with whoosh's default weighting."""


@dataclass(frozen=True)
class Scores:
    """A query over one segment: which documents it matches, and their scores (0 elsewhere)."""

    matched: np.ndarray
    score: np.ndarray


class LeafScorer:
    """Scores queries over one segment (`leaf`) of `searcher`'s index, the global statistics (idf, average
    field length) taken from `searcher`, as whoosh does."""

    def __init__(self, searcher: Searcher, leaf: Searcher) -> None:
        weighting = searcher.weighting
        if type(weighting) is not BM25F:
            raise Unsupported(f"weighting {weighting!r}")
        self.searcher, self.leaf, self.weighting = searcher, leaf, weighting
        self.reader = leaf.reader()
        self.size = self.reader.doc_count_all()
        self.live = np.ones(self.size, dtype=bool)
        self.has_deletions = self.reader.has_deletions()
        if self.has_deletions:
            self.live[[n for n in range(self.size) if self.reader.is_deleted(n)]] = False
        self._lengths: dict[str, np.ndarray] = {}
        self._postings: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._kept = 0
        self._queries: OrderedDict[wq.Query, Scores] = OrderedDict()

    def scores(self, query: wq.Query) -> Scores:
        """The documents of this segment that `query` matches, with the scores whoosh gives them; the last
        QUERIES_KEPT answers are kept (a search asks the same parts again: to count, to name, to rank)."""
        if (kept := self._queries.get(query)) is not None:
            self._queries.move_to_end(query)
            return kept
        found = self._scores(query)
        found.matched.flags.writeable = found.score.flags.writeable = False
        self._queries[query] = found
        if len(self._queries) > QUERIES_KEPT:
            self._queries.popitem(last=False)
        return found

    def _scores(self, query: wq.Query) -> Scores:
        kind = type(query)
        if isinstance(query, wq.Term) and kind is wq.Term:
            ids, score = self._term(query.fieldname, query.text)
            matched = np.zeros(self.size, dtype=bool)
            matched[ids] = True
            dense = np.zeros(self.size)
            dense[ids] = score * query.boost if query.boost != 1.0 else score
            return Scores(matched, dense)
        if isinstance(query, wq.AndMaybe) and kind is wq.AndMaybe:
            a, b = self.scores(query.a), self.scores(query.b)
            return self._boosted(Scores(a.matched, np.where(a.matched, a.score + b.score, 0.0)), query)
        if isinstance(query, wq.And | wq.Or) and (
            kind is wq.And or (kind is wq.Or and getattr(query, "scale", None) is None)
        ):
            if not query.subqueries:
                return self._nothing()
            children = [self.scores(q) for q in query.subqueries]
            total = children[0].score.copy()
            matched = children[0].matched.copy()
            for child in children[1:]:
                total += child.score
                if kind is wq.And:
                    matched &= child.matched
                else:
                    matched |= child.matched
            return self._boosted(Scores(matched, np.where(matched, total, 0.0)), query)
        if kind is wq.Phrase or query is wq.NullQuery:
            return self._stepped(query)
        raise Unsupported(repr(query))

    def _nothing(self) -> Scores:
        return Scores(np.zeros(self.size, dtype=bool), np.zeros(self.size))

    def _boosted(self, scores: Scores, query: wq.Query) -> Scores:
        boost = getattr(query, "boost", 1.0)
        return scores if boost == 1.0 else Scores(scores.matched, scores.score * boost)

    def _stepped(self, query: wq.Query) -> Scores:
        """A query whoosh's matcher steps through, for kinds that match few documents (title phrases)."""
        found = self._nothing()
        matcher = query.matcher(self.leaf)
        while matcher.is_active():
            n = matcher.id()
            found.matched[n], found.score[n] = True, matcher.score()
            matcher.next()
        return found

    def _length(self, fieldname: str) -> np.ndarray:
        """Every document's length of `fieldname`, as whoosh's scorer reads it (one byte, decoded)."""
        if fieldname not in self._lengths:
            perdoc = self.reader._perdoc  # type: ignore[attr-defined]  # whoosh keeps the lengths there
            column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is None:
                raise Unsupported(f"no lengths for {fieldname}")
            stored = np.fromiter(column, dtype=np.uint8, count=self.size)
            self._lengths[fieldname] = BYTE_TO_LENGTH[stored]
        return self._lengths[fieldname]

    def load_lengths(self, fieldnames: list[str]) -> int:
        """Read the lengths of `fieldnames` now (a search would on its first term in each); how many were
        not read before."""
        missing = [name for name in fieldnames if name not in self._lengths]
        for name in missing:
            self._length(name)
        return len(missing)

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The live documents holding a term and the term's weights in them, read a block at a time and
        kept per segment (up to POSTINGS_KEPT)."""
        key = (fieldname, text)
        if (kept := self._postings.get(key)) is not None:
            self._postings.move_to_end(key)
            return kept
        btext = self.searcher.schema[fieldname].to_bytes(text) if fieldname in self.searcher.schema else b""
        ids: list[int] = []
        weights: list[float] = []
        if (fieldname, btext) in self.reader:
            postings = self.reader.postings(fieldname, btext)
            if isinstance(postings, FilterMatcher):  # deleted documents: the live mask leaves them out
                postings = postings.child
            if isinstance(postings, W3LeafMatcher):
                while postings.is_active():
                    postings._read_ids()
                    postings._read_weights()
                    ids.extend(postings._ids or ())
                    weights.extend(postings._weights or ())
                    postings._next_block()
            else:
                while postings.is_active():
                    ids.append(postings.id())
                    weights.append(postings.weight())
                    postings.next()
        found = np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)
        if self.has_deletions:
            live = self.live[found[0]]
            found = found[0][live], found[1][live]
        self._postings[key] = found
        self._kept += len(found[0])
        while self._kept > POSTINGS_KEPT and len(self._postings) > 1:
            self._kept -= len(self._postings.popitem(last=False)[1][0])
        return found

    def _term(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding the term and their scores (boost 1): BM25F, or the weight alone in a field
        without lengths (an ID such as `leika`), as whoosh scores them."""
        schema = self.searcher.schema
        if fieldname not in schema:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        ids, weights = self.postings(fieldname, text)
        if not schema[fieldname].scorable:
            return ids, weights
        return ids, self._bm25f(fieldname, schema[fieldname].to_bytes(text), ids, weights)

    def _bm25f(self, fieldname: str, btext: bytes, ids: np.ndarray, tf: np.ndarray) -> np.ndarray:
        """whoosh's bm25(): idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average length))."""
        parent = self.searcher.get_parent()
        idf = parent.idf(fieldname, btext)
        average = parent.avg_field_length(fieldname) or 1
        b = self.weighting._field_B.get(fieldname, self.weighting.B)
        k1 = self.weighting.K1
        length = self._length(fieldname)[ids]
        return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * length / average)))
