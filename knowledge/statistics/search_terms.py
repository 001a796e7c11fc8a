"""What of an agent's search may be counted: the query's words, lower-cased, unless it looks personal.

Agents sometimes type what the caller said verbatim, a number or a name included. A query is not kept
at all when it holds six or more digits (a phone or file number; postcodes have five), an `@` (an e-mail
address), or a word that introduces a person ("Herr", "Frau", "Familie", "Dr." …). Everything else is
reduced to its words, lower-cased, so "Perso verloren?" and "perso  verloren" count as one query.
"""

from __future__ import annotations

import re

__all__ = ["MAX_QUERY", "PERSON_WORDS", "looks_personal", "normalise_query"]

MAX_QUERY = 200
PHONE_DIGITS = 6
PERSON_WORDS = frozenset(
    {
        "herr",
        "herrn",
        "hr",
        "frau",
        "fr",
        "frl",
        "fräulein",
        "familie",
        "fam",
        "dr",
        "prof",
        "geb",
        "geborene",
        "geborener",
        "witwe",
        "witwer",
    }
)
_WORD = re.compile(r"\w+")


def normalise_query(text: str) -> str:
    """The query's words, lower-cased, separated by single spaces (at most MAX_QUERY characters)."""
    return " ".join(_WORD.findall(text.casefold()))[:MAX_QUERY].strip()


def looks_personal(text: str) -> bool:
    """Whether a query may hold a phone or file number, an e-mail address or a person's name."""
    if "@" in text or sum(c.isdigit() for c in text) >= PHONE_DIGITS:
        return True
    return any(word in PERSON_WORDS for word in _WORD.findall(text.casefold()))
