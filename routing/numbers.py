"""Phone number notations as a PBX sends them, reduced to one parsed form (region DE)."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import (
    NumberParseException,
    PhoneNumber,
    PhoneNumberFormat,
    PhoneNumberType,
    shortnumberinfo,
)

__all__ = ["REGION", "e164", "is_valid", "parse", "parse_typed"]

REGION = "DE"

_GERMAN_NOTATION = re.compile(r"(?:\+49|0049|0)[ /-]?([1-9](?:[ /-]?\d)*)")
"""A German number as PBXs write it: "+49", "0049" or the national prefix "0", then the national
significant number with at most one space, slash or hyphen between two digits."""
_SEPARATORS = re.compile(r"[ /-]")


def _plus_restored(raw: str) -> str:
    text = raw.rstrip()
    if text[:1].isspace() and text.lstrip()[:1].isdigit():
        return "+" + text.lstrip()
    return text


def parse(raw: str) -> PhoneNumber | None:
    """Parse any usual notation; None when it is no phone number at all.

    A leading space followed by a digit is read as "+": a PBX that puts "+49…" unescaped into a
    query string sends " 49…", and a national number never starts with a space.
    """
    try:
        return phonenumbers.parse(_plus_restored(raw), REGION)
    except NumberParseException:
        return None


def parse_typed(raw: str) -> tuple[PhoneNumber, int] | None:
    """`parse(raw)` with its `phonenumbers.number_type` (a PhoneNumberType value): a caller's origin, on
    every routed call.

    phonenumbers.parse reads any notation of any country, and costs more than all the rest of telling a
    caller's origin. A German number in a notation PBXs send ("+49 2671 555123", "0049…", "02671/555123")
    needs none of that: its national significant number is the digits after the prefix. That reading is
    parse's whenever phonenumbers finds the number valid — parse strips the national prefix "0" from any
    number long enough to be a valid German one — so a number it finds invalid (UNKNOWN) is parsed the
    general way after all, and the answer is always parse's (tests/routing/test_numbers.py compares both
    on hundreds of numbers). Only phonenumbers' public API is used.
    """
    notation = _GERMAN_NOTATION.fullmatch(_plus_restored(raw))
    if notation is not None:
        number = PhoneNumber(country_code=49, national_number=int(_SEPARATORS.sub("", notation[1])))
        kind = phonenumbers.number_type(number)
        if kind != PhoneNumberType.UNKNOWN:
            return number, kind
    parsed = parse(raw)
    return None if parsed is None else (parsed, phonenumbers.number_type(parsed))


def e164(number: PhoneNumber) -> str:
    """The E.164 form used as the key of every number table ("115" becomes "+49115")."""
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def is_valid(number: PhoneNumber) -> bool:
    """Whether the number can be dialled: a valid full number or a valid short number like 115."""
    return phonenumbers.is_valid_number(number) or shortnumberinfo.is_valid_short_number(number)
