"""Phone number notations as a PBX sends them, reduced to one parsed form (region DE)."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, shortnumberinfo

__all__ = ["REGION", "e164", "is_valid", "parse"]

REGION = "DE"


def parse(raw: str) -> PhoneNumber | None:
    """Parse any usual notation; None when it is no phone number at all.

    A leading space followed by a digit is read as "+": a PBX that puts "+49…" unescaped into a
    query string sends " 49…", and a national number never starts with a space.
    """
    text = raw.rstrip()
    if text[:1].isspace() and text.lstrip()[:1].isdigit():
        text = "+" + text.lstrip()
    try:
        return phonenumbers.parse(text, REGION)
    except NumberParseException:
        return None


def e164(number: PhoneNumber) -> str:
    """The E.164 form used as the key of every number table ("115" becomes "+49115")."""
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def is_valid(number: PhoneNumber) -> bool:
    """Whether the number can be dialled: a valid full number or a valid short number like 115."""
    return phonenumbers.is_valid_number(number) or shortnumberinfo.is_valid_short_number(number)
