"""German text analysis for the search index, the same chain for indexing and for queries.

Words are lower-cased and folded (ä/ae → a, ö/oe → o, ü/ue → u, ß → ss) so every spelling an agent
types meets the catalogue's; compounds are split into the catalogue's own words, keeping the compound
("wohnsitzanmeldung" → wohnsitzanmeldung, wohnsitz, anmeldung); then Snowball German stems from
PyStemmer. The word list lives in the index schema, so a query is always analysed with the list its
index was built with.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

import Stemmer
from whoosh.analysis import (
    CompoundWordFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.analysis.analyzers import CompositeAnalyzer

__all__ = [
    "GERMAN_STOPWORDS",
    "SECTION_BREAK",
    "SECTION_BOOSTS",
    "build_wordset",
    "fold",
    "fold_text",
    "german_analyzer",
    "stem",
    "surface_analyzer",
    "words",
]

GERMAN_STOPWORDS = frozenset(
    [
        "aber",
        "alle",
        "als",
        "also",
        "am",
        "an",
        "auch",
        "auf",
        "aus",
        "bei",
        "beim",
        "bin",
        "bis",
        "bzw",
        "da",
        "damit",
        "dann",
        "das",
        "dass",
        "dem",
        "den",
        "der",
        "des",
        "die",
        "dies",
        "diese",
        "dieser",
        "doch",
        "dort",
        "du",
        "durch",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "er",
        "es",
        "für",
        "fuer",
        "gibt",
        "hab",
        "habe",
        "haben",
        "hat",
        "ich",
        "ihr",
        "im",
        "in",
        "ist",
        "ja",
        "kann",
        "mal",
        "man",
        "mein",
        "meine",
        "mit",
        "muss",
        "nach",
        "nicht",
        "noch",
        "nur",
        "ob",
        "oder",
        "sein",
        "sich",
        "sie",
        "sind",
        "so",
        "über",
        "ueber",
        "um",
        "und",
        "uns",
        "vom",
        "von",
        "vor",
        "war",
        "was",
        "wer",
        "wie",
        "wir",
        "wird",
        "wo",
        "zu",
        "zum",
        "zur",
    ]
)

JOINING_FORMS = ("", "s", "es", "n", "en")
"""Fugenelemente: how a German word joins the next one in a compound (Wohnsitz·anmeldung, Geburt·s·urkunde)."""

MIN_PART = 3
"""Shortest compound part: Kfz, Amt and Bau are words; shorter pieces are noise."""

_DIGRAPHS = re.compile(r"ae|oe|(?<!q)ue")


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """A lower-case word without umlauts, accents or ae/oe/ue spellings, as index and query both see it."""
    decomposed = unicodedata.normalize("NFKD", word.lower().replace("ß", "ss"))
    return _DIGRAPHS.sub(
        lambda m: m.group()[0], "".join(c for c in decomposed if not unicodedata.combining(c))
    )


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("german", 100_000)


def stem(word: str) -> str:
    """The Snowball German stem of a folded word, as the index's GermanStemFilter makes it; for matching
    outside the index (the switchboard directory)."""
    return _stemmer().stemWord(word)


class FoldFilter(Filter):
    """Applies `fold` to every token."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoldFilter)

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]  # as whoosh's Filter
        for token in tokens:
            token.text = fold(token.text)
            yield token


class GermanStemFilter(Filter):
    """Snowball German stems. Whoosh pickles the schema, so the stemmer is rebuilt on unpickling."""

    def __init__(self) -> None:
        self._stem = Stemmer.Stemmer("german", 100_000).stemWord

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self._stem = Stemmer.Stemmer("german", 100_000).stemWord

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GermanStemFilter)

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]  # as whoosh's Filter
        for token in tokens:
            if not token.stopped:
                token.text = self._stem(token.text)
            yield token


SECTION_BREAK = "\x1e"
SECTION_BOOSTS = (4.0, 3.0, 1.5, 1.0)
"""Weights of a service's title, synonyms, short text and body, in that order, joined by SECTION_BREAK."""


class SectionTokenizer(Tokenizer):
    """Words of text made of sections, each word weighted by its section's boost.

    One field whose words carry their section's weight scores like a title field above a body field,
    at the cost of one posting list per query word instead of one per word and field.
    """

    def __init__(self) -> None:
        self._words = RegexTokenizer(r"\w+")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SectionTokenizer)

    def __call__(self, value: str, *, start_pos: int = 0, start_char: int = 0, **kwargs) -> Iterator[Token]:
        for section, boost in zip(value.split(SECTION_BREAK), SECTION_BOOSTS, strict=False):
            for token in self._words(section, start_pos=start_pos, start_char=start_char, **kwargs):
                token.boost = boost
                start_pos = token.pos + 1 if kwargs.get("positions") else start_pos
                yield token
            start_char += len(section) + len(SECTION_BREAK)


def _chain(tokenizer: Tokenizer) -> CompositeAnalyzer:
    return tokenizer | LowercaseFilter() | StopFilter(stoplist=GERMAN_STOPWORDS, minsize=1) | FoldFilter()


def german_analyzer(wordset: frozenset[str] = frozenset()) -> CompositeAnalyzer:
    """The analyzer of the scored text; `wordset` holds the known compound parts (folded)."""
    return _chain(SectionTokenizer()) | CompoundWordFilter(wordset, keep_compound=True) | GermanStemFilter()


def surface_analyzer() -> CompositeAnalyzer:
    """Folded words without stemming: the vocabulary for typo correction and search as you type."""
    return _chain(RegexTokenizer(r"\w+"))


def fold_text(text: str) -> str:
    """Folded words separated by single spaces, punctuation dropped: how names are compared."""
    return " ".join(fold(w) for w in re.findall(r"\w+", text))


def words(text: str) -> list[str]:
    """The folded words of `text`, stopwords dropped, in order."""
    return [fold(w) for w in re.findall(r"\w+", text.lower()) if w not in GERMAN_STOPWORDS]


def _is_part(piece: str, parts: set[str]) -> bool:
    return any(piece.endswith(joint) and piece[: len(piece) - len(joint)] in parts for joint in JOINING_FORMS)


def _splits(word: str, parts: set[str]) -> bool:
    """Whether `word` is made up entirely of two or more `parts`, joined as German joins them."""
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        head, rest = word[:i], word[i:]
        if _is_part(head, parts) and (rest in parts or _splits(rest, parts)):
            return True
    return False


def build_wordset(texts: Iterable[str]) -> frozenset[str]:
    """Compound parts from the catalogue's own words, with their joining forms.

    A word that is itself made of other words ("personalausweis") is left out, so that it is split
    wherever it appears; the compound stays searchable because the filter keeps it too.
    """
    vocabulary = {w for text in texts for w in words(text) if len(w) >= MIN_PART and w.isalpha()}
    simple = set(vocabulary)
    for word in sorted(vocabulary, key=len):
        simple.discard(word)
        if not _splits(word, simple):
            simple.add(word)
    return frozenset(w + joint for w in simple for joint in JOINING_FORMS)
