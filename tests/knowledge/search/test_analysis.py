"""German analysis: spellings an agent types meet the catalogue's; compounds meet their parts."""

import pytest

from knowledge.search.analysis import build_wordset, fold, fold_text, german_analyzer

WORDSET = build_wordset(
    [
        "Wohnsitz anmelden",
        "Anmeldung des Wohnsitzes",
        "Geburt beurkunden",
        "Urkunde",
        "Zulassung",
        "Stelle",
        "Personalausweis beantragen",
        "Wohnung",
        "Sitz",
        "Online-Wohnsitzanmeldung",
    ]
)


def terms(text: str, wordset: frozenset[str] = frozenset()) -> list[str]:
    return [t.text for t in german_analyzer(wordset)(text)]


@pytest.mark.parametrize(
    ("typed", "catalogue"),
    [
        ("fuhrerschein", "Führerschein"),
        ("fuehrerschein", "Führerschein"),
        ("strasse", "Straße"),
        ("Personalausweise", "Personalausweis"),
        ("anmelden", "Anmeldung"),
        ("Wohnsitzes", "Wohnsitz"),
        ("Muell", "Müll"),
    ],
)
def test_spellings_meet(typed: str, catalogue: str) -> None:
    assert terms(typed) == terms(catalogue)


def test_fold_removes_umlauts_accents_and_their_spellings_but_not_qu() -> None:
    assert fold("Führerschein") == fold("Fuehrerschein") == "fuhrerschein"
    assert fold("Café") == "cafe"
    assert fold("Quelle") == "quelle"


def test_stopwords_and_punctuation_are_dropped() -> None:
    assert terms("Wie melde ich mein Auto an?") == terms("melde Auto")


def test_hyphenated_compounds_split_into_their_parts() -> None:
    assert terms("Kfz-Zulassung") == terms("Kfz Zulassung")


def test_a_compound_keeps_itself_and_adds_its_parts() -> None:
    compound, *parts = terms("Wohnsitzanmeldung", WORDSET)
    assert compound == terms("Wohnsitzanmeldung")[0]
    assert set(terms("Anmeldung des Wohnsitzes", WORDSET)) <= set(parts) | {compound}


def test_joining_forms_are_understood() -> None:
    assert set(terms("Geburtsurkunde", WORDSET)) >= set(terms("Geburt Urkunde"))
    assert set(terms("Zulassungsstelle", WORDSET)) >= set(terms("Zulassung Stelle"))


def test_the_word_list_leaves_compounds_out_so_they_are_split() -> None:
    assert "wohnsitzanmeldung" not in WORDSET
    assert {"wohnsitz", "wohnsitzes", "anmeldung", "urkunde", "geburts"} <= WORDSET


def test_unknown_words_and_short_pieces_are_not_split() -> None:
    assert terms("Verlust", WORDSET) == terms("Verlust")
    assert terms("Anmeldung", WORDSET) == terms("Anmeldung")


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
    assert fold_text(typed) in fold_text(name)
