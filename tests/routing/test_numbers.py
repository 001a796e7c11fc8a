"""Phone number notations a PBX may send, parsed with region DE."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from routing.numbers import e164, is_valid, parse, parse_typed


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


def _varied_numbers() -> list[str]:
    """A few hundred callers in every notation a PBX sends and many it does not: German fixed-line numbers
    of short and long area codes, mobile, service and premium numbers, foreign numbers, and malformed
    ones (too short, too long, a zero after the country code, letters, stray punctuation)."""
    rng = random.Random(115)
    fixed = ["2671 555123", "2671 61-0", "6542 1234", "6592 1", "6561 4711", "30 1234567", "89 123456789"]
    fixed += ["228 9876", "33203 12345", "39881 1234", "40 123456789012", "69 12345678", "0 2671 555123"]
    mobile = ["151 12345678", "1511 234567", "160 1234567", "176 12345678"]
    service = ["800 1234567", "180 5123456", "900 1234567", "700 12345678", "32 123456789", "115"]
    malformed = ["1", "12", "123", "2671", "26715", "2671 1", "30 12", "800 12", "2671 12345678901234"]
    malformed += ["2671 123456789012345678"]
    national = [*fixed, *mobile, *service, *malformed]
    for _ in range(150):
        digits = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(1, 15)))
        cut = rng.randint(1, 4)
        national.append(digits[:cut] + rng.choice(["", " ", "/", "-"]) + digits[cut:])
    numbers = []
    for rest in national:
        for prefix in ["+49", "+49 ", "0049", "0049-", "0", "0 ", " 49", "+49 (0)", "0049 0"]:
            numbers.append(prefix + rest)
    numbers += ["+33 1 42 68 53 00", "0033142685300", "+352 12 34 56", "+1 202 555 0123", "+43 1 234567"]
    numbers += ["", " ", "+", "+49", "0", "00", "0049", "abc", "0267l 5551", "02671 555123 ext. 5"]
    numbers += ["02671--555", "02671  555123", "+49 2671/55-51-23", "+49+2671", "\t+4926715551"]
    return numbers


@pytest.mark.parametrize("raw", _varied_numbers())
def test_the_typed_reading_is_parse_and_number_type(raw: str) -> None:
    number = parse(raw)
    expected = None if number is None else (number, phonenumbers.number_type(number))
    assert parse_typed(raw) == expected
