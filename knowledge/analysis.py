"""German text analysis for the search index, the same chain for indexing and for queries.

Lower-casing, then Snowball German stemming from PyStemmer, which also folds ä/ö/ü/ß and their
ae/oe/ue/ss spellings, so "Führerschein", "Fuehrerschein" and "fuhrerschein" meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import Stemmer
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.analysis.analyzers import CompositeAnalyzer

__all__ = ["GERMAN_STOPWORDS", "fold", "german_analyzer", "normalise"]

GERMAN_STOPWORDS = frozenset(
    """
    aber alle als also am an auch auf aus bei beim bin bis bzw da damit dann das dass dem den der des die
    dies diese dieser doch dort du durch ein eine einem einen einer eines er es für gibt hab habe haben hat
    ich ihr im in ist ja kann mal man mein meine mit muss nach nicht noch nur ob oder sein sich sie sind so
    über um und uns vom von vor war was wer wie wir wird wo zu zum zur
    """.split()
)


class GermanStemFilter(Filter):
    """Snowball German stems. Whoosh pickles the schema, so the stemmer is rebuilt on unpickling."""

    def __init__(self) -> None:
        self._stem = Stemmer.Stemmer("german", 100_000).stemWord

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GermanStemFilter)

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = self._stem(token.text)
            yield token


def german_analyzer() -> CompositeAnalyzer:
    """The analyzer of every text field in the index."""
    return (
        RegexTokenizer(r"\w+")
        | LowercaseFilter()
        | StopFilter(stoplist=GERMAN_STOPWORDS, minsize=1)
        | GermanStemFilter()
    )


@cache
def _query_analyzer() -> CompositeAnalyzer:
    """One analyzer for queries, built once: building one creates a stemmer and loses its cache."""
    return german_analyzer()


def normalise(text: str) -> list[str]:
    """The terms `text` becomes in the index (call from one thread: whoosh reuses its token object)."""
    return [token.text for token in _query_analyzer()(text)]


_UMLAUT_SPELLINGS = re.compile(r"([aou])e")


def fold(text: str) -> str:
    """Text reduced for plain matching of names: lower-case, no accents, ß as ss, ae/oe/ue as a/o/u,
    punctuation as single spaces; "Prüm", "Pruem" and "prum" all become "prum"."""
    text = text.lower().replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _UMLAUT_SPELLINGS.sub(r"\1", " ".join(re.findall(r"\w+", text)))
