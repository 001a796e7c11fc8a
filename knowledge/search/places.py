"""Places named in an agent's query: every Gemeinde and Verbandsgemeinde of the catalogue, their usual
short forms, postal codes, and a few known places outside the area, found inside free text.

A recognised place narrows who is responsible (its Verbandsgemeinde for VG matters, its county
otherwise) and is taken out of the query before the words are searched. The rules:

- Names are compared folded (case, umlauts, punctuation ignored), the longest name first. Each place is
  known by its name, its `aliases`, and short forms made from them: without "(Mosel)", "bei Prüm",
  "an der Kyll", "am See", without "Stadt"/"Verbandsgemeinde"/"VG", and, for an Ortsgemeinde with a
  double name, each part ("Treis" of Treis-Karden).
- A name that fits places in more than one VG or verbandsfreie Gemeinde (Esch, Burg, Roth …) is
  ambiguous: it counts only when the rest of the query settles it — a postal code, the VG, another place
  or the county (also the county the agent works for) that only one of them shares. Otherwise no place
  is picked and nothing is narrowed; the answer names the candidates, and the name is taken out of the
  query (it is a place name either way) unless it is also an everyday word (Burg, Forst).
- A postal code names the Gemeinden that have it; one shared by several VGs narrows to all of them.
- A Gemeinde whose name is an everyday word (`common_words`: Schutz, Weiler, Karl …) counts only after a
  place preposition ("in Schutz") or with its postal code or VG in the same query; otherwise it is a word
  ("Schutz vor Stalking").
- A known place outside the area (`outside_places`, or a postal code of a neighbouring region that is no
  code of the area) is reported as outside and taken out of the query.

Everything here is plain data built from the places, so a search process can rebuild it from the same
lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.catalogue.models import Place, PlaceKind
from knowledge.search.analysis import fold, fold_text
from knowledge.yaml_files import read_yaml

__all__ = ["Gazetteer", "PlaceMatch", "PlaceWords", "Territory"]

PREFIXES = ("verbandsgemeinde ", "vg ", "stadt ", "gemeinde ")
SUFFIXES = (" stadt",)
QUALIFIER = re.compile(r"\s+(?:bei|an der|am|im)\s+.+$|\s*\(.*?\)")
"""What short forms drop: "Roth bei Prüm", "Auw an der Kyll", "Biersdorf am See", "Zell (Mosel)"."""
PREPOSITIONS = frozenset({"in", "aus", "bei", "nach", "von", "im"})
POSTCODE = re.compile(r"\d{5}")
OUTSIDE_NOTE = "liegt außerhalb des EMH-Gebiets"


@dataclass(frozen=True)
class PlaceWords:
    """The recognition data beside places.yaml: everyday-word names and known places outside."""

    common_words: frozenset[str] = frozenset()
    outside_places: tuple[str, ...] = ()
    outside_postcode_regions: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path) -> PlaceWords:
        """Read `path` (config/catalogue/place-recognition.yaml); a missing file is empty data."""
        if not path.exists():
            return cls()
        data = read_yaml(path) or {}
        return cls(
            frozenset(fold_text(str(w)) for w in data.get("common_words") or []),
            tuple(str(p) for p in data.get("outside_places") or []),
            tuple(str(r) for r in data.get("outside_postcode_regions") or []),
        )


@dataclass(frozen=True)
class _Known:
    """One place as recognition needs it."""

    id: str
    name: str
    county: str
    municipality: str
    municipality_name: str
    is_gemeinde: bool


@dataclass(frozen=True)
class Territory:
    """Where a recognised place lies: its name, the counties, and the VGs or verbandsfreie Gemeinden
    (one for a Gemeinde or VG; several for a postal code shared by VGs)."""

    name: str
    counties: tuple[str, ...]
    municipalities: tuple[str, ...]
    municipality_name: str | None = None

    @property
    def county(self) -> str | None:
        """The county, when the place lies in one."""
        return self.counties[0] if len(self.counties) == 1 else None


@dataclass(frozen=True)
class PlaceMatch:
    """What recognition found in a query, and the text left to search."""

    text: str
    territory: Territory | None = None
    ambiguous: tuple[Territory, ...] = ()
    """Candidates of a name that fits several VGs, none picked."""
    ambiguous_name: str | None = None
    outside: str | None = None
    """A known place outside the area, as named."""


@dataclass
class _Mention:
    start: int
    end: int
    candidates: frozenset[str]
    by_postcode: bool = False
    common: bool = False
    after_preposition: bool = False
    confirmed: bool = False
    outside: str | None = None
    said: str = ""


@dataclass
class _Tables:
    names: dict[str, set[str]] = field(default_factory=dict)
    postcodes: dict[str, set[str]] = field(default_factory=dict)


def _short_forms(name: str, *, split_parts: bool) -> set[str]:
    """The folded name and the short forms it is also known by."""
    forms = {fold_text(name), fold_text(QUALIFIER.sub("", name))}
    for form in list(forms):
        forms |= {form.removeprefix(p) for p in PREFIXES} | {form.removesuffix(s) for s in SUFFIXES}
    if split_parts and "-" in name:
        forms |= {fold_text(part) for part in QUALIFIER.sub("", name).split("-") if len(part) >= 3}
    return {f for f in forms if f}


class Gazetteer:
    """Place names and postal codes of the catalogue, recognised inside a query."""

    def __init__(self, places: Sequence[Place], words: PlaceWords | None = None) -> None:
        words = words or PlaceWords()
        by_id = {p.id: p for p in places}
        self._known: dict[str, _Known] = {}
        tables = _Tables()
        for place in places:
            municipality = place.id if place.kind != PlaceKind.ortsgemeinde else place.parent or place.id
            self._known[place.id] = _Known(
                place.id,
                place.name,
                place.county,
                municipality,
                by_id[municipality].name if municipality in by_id else place.name,
                place.kind != PlaceKind.verbandsgemeinde,
            )
            split = place.kind == PlaceKind.ortsgemeinde
            keys = set().union(*(_short_forms(n, split_parts=split) for n in [place.name, *place.aliases]))
            for key in keys:
                tables.names.setdefault(key, set()).add(place.id)
            for code in place.postal_codes:
                tables.postcodes.setdefault(code, set()).add(place.id)
        self._names = {k: frozenset(v) for k, v in tables.names.items()}
        self._postcodes = {k: frozenset(v) for k, v in tables.postcodes.items()}
        self._common = words.common_words
        self._outside = {fold_text(n): n for n in words.outside_places}
        self._outside |= {fold_text(QUALIFIER.sub("", n)): n for n in words.outside_places}
        self._outside = {k: v for k, v in self._outside.items() if k not in self._names}
        self._regions = words.outside_postcode_regions
        self._longest = max((len(k.split()) for k in [*self._names, *self._outside]), default=1)

    def ambiguous_names(self) -> dict[str, list[str]]:
        """Every folded name that fits places in more than one VG, with those places' ids."""
        return {
            key: sorted(ids)
            for key, ids in self._names.items()
            if len({self._known[i].municipality for i in ids}) > 1
        }

    # -- finding mentions -------------------------------------------------------------------------

    def _at(self, words: list[str], typed: list[str], i: int) -> _Mention | None:
        """The longest place name, postal code or outside place starting at word `i`."""
        word = words[i]
        if POSTCODE.fullmatch(word):
            if word in self._postcodes:
                return _Mention(i, i + 1, self._postcodes[word], by_postcode=True, said=word)
            if word.startswith(self._regions):
                return _Mention(i, i + 1, frozenset(), outside=word, said=word)
            return None
        for size in range(min(self._longest, len(words) - i), 0, -1):
            key = " ".join(words[i : i + size])
            if key in self._names:
                after = i > 0 and words[i - 1] in PREPOSITIONS
                common = size == 1 and key in self._common
                said = " ".join(typed[i : i + size])
                return _Mention(
                    i, i + size, self._names[key], common=common, after_preposition=after, said=said
                )
            if key in self._outside:
                return _Mention(i, i + size, frozenset(), outside=self._outside[key], said=key)
        return None

    def _mentions(self, words: list[str], typed: list[str]) -> list[_Mention]:
        found, i = [], 0
        while i < len(words):
            mention = self._at(words, typed, i)
            if mention is None:
                i += 1
            else:
                found.append(mention)
                i = mention.end
        return found

    # -- settling them ----------------------------------------------------------------------------

    def _municipalities(self, ids: Iterable[str]) -> set[str]:
        return {self._known[i].municipality for i in ids}

    def _settle(self, mention: _Mention, others: list[_Mention], county: str | None) -> None:
        """Narrow `mention`'s candidates by the other places in the query, then by the agent's county."""
        candidates = mention.candidates
        for other in others:
            shared = self._municipalities(other.candidates)
            in_same = frozenset(c for c in candidates if self._known[c].municipality in shared)
            if in_same:
                candidates, mention.confirmed = in_same, True
                continue
            counties = {self._known[c].county for c in other.candidates}
            in_county = frozenset(c for c in candidates if self._known[c].county in counties)
            if in_county:
                candidates = in_county
        if county and len(self._municipalities(candidates)) > 1:
            candidates = frozenset(c for c in candidates if self._known[c].county == county) or candidates
        mention.candidates = candidates

    def _territory(self, mention: _Mention) -> Territory:
        known = sorted((self._known[c] for c in mention.candidates), key=lambda k: (not k.is_gemeinde, k.id))
        municipalities = tuple(sorted({k.municipality for k in known}))
        name = mention.said if mention.by_postcode else known[0].name
        return Territory(
            name,
            tuple(sorted({k.county for k in known})),
            municipalities,
            known[0].municipality_name if len(municipalities) == 1 else None,
        )

    def _ambiguous(self, mention: _Mention) -> tuple[Territory, ...]:
        by_municipality: dict[str, _Known] = {}
        for known in sorted((self._known[c] for c in mention.candidates), key=lambda k: k.id):
            if known.is_gemeinde or known.municipality not in by_municipality:
                by_municipality[known.municipality] = known
        return tuple(
            Territory(k.name, (k.county,), (k.municipality,), k.municipality_name)
            for k in sorted(by_municipality.values(), key=lambda k: (k.county, k.municipality_name))
        )

    def detect(self, text: str, county: str | None = None) -> PlaceMatch:
        """The place named in `text` (see the module docstring), and the text without it.

        `county` is the county the agent works for; it settles a name that fits places in several counties.
        """
        typed = re.findall(r"\w+", text)
        words = [fold(w) for w in typed]
        mentions = self._mentions(words, typed)
        inside = [m for m in mentions if m.outside is None]
        firm = [m for m in inside if not m.common or m.after_preposition]
        for mention in inside:
            self._settle(mention, [o for o in firm if o is not mention], county)
        accepted = [m for m in inside if not m.common or m.after_preposition or m.confirmed]
        settled = [m for m in accepted if m.by_postcode or len(self._municipalities(m.candidates)) == 1]
        unsettled = [m for m in accepted if m not in settled]
        outside = [m for m in mentions if m.outside is not None]
        taken = settled + outside + [m for m in unsettled if not m.common]
        dropped = {i for m in taken for i in range(m.start, m.end)}
        rest = " ".join(w for i, w in enumerate(typed) if i not in dropped) if taken else text
        if settled:
            best = min(settled, key=lambda m: (m.by_postcode, not self._names_a_gemeinde(m), m.start))
            return PlaceMatch(rest, territory=self._territory(best))
        if unsettled:
            first = unsettled[0]
            return PlaceMatch(rest, ambiguous=self._ambiguous(first), ambiguous_name=first.said)
        if outside:
            return PlaceMatch(rest, outside=outside[0].outside)
        return PlaceMatch(text)

    def _names_a_gemeinde(self, mention: _Mention) -> bool:
        return any(self._known[c].is_gemeinde for c in mention.candidates)
