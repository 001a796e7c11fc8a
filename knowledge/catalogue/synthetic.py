"""Generated services for benchmarks: believable German titles and texts, spread over the four counties.

Service number n is drawn from its own random generator seeded with (seed, n), so `synthetic-000123` is the
same service whatever batch or run produces it; a second run continues after the highest synthetic id
already stored. Responsibilities point at the catalogue's existing units: the VG's own units for
municipality services, the county's departments for the others. Everything goes in with bulk inserts in
one transaction and one revision bump, so 100,000 services take seconds, not hours.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.catalogue import store
from knowledge.catalogue.models import Place, PlaceKind, Responsibility, Service, Unit

__all__ = ["ID_PREFIX", "SyntheticCatalogue", "add_synthetic_services"]

ID_PREFIX = "synthetic-"

# (noun, its form as the first part of a compound)
SUBJECTS = [
    ("Hund", "Hunde"),
    ("Fahrzeug", "Fahrzeug"),
    ("Grundstück", "Grundstücks"),
    ("Gewerbe", "Gewerbe"),
    ("Wohnung", "Wohnungs"),
    ("Baum", "Baum"),
    ("Brunnen", "Brunnen"),
    ("Veranstaltung", "Veranstaltungs"),
    ("Schornstein", "Schornstein"),
    ("Solaranlage", "Solaranlagen"),
    ("Ferienwohnung", "Ferienwohnungs"),
    ("Pferd", "Pferde"),
    ("Weinberg", "Weinbergs"),
    ("Wald", "Wald"),
    ("Garage", "Garagen"),
    ("Zaun", "Zaun"),
    ("Kleingarten", "Kleingarten"),
    ("Verein", "Vereins"),
    ("Schule", "Schul"),
    ("Friedhof", "Friedhofs"),
    ("Straße", "Straßen"),
    ("Gehweg", "Gehweg"),
    ("Markt", "Markt"),
    ("Gaststätte", "Gaststätten"),
    ("Boot", "Boots"),
    ("Anhänger", "Anhänger"),
    ("Wohnmobil", "Wohnmobil"),
    ("Heizung", "Heizungs"),
    ("Abwasser", "Abwasser"),
    ("Photovoltaikanlage", "Photovoltaik"),
    ("Denkmal", "Denkmal"),
    ("Jagd", "Jagd"),
    ("Fischerei", "Fischerei"),
    ("Bienenvolk", "Bienen"),
    ("Geflügel", "Geflügel"),
    ("Feuerwerk", "Feuerwerks"),
    ("Spielplatz", "Spielplatz"),
    ("Sportplatz", "Sportplatz"),
    ("Parkplatz", "Parkplatz"),
    ("Container", "Container"),
    ("Gerüst", "Gerüst"),
    ("Werbeanlage", "Werbeanlagen"),
    ("Öltank", "Öltank"),
    ("Kleinkläranlage", "Kleinkläranlagen"),
    ("Zisterne", "Zisternen"),
    ("Erdwärme", "Erdwärme"),
    ("Stall", "Stall"),
    ("Scheune", "Scheunen"),
    ("Dachgeschoss", "Dachgeschoss"),
    ("Wintergarten", "Wintergarten"),
    ("Carport", "Carport"),
    ("Pflegekind", "Pflegekinder"),
    ("Schüler", "Schüler"),
    ("Senior", "Senioren"),
    ("Ehrenamt", "Ehrenamts"),
    ("Taxi", "Taxi"),
    ("Drohne", "Drohnen"),
    ("Waffe", "Waffen"),
    ("Lebensmittel", "Lebensmittel"),
    ("Trinkwasser", "Trinkwasser"),
    ("Wasserzähler", "Wasserzähler"),
    ("Grab", "Grab"),
    ("Weinfest", "Weinfest"),
    ("Campingplatz", "Campingplatz"),
    ("Reitweg", "Reitweg"),
    ("Kamin", "Kamin"),
    ("Wohngebäude", "Wohngebäude"),
    ("Hecke", "Hecken"),
    ("Teich", "Teich"),
    ("Fahrrad", "Fahrrad"),
    ("Motorrad", "Motorrad"),
    ("Pflegedienst", "Pflegedienst"),
    ("Kita", "Kita"),
]
# (noun for "X für Y", its form as the last part of a compound)
KINDS = [
    ("Genehmigung", "genehmigung"),
    ("Erlaubnis", "erlaubnis"),
    ("Bescheinigung", "bescheinigung"),
    ("Zuschuss", "zuschuss"),
    ("Förderung", "förderung"),
    ("Befreiung", "befreiung"),
    ("Auskunft", "auskunft"),
    ("Nachweis", "nachweis"),
    ("Anzeige", "anzeige"),
    ("Zulassung", "zulassung"),
    ("Registrierung", "registrierung"),
    ("Ausnahmegenehmigung", "ausnahmegenehmigung"),
    ("Beihilfe", "beihilfe"),
    ("Erstattung", "erstattung"),
    ("Prüfung", "prüfung"),
    ("Anmeldung", "anmeldung"),
    ("Abmeldung", "abmeldung"),
]
VERBS = ["beantragen", "verlängern", "ändern lassen", "erhalten", "einreichen", "zurückgeben"]
DIRECT_VERBS = [
    "anmelden",
    "abmelden",
    "ummelden",
    "melden",
    "eintragen lassen",
    "prüfen lassen",
    "genehmigen lassen",
]
QUALIFIERS = [
    "für Privatpersonen",
    "für Vereine",
    "für Landwirte",
    "im Außenbereich",
    "für Gewerbetreibende",
    "nach Umzug",
    "bei Verlust",
    "für Minderjährige",
    "in Wasserschutzgebieten",
    "für Unternehmen",
    "bei Erbschaft",
    "im Denkmalbereich",
    "für Neubürger",
    "für Alleinerziehende",
    "in der Ortsgemeinde",
    "für Menschen mit Behinderung",
]
OFFICES = {
    "municipality": "der Verwaltung Ihrer Verbandsgemeinde oder verbandsfreien Gemeinde",
    "county": "der Kreisverwaltung",
    "state": "der zuständigen Landesbehörde",
    "federal": "der zuständigen Bundesbehörde",
}
LEVELS = ["municipality"] * 8 + ["county"] * 8 + ["state"] * 2 + ["federal"] * 2
DOCUMENTS = [
    "Personalausweis oder Reisepass",
    "Lageplan",
    "Nachweis über das Eigentum",
    "Vollmacht",
    "Meldebescheinigung",
    "Kostenvoranschlag",
    "Fotos",
    "Gewerbeanmeldung",
    "Vereinssatzung",
    "Einkommensnachweise",
    "ärztliches Attest",
    "Grundbuchauszug",
    "bisheriger Bescheid",
]
SENTENCES = [
    "{Kind} für {noun} beantragen Sie bei {office}.",
    "Wer {noun} betreibt oder hält, stellt den Antrag auf {kind} rechtzeitig.",
    "Über Anträge auf {compound} entscheidet {office} in der Regel innerhalb von {weeks} Wochen.",
    "Wer ohne {kind} handelt, riskiert ein Bußgeld.",
    "Die Angaben zum {noun} werden geprüft; fehlende Unterlagen verzögern das Verfahren.",
    "Den Antrag stellen Sie schriftlich, online oder persönlich bei {office}.",
    "Eine Änderung ist unverzüglich mitzuteilen.",
]


@dataclass(frozen=True)
class _Territory:
    county: str
    place: str | None
    units: tuple[str, ...]


class SyntheticCatalogue:
    """Generates service records (ServiceRecord-shaped dicts with responsibilities) from the existing units."""

    def __init__(
        self, units: Sequence[Unit], places: Sequence[Place], demo_texts: Sequence[str], seed: int = 115
    ):
        self.seed = seed
        vgs = sorted((p for p in places if p.kind is not PlaceKind.ortsgemeinde), key=lambda p: p.id)
        units = sorted(units, key=lambda u: u.id)
        self.counties = sorted({p.county for p in vgs})
        by_place = defaultdict(list)
        by_county = defaultdict(list)
        for unit in units:
            if unit.place:
                by_place[unit.place].append(unit.id)
            elif unit.county:
                by_county[unit.county].append(unit.id)
        self.municipal = {
            c: [_Territory(c, p.id, tuple(by_place[p.id])) for p in vgs if p.county == c and by_place[p.id]]
            for c in self.counties
        }
        self.regional = {
            c: [_Territory(c, None, tuple(by_county[c]))] if by_county[c] else [] for c in self.counties
        }
        self.sentences = sorted(
            {
                s.strip()
                for t in demo_texts
                for s in re.split(r"(?<=\.)\s+", t)
                if len(s.strip()) > 40 and s[0].isupper() and not re.search(r"\b\w{1,2}\.$", s)
            }
        )

    def service(self, number: int) -> dict:
        """Service `number`: the same for the same seed, whenever it is generated."""
        rng = random.Random(f"{self.seed}:{number}")
        noun, stem = rng.choice(SUBJECTS)
        kind, kind_tail = rng.choice(KINDS)
        compound = stem + kind_tail
        level = rng.choice(LEVELS)
        pattern = rng.randrange(3)
        if pattern == 0:
            title = f"{compound[0].upper()}{compound[1:]} {rng.choice(VERBS)}"
        elif pattern == 1:
            title = f"{kind} für {noun} {rng.choice(VERBS)}"
        else:
            title = f"{noun} {rng.choice(DIRECT_VERBS)}"
        if rng.random() < 0.5:
            title += f" ({rng.choice(QUALIFIERS)})"
        words = {
            "noun": noun,
            "kind": kind,
            "Kind": kind,
            "compound": compound[0].upper() + compound[1:],
            "office": OFFICES[level],
            "weeks": rng.randint(2, 12),
        }
        own = [s.format(**words) for s in rng.sample(SENTENCES, 3)]
        borrowed = rng.sample(self.sentences, min(len(self.sentences), rng.randint(1, 3)))
        return {
            "id": f"{ID_PREFIX}{number:06d}",
            "leika": None,
            "title": title,
            "synonyms": sorted(
                {f"{noun} {kind}", words["compound"], f"{kind} {noun}", f"{noun} {rng.choice(DIRECT_VERBS)}"}
            ),
            "level": level,
            "leistungstyp": None,
            "short_text": own[0],
            "full_text": " ".join(own[1:] + borrowed),
            "requirements": None,
            "documents": "\n".join(f"- {d}" for d in rng.sample(DOCUMENTS, rng.randint(1, 4))),
            "fees": rng.choice(
                ["gebührenfrei", f"{rng.randint(5, 300)},00 EUR", "nach Aufwand, siehe Gebührensatzung"]
            ),
            "deadlines": None,
            "processing_time": f"etwa {words['weeks']} Wochen",
            "procedure": "Antrag stellen, Unterlagen einreichen, Bescheid abwarten.",
            "legal_basis": None,
            "forms": None,
            "online_service": None,
            "notes": None,
            "responsibilities": self._responsibilities(rng, level),
        }

    def _responsibilities(self, rng: random.Random, level: str) -> list[dict]:
        counties = (
            self.counties if rng.random() < 0.5 else sorted(rng.sample(self.counties, rng.randint(1, 3)))
        )
        table = self.municipal if level == "municipality" else self.regional
        return [
            {"unit": rng.choice(t.units), "county": t.county, "place": t.place}
            for county in counties
            for t in table[county]
        ]

    def services(self, first: int, count: int) -> Iterator[dict]:
        """Services first … first + count - 1."""
        for number in range(first, first + count):
            yield self.service(number)


async def _next_number(session: AsyncSession) -> int:
    highest = await session.scalar(select(func.max(Service.id)).where(Service.id.like(f"{ID_PREFIX}%")))
    return int(highest.removeprefix(ID_PREFIX)) + 1 if highest else 1


async def add_synthetic_services(
    session: AsyncSession,
    *,
    count: int,
    seed: int = 115,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Insert `count` generated services after the existing ones, in the caller's transaction.

    Returns the first and last number added. The catalogue revision goes up once, and every new service
    carries it, so the search index picks them all up on its next sync or rebuild.
    """
    demo_texts = [
        t
        for t in (
            await session.scalars(select(Service.full_text).where(~Service.id.like(f"{ID_PREFIX}%")))
        ).all()
        if t
    ]
    catalogue = SyntheticCatalogue(
        (await session.scalars(select(Unit))).all(), await store.list_places(session), demo_texts, seed
    )
    first = await _next_number(session)
    revision = await store.bump_revision(session)
    done = 0
    while done < count:
        records = list(catalogue.services(first + done, min(batch, count - done)))
        await session.execute(
            insert(Service.__table__),
            [
                {k: v for k, v in r.items() if k != "responsibilities"} | {"revision": revision}
                for r in records
            ],
        )
        rows = [r2 | {"service": r["id"]} for r in records for r2 in r["responsibilities"]]
        if rows:
            await session.execute(insert(Responsibility.__table__), rows)
        done += len(records)
        if progress:
            progress(done)
    return first, first + count - 1
