"""German analysis: spellings an agent types meet the catalogue's."""

import pytest

from knowledge.analysis import fold, normalise


@pytest.mark.parametrize(
    ("typed", "catalogue"),
    [
        ("fuhrerschein", "Führerschein"),
        ("fuehrerschein", "Führerschein"),
        ("strasse", "Straße"),
        ("Personalausweise", "Personalausweis"),
        ("anmelden", "Anmeldung"),
        ("Wohnsitzes", "Wohnsitz"),
    ],
)
def test_spellings_meet(typed: str, catalogue: str) -> None:
    assert normalise(typed) == normalise(catalogue)


def test_stopwords_and_punctuation_are_dropped() -> None:
    assert normalise("Wie melde ich mein Auto an?") == normalise("melde Auto")


def test_hyphenated_compounds_split_into_their_parts() -> None:
    assert normalise("Kfz-Zulassung") == normalise("Kfz Zulassung")


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("pruem", "Bitburg-Prüm"),
        ("PRUM", "Bitburg-Prüm"),
        ("fuehrerschein", "Führerscheinstelle"),
        ("strasse", "Straßenverkehr"),
        ("kfz zulassung", "Kfz-Zulassungsstelle"),
    ],
)
def test_fold_lets_typed_words_meet_names(typed: str, name: str) -> None:
    assert fold(typed) in fold(name)
