"""The colloquial-word table an agent's query is widened with ("perso" → Personalausweis).

It is applied to queries, not to the index, so an edited table counts from the next search on. The shared
list lives in the database (knowledge/search/synonym_versions.py); YAML files seed it on a first start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge.search.analysis import words
from knowledge.yaml_files import read_yaml

__all__ = ["Span", "SynonymTable", "read_synonym_files"]


@dataclass(frozen=True)
class Span:
    """Query words taken together, with what the catalogue calls them."""

    words: tuple[str, ...]
    alternatives: tuple[str, ...] = ()


class SynonymTable:
    """Folded word sequences and their catalogue terms."""

    def __init__(self, entries: dict[tuple[str, ...], tuple[str, ...]]) -> None:
        self._entries = entries
        self._longest = max((len(k) for k in entries), default=1)

    def __eq__(self, other: object) -> bool:
        """Tables are equal by content: a ranked page kept for one table serves an equal one (the table
        travels to the search workers by pickle, a new object with every query)."""
        return isinstance(other, SynonymTable) and self._entries == other._entries

    def __hash__(self) -> int:
        if (cached := self.__dict__.get("_hash")) is None:
            cached = self.__dict__["_hash"] = hash(frozenset(self._entries.items()))
        return cached

    @classmethod
    def from_entries(cls, entries: Mapping[str, Sequence[str]]) -> SynonymTable:
        """The table of `entries` (what callers say -> catalogue terms); entries folding alike are merged."""
        merged: dict[tuple[str, ...], tuple[str, ...]] = {}
        for said, terms in entries.items():
            key = tuple(words(str(said)))
            if key:
                merged[key] = tuple(dict.fromkeys(merged.get(key, ()) + tuple(terms)))
        return cls(merged)

    @classmethod
    def load(cls, paths: Iterable[Path]) -> SynonymTable:
        """The table of the YAML files at `paths` (see `read_synonym_files`)."""
        return cls.from_entries(read_synonym_files(paths))

    def spans(self, query_words: list[str]) -> list[Span]:
        """`query_words` (folded) grouped into spans, the longest table entry at each position first."""
        spans, i = [], 0
        while i < len(query_words):
            for size in range(min(self._longest, len(query_words) - i), 0, -1):
                key = tuple(query_words[i : i + size])
                if key in self._entries:
                    spans.append(Span(key, self._entries[key]))
                    i += size
                    break
            else:
                spans.append(Span((query_words[i],)))
                i += 1
        return spans


def read_synonym_files(paths: Iterable[Path]) -> dict[str, list[str]]:
    """The entries of the YAML tables at `paths`, later files adding to earlier ones; ValueError names a bad
    file. They seed the shared list in the database on a first start."""
    entries: dict[str, list[str]] = {}
    for path in paths:
        data = read_yaml(path) or {}
        if not isinstance(data, dict) or not all(
            isinstance(v, list) and all(isinstance(t, str) for t in v) for v in data.values()
        ):
            raise ValueError(f"{path}: expected a mapping of words to lists of catalogue terms")
        for said, terms in data.items():
            entries[str(said)] = list(dict.fromkeys(entries.get(str(said), []) + terms))
    return entries
