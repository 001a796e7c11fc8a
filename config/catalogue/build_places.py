"""Generate config/catalogue/places.yaml from the reference data in config/catalogue/reference/.

Rerun after changing an input (from the repository root, with the project's virtualenv):

    .venv/bin/python config/catalogue/build_places.py            # writes config/catalogue/places.yaml
    .venv/bin/python config/catalogue/build_places.py --check    # exit 1 if the file is not up to date

The output is deterministic (places sorted by their official key, lists sorted), so a rerun on the same
inputs and the same `phonenumbers` version gives no diff. Inputs:

- `reference/gemeinden-emh-gv100ad-2021.csv`: every Gemeinde of the four counties with ARS, AGS and its
  Verbandsgemeinde (Destatis GV100AD, Gebietsstand 30.11.2021);
- `reference/plz-ags-emh-osm-2021.csv`: postcode <-> AGS (OpenStreetMap, ODbL), checked against the
  GV100AD file's `plz_alle_osm` column;
- `reference/places-curated.yaml`: the ids and hand-curated area codes of the first demo catalogue's
  89 places, which units and responsibilities reference;
- the `phonenumbers` geocoder: the German name of each area code's Ortsnetz (telephone area).

Area codes are derived without guessing coverage: an Ortsnetz (026xx, 065xx) whose geocoder name is the
name of exactly one Gemeinde of the four counties gives that Gemeinde its code; the curated codes are
added; a Verbandsgemeinde gets the codes of its Gemeinden plus its curated ones. Which other Gemeinden an
Ortsnetz covers is in none of the inputs, so most Ortsgemeinden have no area code.

This is build tooling next to the data, not part of the runtime packages.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers
import yaml
from phonenumbers import geocoder

from knowledge.search.analysis import (
    fold_text as fold,  # names compare as the place recognition compares them
)

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference"
OUTPUT = HERE / "places.yaml"

# Area-code ranges of the Ortsnetze around the four counties (Koblenz/Eifel 026xx, Trier/Mosel/Eifel 065xx).
# Outside them the geocoder names far-away places that share a Gemeinde's name (Burg bei Magdeburg, ...).
AREA_CODE_RANGES = ("026", "065")

# Ortsnetz names that match a Gemeinde of the four counties by name but are another place.
NOT_THE_GEMEINDE = {
    "06586": "Beuren (Hochwald) in Trier-Saarburg, not Beuren in Cochem-Zell",
}

# Qualifiers in Gemeinde names ("Zell (Mosel)", "Graach an der Mosel", "Auw bei Prüm", "Biersdorf am See").
_PARENTHESIS = re.compile(r"^(?P<base>.+?) \((?P<qualifier>[^)]+)\)$")
_LOCATIVE = re.compile(r"^(?P<base>.+?) (?P<qualifier>(?:an der|am|bei|im|in der) .+)$")
_ORTSNETZ_QUALIFIER = re.compile(r" (?:bei .+|Eifel|Mosel|Hunsrück|Hochwald)$")


def slug(text: str) -> str:
    """An id part: lower case, umlauts transliterated, words joined by hyphens."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass
class Place:
    id: str
    county: str
    kind: str
    name: str
    parent: str | None
    ags: str | None
    ars: str
    row: dict[str, str] = field(repr=False)
    postal_codes: set[str] = field(default_factory=set)
    area_codes: set[str] = field(default_factory=set)
    aliases: list[str] = field(default_factory=list)

    @property
    def territory(self) -> str:
        """The administration that serves the place: its VG, or itself."""
        return self.parent or self.id

    def record(self) -> dict:
        return {
            "id": self.id,
            "county": self.county,
            "kind": self.kind,
            "name": self.name,
            "parent": self.parent,
            "ags": self.ags,
            "ars": self.ars,
            "postal_codes": _Flow(sorted(self.postal_codes)),
            "area_codes": _Flow(sorted(self.area_codes)),
            "aliases": _Flow(self.aliases),
        }


@dataclass(frozen=True)
class Ambiguity:
    """A folded name that names places of more than one administration: (place, how it is written)."""

    key: str
    meanings: tuple[tuple[Place, str], ...]


def read_csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def postcodes_by_ags(gemeinden: list[dict[str, str]]) -> dict[str, set[str]]:
    """AGS -> postcodes from the OSM file; it must agree with GV100AD's `plz_alle_osm` column."""
    by_ags: dict[str, set[str]] = defaultdict(set)
    for row in read_csv("plz-ags-emh-osm-2021.csv"):
        by_ags[row["ags"]].add(row["plz"])
    for row in gemeinden:
        if set(row["plz_alle_osm"].split()) != by_ags[row["ags"]]:
            raise SystemExit(f"postcodes of {row['gemeinde']} ({row['ags']}) differ between the two files")
    return by_ags


def ortsnetze() -> dict[str, str]:
    """Area code -> the geocoder's German Ortsnetz name, for every code in AREA_CODE_RANGES."""
    names: dict[str, str] = {}
    for prefix in AREA_CODE_RANGES:
        for rest in range(10 ** (5 - len(prefix))):
            digits = f"{prefix}{rest:0{5 - len(prefix)}d}"[1:]
            number = phonenumbers.parse(f"+49{digits}123456", "DE")
            length = phonenumbers.length_of_national_destination_code(number)
            code = "0" + digits[:length]
            description = geocoder.description_for_number(number, "de")
            if code.startswith(prefix) and description and description != "Deutschland":
                names[code] = description
    return names


def display_name(gemeinde: str) -> str:
    """GV100AD lists towns as "Cochem, Stadt"; the catalogue names them "Cochem"."""
    return gemeinde.removesuffix(", Stadt")


def short_name(name: str) -> str:
    """A Gemeinde's name without its qualifier: "Zell (Mosel)", "Graach an der Mosel" -> "Zell", "Graach"."""
    match = _PARENTHESIS.match(name) or _LOCATIVE.match(name)
    return match["base"] if match else name


def name_variants(row: dict[str, str]) -> list[str]:
    """Usual other spellings and short forms of a Gemeinde's name, before the ambiguity check."""
    gemeinde = row["gemeinde"]
    name = display_name(gemeinde)
    variants: list[str] = []
    if gemeinde.endswith(", Stadt"):
        variants += [gemeinde, f"Stadt {name}"]
    if match := _PARENTHESIS.match(name):
        base, qualifier = match["base"], match["qualifier"]
        variants += [base, f"{base}/{qualifier}"]
        if qualifier == "Mosel":
            variants.append(f"{base} an der Mosel")
        if gemeinde.endswith(", Stadt"):
            variants.append(f"Stadt {base}")
    elif match := _LOCATIVE.match(name):
        base, qualifier = match["base"], match["qualifier"]
        variants.append(base)
        if qualifier == "an der Mosel":
            variants += [f"{base} (Mosel)", f"{base}/Mosel"]
    if name.startswith("Sankt "):
        variants.append("St. " + name.removeprefix("Sankt "))
    if "-" in name and " " not in name:
        # Double names of merged villages: each part is still used on its own (Bernkastel, Kues).
        variants += name.split("-")
    return variants


def read_places() -> list[Place]:
    """Administrations and Ortsgemeinden from GV100AD, in ARS order, with curated ids and postcodes."""
    gemeinden = sorted(read_csv("gemeinden-emh-gv100ad-2021.csv"), key=lambda row: row["ars"])
    postcodes = postcodes_by_ags(gemeinden)
    curated = {
        entry["key"]: entry
        for entry in yaml.safe_load((REFERENCE / "places-curated.yaml").read_text("utf-8"))
    }

    administrations: dict[str, Place] = {}
    places: list[Place] = []
    for row in gemeinden:
        key9, county = row["verband_schluessel9"], row["kreis_schluessel"]
        administration = administrations.get(key9)
        if administration is None:
            entry = curated.get(key9, {})
            if row["verbandstyp"] == "Verbandsfreie Gemeinde":
                title = "Stadt" if row["gemeindetyp"] == "Stadt" else "Gemeinde"
                name = f"{title} {display_name(row['gemeinde'])}"
                administration = Place(
                    entry.get("id") or slug(name),
                    county,
                    "verbandsfreie_gemeinde",
                    name,
                    parent=None,
                    ags=row["ags"],
                    ars=row["ars"],
                    row=row,
                )
            else:
                administration = Place(
                    entry.get("id") or f"vg-{slug(row['verband'])}",
                    county,
                    "verbandsgemeinde",
                    f"Verbandsgemeinde {row['verband']}",
                    parent=None,
                    ags=None,
                    ars=key9,
                    row=row,
                )
            administration.area_codes |= set(entry.get("area_codes", []))
            administrations[key9] = administration
            places.append(administration)
        administration.postal_codes |= postcodes[row["ags"]]
        if administration.kind == "verbandsgemeinde":
            entry = curated.get(row["ags"], {})
            places.append(
                Place(
                    entry.get("id", ""),
                    county,
                    "ortsgemeinde",
                    display_name(row["gemeinde"]),
                    parent=administration.id,
                    ags=row["ags"],
                    ars=row["ars"],
                    row=row,
                    postal_codes=set(postcodes[row["ags"]]),
                    area_codes=set(entry.get("area_codes", [])),
                )
            )
    missing = {entry["id"] for entry in curated.values()} - {place.id for place in places}
    if missing:
        raise SystemExit(f"curated places not in the Gemeindeverzeichnis: {sorted(missing)}")
    _assign_new_ids(places)
    return places


def _assign_new_ids(places: list[Place]) -> None:
    """`og-<name>` for Ortsgemeinden without a curated id; a name used twice adds its VG."""
    taken = {place.id for place in places if place.id}
    new = [place for place in places if not place.id]
    counts: dict[str, int] = defaultdict(int)
    for place in new:
        counts[slug(place.name)] += 1
    for place in new:
        candidate = f"og-{slug(place.name)}"
        if counts[slug(place.name)] > 1 or candidate in taken:
            candidate += "-" + place.parent.removeprefix("vg-")
        if candidate in taken:
            raise SystemExit(f"id {candidate} is taken")
        place.id = candidate
        taken.add(candidate)


def assign_area_codes(places: list[Place]) -> None:
    """Give Gemeinden the Ortsnetze named after them, and VGs their Gemeinden's codes."""
    by_name: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        if place.kind != "verbandsgemeinde":
            by_name[fold(short_name(display_name(place.row["gemeinde"])))].append(place)
    for code, ortsnetz in sorted(ortsnetze().items()):
        if code in NOT_THE_GEMEINDE:
            continue
        candidates = by_name.get(fold(_ORTSNETZ_QUALIFIER.sub("", ortsnetz)), [])
        if len(candidates) > 1:
            # Two Gemeinden of that name (Manderscheid): only one already listed with the code may have it.
            candidates = [place for place in candidates if code in place.area_codes]
        if len(candidates) == 1:
            candidates[0].area_codes.add(code)
    administrations = {place.id: place for place in places if place.parent is None}
    for place in places:
        if place.parent:
            administrations[place.parent].area_codes |= place.area_codes


def assign_aliases(places: list[Place]) -> list[Ambiguity]:
    """Aliases that name one administration only; the names and short forms that name several."""
    wanted: dict[str, list[str]] = {}
    for place in places:
        row = place.row
        if place.kind == "ortsgemeinde":
            wanted[place.id] = name_variants(row)
        elif place.kind == "verbandsfreie_gemeinde":
            wanted[place.id] = [display_name(row["gemeinde"]), *name_variants(row)]
        else:
            wanted[place.id] = [f"VG {row['verband']}", row["verband"]]
            if match := _PARENTHESIS.match(row["verband"]):
                wanted[place.id] += [f"VG {match['base']}", match["base"]]

    # Every place a folded name or wanted alias would point to.
    meanings: dict[str, dict[str, tuple[Place, str]]] = defaultdict(dict)
    for place in places:
        meanings[fold(place.name)][place.id] = (place, place.name)
        for text in wanted[place.id]:
            meanings[fold(text)].setdefault(place.id, (place, text))
    ambiguous = {
        key: Ambiguity(key, tuple(found.values()))
        for key, found in meanings.items()
        if len({place.territory for place, _ in found.values()}) > 1
    }
    # An alias must name one administration only and add something: not a place's name, and not the
    # alias of another place (Gemeinden and verbandsfreie Gemeinden claim theirs before the VGs).
    claimed = {fold(place.name) for place in places} | set(ambiguous)
    for place in sorted(places, key=lambda p: p.kind == "verbandsgemeinde"):
        place.aliases = []
        for text in wanted[place.id]:
            if fold(text) not in claimed:
                claimed.add(fold(text))
                place.aliases.append(text)
    return sorted(ambiguous.values(), key=lambda a: a.key)


class _Flow(list):
    """A list written on one line: [a, b]."""


class _Dumper(yaml.SafeDumper):
    """Quotes digit strings (keys, codes) so that no YAML reader takes them for numbers."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "'" if value.isdigit() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(
    _Flow, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)
)


HEADER = """\
# Gemeinden und Verbandsgemeinden der vier Landkreise des 115-Servicecenters Eifel-Mosel-Hunsrück.
# ERZEUGT von config/catalogue/build_places.py – nicht von Hand bearbeiten, sondern das Skript neu
# ausführen (siehe dort). Eingaben und Quellen: config/catalogue/reference/README.md.
#
# Quellen:
# - Gemeinden, Namen, ARS, AGS und Zugehörigkeit zur Verbandsgemeinde: Statistisches Bundesamt
#   (Destatis), Gemeindeverzeichnis GV100AD, Gebietsstand 30.11.2021. "Vervielfältigung und Verbreitung,
#   auch auszugsweise, mit Quellenangabe gestattet." Spätere Gebietsänderungen sind nicht berücksichtigt.
# - Postleitzahlen: © OpenStreetMap-Mitwirkende, über suche-postleitzahl.org (2021), Open Database
#   License (ODbL). Diese Datei ist insoweit eine abgeleitete Datenbank und steht unter der ODbL.
# - Vorwahlen: Namen der Ortsnetze aus den Geocoder-Daten des Python-Pakets phonenumbers. Eine
#   Gemeinde erhält die Vorwahl eines Ortsnetzes (026xx, 065xx), das nach ihr benannt ist (bei zwei
#   gleichnamigen Gemeinden nur die, die sie schon hatte); dazu kommen die von Hand gepflegten
#   Vorwahlen des ersten Demo-Katalogs (reference/places-curated.yaml, Allgemeinwissen, nicht geprüft).
#   Eine Verbandsgemeinde hat die Vorwahlen ihrer Gemeinden. Welche weiteren Gemeinden ein Ortsnetz
#   versorgt, steht in keiner Quelle – die meisten Ortsgemeinden haben daher keine Vorwahl.
#   Ortsnetze folgen nicht den Kreisgrenzen; eine Vorwahl mit Gemeinden in mehreren Landkreisen ist
#   mehrdeutig und bleibt es: {shared}.
#
# ARS: 12 Stellen für Gemeinden und verbandsfreie Gemeinden, 9 Stellen (Verbandsschlüssel) für
# Verbandsgemeinden. AGS: 8 Stellen, nur für Gemeinden. Städte heißen hier ohne den Zusatz ", Stadt"
# des Gemeindeverzeichnisses ("Cochem"); die amtliche Form steht unter `aliases`.
#
# `aliases`: übliche andere Schreibweisen und Kurzformen ("Stadt Cochem", "Zell", "Bernkastel",
# "Traben", "VG Daun"), nur wenn sie genau eine Verwaltung (Verbandsgemeinde oder verbandsfreie
# Gemeinde) bezeichnen. Mehrdeutig sind diese Namen und Kurzformen (verglichen ohne Groß- und
# Kleinschreibung, Umlaute und Satzzeichen): sie bezeichnen Orte in mehr als einer Verwaltung, stehen
# daher in keinem `aliases`, und die Ortserkennung muss sie als mehrdeutig behandeln und nachfragen.
{ambiguous}
#
# {verbandsgemeinde} Verbandsgemeinden, {verbandsfreie_gemeinde} verbandsfreie Gemeinden, \
{ortsgemeinde} Ortsgemeinden.
"""


def describe(ambiguity: Ambiguity, places: dict[str, Place]) -> str:
    """One comment line: the name as written, then each place it may mean with its administration."""
    meanings = []
    for place, _ in ambiguity.meanings:
        administration = places[place.territory].name.replace("Verbandsgemeinde ", "VG ")
        meanings.append(f"{place.name} ({administration}, {place.county})")
    return f"#   {ambiguity.meanings[0][1]}: " + "; ".join(meanings)


def render() -> str:
    """The whole places.yaml."""
    places = read_places()
    assign_area_codes(places)
    ambiguous = assign_aliases(places)
    counts = Counter(place.kind for place in places)
    shared = []
    for code in sorted({c for p in places for c in p.area_codes}):
        counties = sorted({p.county for p in places if code in p.area_codes})
        if len(counties) > 1:
            shared.append(f"{code} ({', '.join(counties)})")
    by_id = {place.id: place for place in places}
    header = HEADER.format(
        shared=", ".join(shared) or "keine",
        ambiguous="\n".join(describe(ambiguity, by_id) for ambiguity in ambiguous),
        **counts,
    )
    body = yaml.dump(
        [place.record() for place in places],
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None,
        width=110,
    )
    return header + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if places.yaml is not up to date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date; rerun {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
