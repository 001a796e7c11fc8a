"""Caller origin: area code -> county candidates, and nothing more of the number."""

from __future__ import annotations

import dataclasses

import pytest

from routing.origin import AreaDirectory, Origin


@pytest.mark.parametrize(
    ("caller", "area_code", "county", "candidates"),
    [
        ("02671 123456", "02671", "07135", ["07135"]),
        ("+49 2671 123456", "02671", "07135", ["07135"]),
        ("0049 6592 1234", "06592", "07233", ["07233"]),
        (" 4965711234", "06571", "07231", ["07231"]),
        ("06561/4711", "06561", "07232", ["07232"]),
        ("06542 1234", "06542", None, ["07135", "07231"]),
        ("+49 30 1234567", "030", None, []),
    ],
)
def test_fixed_line_callers_resolve_through_the_area_code(
    directory: AreaDirectory, caller: str, area_code: str, county: str | None, candidates: list[str]
) -> None:
    origin = directory.resolve(caller)
    assert (origin.area_code, origin.county, origin.candidates) == (area_code, county, candidates)


@pytest.mark.parametrize(
    ("caller", "kind"),
    [
        (None, "anonymous"),
        ("anonymous", "anonymous"),
        ("Anonymous ", "anonymous"),
        ("", "anonymous"),
        ("+49 151 12345678", "mobile"),
        ("015112345678", "mobile"),
        ("+33 1 42 68 53 00", "foreign"),
        ("+352 12 34 56", "foreign"),
        ("0800 1234567", "non_geographic"),
        ("+49 800 1234567", "non_geographic"),
        ("not a number", "unreadable"),
        ("02671 1", "invalid"),
        ("+49 2671 1", "invalid"),
    ],
)
def test_callers_without_an_area_code_get_no_county_and_a_reason(
    directory: AreaDirectory, caller: str | None, kind: str
) -> None:
    origin = directory.resolve(caller)
    assert (origin.area_code, origin.county, origin.candidates) == (None, None, [])
    assert origin.kind == kind


@pytest.mark.parametrize(
    "caller",
    ["+492671555123", "+49 2671 555123", "0049-2671-555123", "02671/555123", " 492671555123", "0 2671 555123"]
    + ["+49 (0)2671 555123", "+49 2671 55 51 23", "02671 55-51-23", "+49.2671.555123"],
)
def test_every_notation_of_a_number_resolves_alike(directory: AreaDirectory, caller: str) -> None:
    assert directory.resolve(caller) == directory.resolve("02671555123")
    assert directory.resolve(caller).kind == "listed"


def test_a_foreign_caller_keeps_its_country_code_only(directory: AreaDirectory) -> None:
    assert directory.resolve("+352 12 34 56").country_code == 352


def test_ambiguous_area_code_names_every_county_and_place(directory: AreaDirectory) -> None:
    origin = directory.resolve("06542 1234")
    assert origin.kind == "ambiguous"
    assert dict(origin.places) == {"07135": ("Zell (Mosel)",), "07231": ("Reil",)}


def test_origin_keeps_only_the_area_code_of_the_number(directory: AreaDirectory) -> None:
    origin = directory.resolve("+49 2671 987654")
    fields = [field.name for field in dataclasses.fields(Origin)]
    assert fields == ["area_code", "county", "candidates", "kind", "places", "country_code"]
    assert "987654" not in repr(origin)


def test_directory_lists_each_place_once_per_county() -> None:
    places = [("06542", "07135", "Zell (Mosel)"), ("0654 2", "07135", "Zell (Mosel)")]
    directory = AreaDirectory.from_places(places)
    assert dict(directory.counties_of("06542")) == {"07135": ("Zell (Mosel)",)}
    assert dict(directory.counties_of("02671")) == {}


@pytest.mark.parametrize("area_code", ["6542", "0", "06542-1", "abc"])
def test_directory_refuses_things_that_are_not_area_codes(area_code: str) -> None:
    with pytest.raises(ValueError, match="not an area code"):
        AreaDirectory.from_places([(area_code, "07135", "Zell (Mosel)")])


@pytest.mark.parametrize(
    ("caller", "area_code"),
    [
        ("06542 1234", "06542"),  # two listed codes are prefixes: phonenumbers decides
        ("+49 2671 4711", "02671"),
        ("030 1234567", "030"),
    ],
)
def test_area_code_is_the_listed_one_only_when_exactly_one_fits(caller: str, area_code: str) -> None:
    listed = [("0654", "07231", "Falsch"), ("06542", "07135", "Zell (Mosel)"), ("02671", "07135", "Cochem")]
    directory = AreaDirectory.from_places(listed)
    assert directory.resolve(caller).area_code == area_code
