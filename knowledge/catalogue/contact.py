"""Contact data as the catalogue keeps it: phone numbers in one notation, web addresses that are web addresses.

Agents read numbers aloud and transfer calls to them, and the console links web addresses, so what is
stored must be what it claims to be. Phone numbers are kept in the notation of the demo catalogue and the
admin form, DIN 5008 international ("+49 6592 939-110": country, area code, number, hyphen before the
extension); any usual notation is accepted and converted. Web addresses must be http or https: a
`javascript:` address in a link would run in the agent's browser.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import NumberParseException
from pydantic import AfterValidator, StringConstraints

__all__ = ["Extension", "PhoneNumber", "WebAddress", "phone_number", "web_address"]

REGION = "DE"
_NOTATION = re.compile(r"\+?[\d /().-]{3,40}")


def phone_number(raw: str) -> str:
    """`raw` in DIN 5008 international notation; ValueError when it is no valid phone number.

    A hyphen before the last group of digits marks the extension (Durchwahl) and is kept, unless it
    only separates the area code ("06592-939110")."""
    text = raw.strip()
    if not _NOTATION.fullmatch(text):
        raise ValueError("not a phone number (digits, spaces, + / ( ) - only)")
    try:
        number = phonenumbers.parse(text, REGION)
    except NumberParseException:
        raise ValueError("not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    national = phonenumbers.national_significant_number(number)
    area = phonenumbers.length_of_national_destination_code(number)
    extension = re.sub(r"\D", "", text.rpartition("-")[2]) if "-" in text else ""
    if not 0 < len(extension) < len(national) - area:
        extension = ""
    main = national[: len(national) - len(extension)]
    parts = [f"+{number.country_code}", main[:area], main[area:]]
    return " ".join(p for p in parts if p) + (f"-{extension}" if extension else "")


def web_address(raw: str) -> str:
    """`raw` if it is an http or https address with a host; ValueError otherwise."""
    text = raw.strip()
    if any(c.isspace() or not c.isprintable() for c in text):
        raise ValueError("a web address has no spaces or control characters")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http or https address, e.g. https://www.example.de")
    return text


PhoneNumber = Annotated[str, StringConstraints(max_length=40), AfterValidator(phone_number)]
"""A phone number, stored in DIN 5008 international notation."""
WebAddress = Annotated[str, StringConstraints(max_length=300), AfterValidator(web_address)]
"""An http or https address."""
Extension = Annotated[str, StringConstraints(pattern=r"^\d{1,6}$")]
"""A Durchwahl inside a county's PBX: digits only, at most six."""
