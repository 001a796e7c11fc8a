"""Where a caller is from: caller number -> area code -> places -> county candidates.

Privacy: the caller's full number never leaves this module and is never stored; an `Origin`
carries at most the area code (Vorwahl), which identifies a telephone area, not a person.
phonenumbers names telephone areas, not counties, so the county comes from the catalogue's places.
An `Origin` says why as data (`kind`, the places of the area code); `routing.wording` words it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import phonenumbers
from phonenumbers import PhoneNumberType

from routing.numbers import parse_typed

__all__ = ["ANONYMOUS_MARKERS", "AreaDirectory", "Origin", "OriginKind"]

ANONYMOUS_MARKERS = frozenset({"", "anonymous", "anonym", "unknown", "unavailable", "private", "restricted"})
_AREA_CODE = re.compile(r"0[1-9]\d{1,4}")
_GEOGRAPHIC = frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


OriginKind = Literal[
    "anonymous",  # no number, or a marker such as "anonymous"
    "unreadable",  # not a phone number at all
    "foreign",  # a number outside Germany (`country_code`)
    "invalid",  # a German number that cannot exist
    "mobile",  # a mobile number: no area code
    "non_geographic",  # 0800, 0180, …: no area code
    "no_area_code",  # a fixed-line number whose area code cannot be told
    "unlisted",  # an area code that serves no place of the catalogue
    "ambiguous",  # an area code that serves places in several counties
    "listed",  # an area code that serves places in one county
]


@dataclass(frozen=True, slots=True)
class Origin:
    """What routing may know about a caller: area code, county candidates, and why (`kind`)."""

    area_code: str | None
    county: str | None
    candidates: list[str] = field(default_factory=list)
    kind: OriginKind = "anonymous"
    places: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """candidate county -> the places the area code serves there"""
    country_code: int | None = None
    """of a foreign number"""


class AreaDirectory:
    """Area code -> counties and places, built from the catalogue's places; immutable."""

    def __init__(self, areas: Mapping[str, Mapping[str, tuple[str, ...]]]) -> None:
        self._areas = MappingProxyType({code: MappingProxyType(dict(c)) for code, c in areas.items()})
        self._lengths = sorted({len(code) for code in areas})

    @classmethod
    def from_places(cls, places: Iterable[tuple[str, str, str]]) -> AreaDirectory:
        """Build from (area code like "06592", county key, place name) triples; ValueError on a bad code."""
        areas: dict[str, dict[str, list[str]]] = {}
        for area_code, county, place in places:
            code = area_code.replace(" ", "")
            if not _AREA_CODE.fullmatch(code):
                raise ValueError(f"not an area code: {area_code!r} ({place})")
            names = areas.setdefault(code, {}).setdefault(county, [])
            if place not in names:
                names.append(place)
        return cls({code: {k: tuple(v) for k, v in counties.items()} for code, counties in areas.items()})

    def counties_of(self, area_code: str) -> Mapping[str, tuple[str, ...]]:
        """County key -> place names served by `area_code`; empty when the code is not listed."""
        return self._areas.get(area_code, MappingProxyType({}))

    def resolve(self, caller: str | None) -> Origin:
        """The caller's origin; never raises, and never keeps more of the number than the area code."""
        if caller is None or caller.strip().lower() in ANONYMOUS_MARKERS:
            return Origin(None, None, kind="anonymous")
        read = parse_typed(caller)
        if read is None:
            return Origin(None, None, kind="unreadable")
        number, kind = read
        if number.country_code != 49:
            return Origin(None, None, kind="foreign", country_code=number.country_code)
        if kind == PhoneNumberType.UNKNOWN:
            return Origin(None, None, kind="invalid")
        if kind == PhoneNumberType.MOBILE:
            return Origin(None, None, kind="mobile")
        if kind not in _GEOGRAPHIC:
            return Origin(None, None, kind="non_geographic")
        national = "0" + str(number.national_number)
        # German area codes are prefix-free: a listed code the number starts with is its area code,
        # found without phonenumbers' costly formatting; other numbers still get their area code named.
        listed = [national[:n] for n in self._lengths if national[:n] in self._areas]
        if len(listed) == 1:
            return self._lookup(listed[0])
        length = phonenumbers.length_of_national_destination_code(number)
        if not length:
            return Origin(None, None, kind="no_area_code")
        return self._lookup(national[: length + 1])

    def _lookup(self, area_code: str) -> Origin:
        counties = self.counties_of(area_code)
        candidates = sorted(counties)
        if not candidates:
            return Origin(area_code, None, kind="unlisted")
        if len(candidates) > 1:
            return Origin(area_code, None, candidates, "ambiguous", counties)
        return Origin(area_code, candidates[0], candidates, "listed", counties)
