"""Places named in an agent's query: the catalogue's place names and postal codes, found inside free text.

A recognised place narrows who is responsible (the VG for VG matters, the county otherwise) and is taken
out of the query before the words are searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.catalogue.models import Place, PlaceKind
from knowledge.search.analysis import fold_text

__all__ = ["Gazetteer", "Territory"]


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
