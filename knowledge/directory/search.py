"""Finding units, people and functions by what a switchboard caller says, in memory.

Why not the whoosh index that searches services: the directory holds hundreds of entries, a few thousand
at most (every unit of four counties and their VGs, and the staff with public contact). At that size a
matcher in memory is smaller, faster and simpler than an index: it needs no files, writer thread or
worker processes, keeps answering while the database is down, and answers a query in well under a
millisecond of CPU (about 1 ms at 3,000 people; benchmarks/directory_latency.py). It is rebuilt whole, in
a thread, when a unit or person changed (a fraction of a second for the demo data, about a second for
3,000 people on a loaded 2-core machine; edits are rare), so an edit is found on every instance after the
catalogue follower's next round.
It shares the search's German analysis (knowledge/search/analysis.py: folding, so "Mueller" meets
"Müller" and "Strasse" "Straße"; stopwords; Snowball stems), its typo tolerance (knowledge/search/query.py
`max_edits`) and its place recognition (knowledge/search/places.py).

How a query is answered:

- A town, VG or postal code in the query narrows to its county ("Jugendamt Gerolstein" → Vulkaneifel) and
  prefers entries of that VG ("Bürgermeister Daun"); if nothing is left to find, the query is tried again
  as typed. A word after an honorific is a name, never a place ("Frau Daun").
- Honorifics (Herr, Frau, Dr.) go, and make people rank before units; stopwords go ("den Landrat").
- Each word is looked for in every entry: a unit's name and everyday names (aliases: Bauamt, Kreiskasse,
  Poststelle …) weigh most, then its topics, then its town and county; a person's name (folded, never
  stemmed: "Müller" is no form of "Müll"), then their function, the topics they handle, and their unit's
  name and aliases ("Herr Müller vom Bauamt"). A word meets a word equal to it or with its stem, the start
  of a longer word (typing, "Zulassung" → "Zulassungsstelle"), the first or last part of a compound
  ("Kreisjugendamt" ↔ "Jugendamt"), or a word within its typos.
- Every word must be found; when no entry has them all, entries with the most of them come.
- An absent person stays where they rank, with their deputy beside them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from knowledge.calendar import WeeklyHours
from knowledge.catalogue.models import Unit
from knowledge.directory.models import Person
from knowledge.search.analysis import fold, fold_text, stem, words
from knowledge.search.places import Gazetteer, PlaceMatch, Territory
from knowledge.search.query import MAX_ANALYSED_WORDS, MAX_CORRECTED_LENGTH, max_edits

__all__ = ["Directory", "DirectoryAnswer", "Entry", "Hit", "person_phone"]

EntryKind = Literal["unit", "person"]

HONORIFICS = frozenset({"herr", "herrn", "frau", "dr", "prof", "fraulein"})
"""Words that say a person is meant; folded."""
FILLERS = frozenset({"bitte", "gern", "gerne", "verbinden", "sprechen", "mochte", "jemand", "jemanden"})
"""What callers add around a name that names nothing; folded."""

NAME, ALIAS, FUNCTION, TOPIC, UNIT, WHERE = 4.0, 4.0, 3.5, 2.0, 1.5, 1.0
"""Field weights: a unit's name and everyday names, a person's function, topics, a person's unit, the
town and county."""
EXACT, STEMMED, PREFIX, PART, TYPO = 1.0, 0.9, 0.75, 0.6, 0.5
"""How well a word meets a word of an entry."""
PHRASE_BONUS, VG_BONUS, TOPIC_PLACE_BONUS, PERSON_BONUS = 4.0, 5.0, 1.0, 1.5
MIN_PREFIX, MIN_PART = 3, 4
WORD_CACHE = 4096


def person_phone(unit_phone: str | None, extension: str | None) -> str | None:
    """A person's number: their unit's PBX (the unit's number before its extension) with their own
    extension; None when the unit's number has no extension part or the person has no extension."""
    if not unit_phone or not extension or "-" not in unit_phone:
        return None
    return f"{unit_phone.rpartition('-')[0]}-{extension}"


@dataclass(frozen=True)
class Entry:
    """One unit or person as the switchboard sees them."""

    kind: EntryKind
    id: str
    name: str
    county: str | None
    phone: str | None
    extension: str | None
    email: str | None
    function: str | None = None
    unit_id: str | None = None
    unit: str | None = None
    """The unit's name, for a person."""
    place: str | None = None
    """The VG or verbandsfreie Gemeinde of the unit."""
    city: str | None = None
    topics: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    hours: WeeklyHours | None = None
    """The opening hours of the unit (a person's: their unit's)."""
    absent_until: dt.date | None = None
    deputy_id: str | None = None
    internal_note: str | None = None

    @property
    def dial(self) -> str | None:
        """The number as dialled: + and digits only ("+4965611550")."""
        return re.sub(r"[^\d+]", "", self.phone) if self.phone else None

    def present(self, today: dt.date) -> bool:
        """Whether the person is there `today` (units always are; their hours say when they answer)."""
        return self.absent_until is None or today > self.absent_until


@dataclass(frozen=True)
class Hit:
    """An entry found, its score, and for an absent person the deputy who answers meanwhile."""

    entry: Entry
    score: float
    deputy: Entry | None = None


@dataclass(frozen=True)
class DirectoryAnswer:
    """The ranked hits (at most the limit asked for), how many there were, and the place that narrowed them."""

    hits: list[Hit]
    total: int
    territory: Territory | None = None


@dataclass
class _Fields:
    """The searchable text of one entry: (weight, stemmable, text)."""

    parts: list[tuple[float, bool, str]] = field(default_factory=list)

    def add(self, weight: float, stemmable: bool, *texts: str | None) -> None:
        self.parts += [(weight, stemmable, text) for text in texts if text]


def _entries(
    units: Iterable[Unit], people: Iterable[Person], counties: Mapping[str, str]
) -> tuple[list[Entry], list[_Fields]]:
    entries: list[Entry] = []
    fields: list[_Fields] = []
    units_by_id = {}
    for unit in units:
        units_by_id[unit.id] = unit
        entry = Entry(
            kind="unit",
            id=unit.id,
            name=unit.name,
            county=unit.county,
            phone=unit.phone,
            extension=unit.extension,
            email=unit.email,
            place=unit.place,
            city=unit.city,
            topics=tuple(unit.topics),
            aliases=tuple(unit.aliases),
            hours=unit.hours,
        )
        searchable = _Fields()
        searchable.add(NAME, True, unit.name)
        searchable.add(ALIAS, True, *unit.aliases)
        searchable.add(TOPIC, True, *unit.topics)
        searchable.add(WHERE, False, unit.city, counties.get(unit.county or ""))
        entries.append(entry)
        fields.append(searchable)
    for person in people:
        home = units_by_id.get(person.unit_id)
        entry = Entry(
            kind="person",
            id=person.id,
            name=person.name,
            county=person.county,
            phone=person_phone(home.phone if home else None, person.extension),
            extension=person.extension,
            email=person.email,
            function=person.function,
            unit_id=person.unit_id,
            unit=home.name if home else None,
            place=home.place if home else None,
            city=home.city if home else None,
            topics=tuple(person.topics),
            hours=home.hours if home else None,
            absent_until=person.absent_until,
            deputy_id=person.deputy_id,
            internal_note=person.internal_note,
        )
        searchable = _Fields()
        searchable.add(NAME, False, person.name)
        searchable.add(FUNCTION, True, person.function)
        searchable.add(TOPIC, True, *person.topics)
        if home is not None:
            searchable.add(UNIT, True, home.name, *home.aliases)
        searchable.add(WHERE, False, home.city if home else None, counties.get(person.county))
        entries.append(entry)
        fields.append(searchable)
    return entries, fields


def _deletes(word: str, depth: int) -> set[str]:
    """`word` with up to `depth` letters deleted (symmetric-delete typo lookup)."""
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance of `a` and `b`, or limit + 1 once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Directory:
    """The units and people of the catalogue, searchable as the switchboard asks; immutable once built."""

    def __init__(
        self, units: Iterable[Unit], people: Iterable[Person], counties: Mapping[str, str] | None = None
    ) -> None:
        self.entries, fields = _entries(units, people, counties or {})
        self._by_key = {(e.kind, e.id): e for e in self.entries}
        self._surface: dict[str, dict[int, float]] = defaultdict(dict)
        self._stems: dict[str, dict[int, float]] = defaultdict(dict)
        self._texts: list[set[str]] = []
        for index, searchable in enumerate(fields):
            texts = set()
            for weight, stemmable, text in searchable.parts:
                folded = fold_text(text)
                texts.add(folded)
                for word in folded.split():
                    self._surface[word][index] = max(self._surface[word].get(index, 0.0), weight)
                    if stemmable:
                        root = stem(word)
                        self._stems[root][index] = max(self._stems[root].get(index, 0.0), weight)
            self._texts.append(texts)
        self._vocabulary = sorted(self._surface)
        self._joined = "\n".join(self._vocabulary)
        self._starts = list(itertools.accumulate((len(w) + 1 for w in self._vocabulary[:-1]), initial=0))
        self._near: dict[str, set[str]] = defaultdict(set)
        for word in self._vocabulary:
            for variant in _deletes(word, max_edits(word)):
                self._near[variant].add(word)
        self._cache: dict[str, dict[int, float]] = {}
        self.numbers = self._numbers()

    def _numbers(self) -> dict[str, tuple[Entry | None, Entry | None]]:
        """Dialled number -> (the unit, the person) that has it: the first unit with the number, and the
        first person whose own extension it is."""
        numbers: dict[str, tuple[Entry | None, Entry | None]] = {}
        for entry in self.entries:
            if entry.dial is None:
                continue
            unit, person = numbers.get(entry.dial, (None, None))
            if entry.kind == "unit" and unit is None:
                numbers[entry.dial] = (entry, person)
            elif entry.kind == "person" and person is None:
                numbers[entry.dial] = (unit, entry)
        return numbers

    def get(self, kind: EntryKind, entry_id: str) -> Entry | None:
        """One entry by kind and id."""
        return self._by_key.get((kind, entry_id))

    # -- matching one word ------------------------------------------------------------------------

    def _word(self, word: str) -> dict[int, float]:
        """Entry index -> how well `word` meets the entry (quality × field weight), cached."""
        found = self._cache.get(word)
        if found is None:
            found = self._match(word)
            if len(self._cache) >= WORD_CACHE:
                self._cache.clear()
            self._cache[word] = found
        return found

    def _match(self, word: str) -> dict[int, float]:
        scores: dict[int, float] = {}

        def take(candidate: str, quality: float) -> None:
            for index, weight in self._surface[candidate].items():
                if quality * weight > scores.get(index, 0.0):
                    scores[index] = quality * weight

        if word in self._surface:
            take(word, EXACT)
        for index, weight in self._stems.get(stem(word), {}).items():
            scores[index] = max(scores.get(index, 0.0), STEMMED * weight)
        if len(word) >= MIN_PREFIX:
            for candidate in self._starting_with(word):
                take(candidate, PREFIX)
        if len(word) >= MIN_PART:
            for candidate in self._containing(word) | self._parts_of(word):
                take(candidate, PART)
        if len(word) <= MAX_CORRECTED_LENGTH and (limit := max_edits(word)):
            near = set().union(*(self._near.get(variant, set()) for variant in _deletes(word, limit)))
            for candidate in near - {word}:
                if _edit_distance(word, candidate, limit) <= limit:
                    take(candidate, TYPO)
        return scores

    def _starting_with(self, word: str) -> list[str]:
        """Known words that begin with `word` and are longer (the sorted vocabulary, bisected)."""
        found = []
        for candidate in self._vocabulary[bisect.bisect_right(self._vocabulary, word) :]:
            if not candidate.startswith(word):
                break
            found.append(candidate)
        return found

    def _containing(self, word: str) -> set[str]:
        """Known compounds that end in `word` after at least MIN_PART letters ("jugendamt" →
        "kreisjugendamt"): German puts the head of a compound last, while a word met inside another
        ("landrad" in "deutschlandradio") is chance."""
        found = set()
        position = self._joined.find(word)
        while position != -1:
            end = position + len(word)
            index = bisect.bisect_right(self._starts, position) - 1
            at_end = end == len(self._joined) or self._joined[end] == "\n"
            if position - self._starts[index] >= MIN_PART and at_end:
                found.add(self._vocabulary[index])
            position = self._joined.find(word, position + 1)
        return found

    def _parts_of(self, word: str) -> set[str]:
        """Known words that begin or end `word` ("kreis", "jugendamt" of "kreisjugendamt"), each part and
        the rest at least MIN_PART letters ("land" of "landrad" leaves "rad": no compound)."""
        cuts = range(MIN_PART, len(word) - MIN_PART + 1)
        return {part for cut in cuts for part in (word[:cut], word[cut:]) if part in self._surface}

    # -- answering a query ------------------------------------------------------------------------

    def search(
        self,
        q: str | None,
        *,
        county: str | None = None,
        gazetteer: Gazetteer | None = None,
        today: dt.date,
        limit: int = 20,
    ) -> DirectoryAnswer:
        """The entries for `q` (see the module docstring), in `county` and those of no county when given;
        without `q`, the entries of `county` (or all) by name, units first."""
        if not q or not q.strip():
            listed = [e for e in self.entries if county is None or e.county in (county, None)]
            listed.sort(key=lambda e: (e.kind != "unit", e.county or "", fold_text(e.name)))
            return DirectoryAnswer([self.hit(e, today) for e in listed[:limit]], len(listed))
        typed = re.findall(r"\w+", q)
        named = {i + 1 for i, word in enumerate(typed[:-1]) if fold(word) in HONORIFICS}
        names = [word for i, word in enumerate(typed) if i in named and fold(word) not in HONORIFICS]
        rest = " ".join(word for i, word in enumerate(typed) if i not in named or fold(word) in HONORIFICS)
        found = gazetteer.detect(rest, county) if gazetteer is not None else PlaceMatch(rest)
        territory = found.territory
        narrowed = territory.county if territory and territory.county else county
        ranked = self._rank(" ".join([found.text, *names]), narrowed, territory)
        if not ranked and found.text != rest:
            territory = None
            ranked = self._rank(q, county, None)
        hits = [self.hit(self.entries[index], today, score) for index, score in ranked[:limit]]
        return DirectoryAnswer(hits, len(ranked), territory)

    def hit(self, entry: Entry, today: dt.date, score: float = 0.0) -> Hit:
        """`entry` as a hit, with the deputy of a person absent `today` (also for a call's screen pop)."""
        deputy = None
        if entry.kind == "person" and not entry.present(today) and entry.deputy_id:
            deputy = self.get("person", entry.deputy_id)
        return Hit(entry, round(score, 3), deputy)

    def _rank(self, text: str, county: str | None, territory: Territory | None) -> list[tuple[int, float]]:
        typed = words(text)
        wants_person = any(w in HONORIFICS for w in typed)
        query = [w for w in typed if w not in HONORIFICS and w not in FILLERS][:MAX_ANALYSED_WORDS]
        if not query:
            return []
        per_word = [self._word(word) for word in query]
        matched: dict[int, list[float]] = defaultdict(list)
        for scores in per_word:
            for index, value in scores.items():
                matched[index].append(value)
        allowed = {
            index for index in matched if county is None or self.entries[index].county in (county, None)
        }
        if not allowed:
            return []
        most = max(len(matched[index]) for index in allowed)
        phrase = " ".join(query)
        ranked = []
        for index in allowed:
            if len(matched[index]) < most:
                continue
            entry = self.entries[index]
            score = sum(matched[index])
            if phrase in self._texts[index]:
                score += PHRASE_BONUS
            if wants_person and entry.kind == "person":
                score += PERSON_BONUS
            score += self._territory_bonus(entry, territory)
            ranked.append((index, score))
        ranked.sort(
            key=lambda item: (
                -item[1],
                self.entries[item[0]].kind != "unit",
                fold_text(self.entries[item[0]].name),
            )
        )
        return ranked

    @staticmethod
    def _territory_bonus(entry: Entry, territory: Territory | None) -> float:
        """Entries of the VG named in the query, or a person looking after it, come first."""
        if territory is None:
            return 0.0
        if entry.place is not None and entry.place in territory.municipalities:
            return VG_BONUS
        names = {fold_text(territory.name), fold_text(territory.municipality_name or "")} - {""}
        topics = {fold_text(topic).removeprefix("vg ").removeprefix("stadt ") for topic in entry.topics}
        return TOPIC_PLACE_BONUS if names & topics else 0.0
