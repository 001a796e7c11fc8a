"""Which searches may be kept: words yes, numbers of phone length, e-mail addresses and names no."""

import pytest

from knowledge.statistics.search_terms import looks_personal, normalise_query


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Perso verloren?", "perso verloren"),
        ("  Knöllchen   bezahlen ", "knöllchen bezahlen"),
        ("Hundesteuer 54550", "hundesteuer 54550"),
        ("§ 35 BauGB", "35 baugb"),
        ("Frauenhaus", "frauenhaus"),
        ("Rückruf 0171 1234567", None),
        ("06592/933-123", None),
        ("max.mustermann@example.org", None),
        ("Frau Müller Bauamt", None),
        ("Herrn Schmidt", None),
        ("Familie Becker Kindergeld", None),
        ("Dr. Klein", None),
        ("?!", None),
    ],
)
def test_queries_are_reduced_to_words_unless_personal(typed: str, kept: str | None) -> None:
    assert (None if looks_personal(typed) else normalise_query(typed) or None) == kept
