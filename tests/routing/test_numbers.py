"""Phone number notations a PBX may send, parsed with region DE."""

from __future__ import annotations

import pytest

from routing.numbers import e164, is_valid, parse


@pytest.mark.parametrize(
    "raw",
    ["+4926716 10", "02671610", "02671 61-0", "+49 2671 61-0", "004926716 10", " 49267161 0", "\t4926716 10"],
)
def test_every_notation_gives_the_same_e164(raw: str) -> None:
    number = parse(raw)
    assert number is not None
    assert e164(number) == "+492671610"


def test_115_is_a_valid_short_number() -> None:
    number = parse("115")
    assert number is not None and is_valid(number)


@pytest.mark.parametrize("raw", ["", "   ", "abc", "+"])
def test_text_that_is_no_phone_number_gives_none(raw: str) -> None:
    assert parse(raw) is None
