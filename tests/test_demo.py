"""The demonstration catalogue under config/catalogue loads, expands and covers what the 115 agents need."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from knowledge.catalogue.demo import load_demo_document
from knowledge.catalogue.document import CatalogueDocument, DocumentError
from knowledge.catalogue.models import PlaceKind, ServiceLevel

COUNTIES = {
    "07231": ("Landkreis Bernkastel-Wittlich", "+49 6571 14-0", "Kurfürstenstraße 16", "54516", "Wittlich"),
    "07232": ("Eifelkreis Bitburg-Prüm", "+49 6561 15-0", "Trierer Straße 1", "54634", "Bitburg"),
    "07135": ("Landkreis Cochem-Zell", "+49 2671 61-0", "Endertplatz 2", "56812", "Cochem"),
    "07233": ("Landkreis Vulkaneifel", "+49 6592 933-0", "Mainzer Straße 25", "54550", "Daun"),
}

ADMINISTRATIONS = {
    "07231": [
        "Bernkastel-Kues",
        "Thalfang am Erbeskopf",
        "Traben-Trarbach",
        "Wittlich-Land",
        "Stadt Wittlich",
        "Gemeinde Morbach",
    ],
    "07232": ["Arzfeld", "Bitburger Land", "Prüm", "Speicher", "Südeifel", "Stadt Bitburg"],
    "07135": ["Cochem", "Kaisersesch", "Ulmen", "Zell (Mosel)"],
    "07233": ["Daun", "Gerolstein", "Kelberg"],
}
VERBANDSFREI = {"Stadt Wittlich", "Gemeinde Morbach", "Stadt Bitburg"}

COVERAGE = [
    "Personalausweis",
    "Reisepass",
    "Kinderreisepass",
    "eID-Karte",
    "Wohnsitz anmelden",
    "Meldebescheinigung",
    "Melderegisterauskunft",
    "Auskunftssperre",
    "Führungszeugnis",
    "Gewerbezentralregister",
    "Geburtsurkunde",
    "Eheschließung",
    "Sterbeurkunde",
    "Kirchenaustritt",
    "Vaterschaft",
    "Gewerbe anmelden",
    "Gaststättenerlaubnis",
    "Reisegewerbekarte",
    "Neuzulassung",
    "Halterwechsel",
    "Außer Betrieb",
    "Saisonkennzeichen",
    "Kurzzeitkennzeichen",
    "H-Kennzeichen",
    "Wunschkennzeichen",
    "Umweltplakette",
    "Kartenführerschein",
    "Internationalen Führerschein",
    "Fahrerkarte",
    "Begleitetes Fahren",
    "Baugenehmigung",
    "Bauvoranfrage",
    "Baulast",
    "Wohngeld",
    "Grundsicherung",
    "Hilfe zur Pflege",
    "Elterngeld",
    "Unterhaltsvorschuss",
    "Schüler-BAföG",
    "Studenten-BAföG",
    "Bürgergeld",
    "Hartz 4",
    "Kindergeld",
    "Kinderzuschlag",
    "Kita",
    "Tagesmutter",
    "Beistandschaft",
    "Sorgerecht",
    "Jugendschutz",
    "Aufenthaltserlaubnis",
    "Niederlassungserlaubnis",
    "Verpflichtungserklärung",
    "Einbürgerung",
    "Waffenbesitzkarte",
    "Kleinen Waffenschein",
    "Jagdschein",
    "Falknerjagdschein",
    "Angelschein",
    "Impfung",
    "Trinkwasser",
    "Heilpraktiker",
    "Gesundheitszeugnis",
    "Schuleingangsuntersuchung",
    "Lebensmittelunternehmen",
    "Tierhaltung",
    "Sperrmüll",
    "Mülltonne",
    "Abfallkalender",
    "Grünschnitt",
    "Sondermüll",
    "Hundesteuer",
    "Hundemarke",
    "Knöllchen",
    "Bußgeldbescheid",
    "Anhörungsbogen",
    "blauer Parkausweis",
    "Bewohnerparkausweis",
    "Schwertransport",
    "Straßensperrung",
    "Schwerbehindertenausweis",
    "Merkzeichen",
    "Fundbüro",
    "Grundsteuer",
    "Rundfunkbeitrag",
    "Steuer-ID",
    "Rentenantrag",
    "Arbeitslosengeld",
    "Wohnberechtigungsschein",
    "Beglaubigung",
    "Lebensbescheinigung",
    "Ehrenamtskarte",
    "Fischereiabgabe",
    "Briefwahl",
    "Wahlschein",
    "Kinderausweis",
    "Perso",
    "Knöllchen",
]


@pytest.fixture(scope="module")
def document() -> CatalogueDocument:
    return load_demo_document()


def _text(service) -> str:
    return " ".join([service.title, *service.synonyms]).casefold()


def test_demo_has_enough_services_units_and_places(document: CatalogueDocument) -> None:
    assert len(document.services) >= 160
    assert len(document.units) >= 150
    assert sum(p.kind is PlaceKind.ortsgemeinde for p in document.places) >= 45


def test_every_service_covers_each_territory_exactly_once(document: CatalogueDocument) -> None:
    admin = {(p.county, p.id) for p in document.places if p.kind is not PlaceKind.ortsgemeinde}
    counties = {(c.key, None) for c in document.counties}
    for service in document.services:
        territories = Counter((r.county, r.place) for r in service.responsibilities)
        expected = admin if service.level is ServiceLevel.municipality else counties
        assert set(territories) == expected, service.id
        assert set(territories.values()) == {1}, service.id


def test_municipal_services_go_to_the_administration_of_the_place(document: CatalogueDocument) -> None:
    units = {u.id: u for u in document.units}
    service = next(s for s in document.services if s.id == "personalausweis-beantragen")
    for resp in service.responsibilities:
        assert units[resp.unit].place == resp.place
        assert units[resp.unit].kind == "buergerbuero"


def test_county_level_uses_county_unit_and_federal_uses_national_body(document: CatalogueDocument) -> None:
    units = {u.id: u for u in document.units}
    services = {s.id: s for s in document.services}
    for resp in services["fahrzeug-neuzulassung"].responsibilities:
        assert units[resp.unit].county == resp.county
    assert {r.unit for r in services["kindergeld"].responsibilities} == {"familienkasse"}
    jobcenters = {r.county: units[r.unit] for r in services["buergergeld"].responsibilities}
    assert all(unit.kind == "jobcenter" and unit.county == county for county, unit in jobcenters.items())
    lsjv = {r.county: r.unit for r in services["schwerbehindertenausweis-antrag"].responsibilities}
    assert lsjv["07135"] == "lsjv-koblenz" and lsjv["07233"] == "lsjv-trier"


def test_counties_match_the_brief(document: CatalogueDocument) -> None:
    counties = {c.key: c for c in document.counties}
    assert set(counties) == set(COUNTIES)
    for key, (name, switchboard, street, postcode, city) in COUNTIES.items():
        county = counties[key]
        assert (county.name, county.switchboard, county.street, county.postcode, county.city) == (
            name,
            switchboard,
            street,
            postcode,
            city,
        )
        assert county.member is True


def test_every_administration_of_the_brief_exists_in_its_county(document: CatalogueDocument) -> None:
    admin = {p.name: p for p in document.places if p.kind is not PlaceKind.ortsgemeinde}
    assert len(admin) == 19
    for county, names in ADMINISTRATIONS.items():
        for short in names:
            name = short if short in VERBANDSFREI else f"Verbandsgemeinde {short}"
            assert name in admin, name
            assert admin[name].county == county
            expected = (
                PlaceKind.verbandsfreie_gemeinde if short in VERBANDSFREI else PlaceKind.verbandsgemeinde
            )
            assert admin[name].kind is expected


def test_ortsgemeinden_have_a_verbandsgemeinde_of_their_county(document: CatalogueDocument) -> None:
    places = {p.id: p for p in document.places}
    for place in places.values():
        if place.kind is PlaceKind.ortsgemeinde:
            parent = places[place.parent]
            assert parent.kind is PlaceKind.verbandsgemeinde and parent.county == place.county
            assert set(place.postal_codes) <= set(parent.postal_codes)
            assert set(place.area_codes) <= set(parent.area_codes)


def test_verified_keys(document: CatalogueDocument) -> None:
    places = {p.id: p for p in document.places}
    assert places["vg-gerolstein"].ars == "072335006"
    assert places["vg-ulmen"].ars == "071355003"
    assert places["og-reil"].ags == "07231110"
    assert places["og-zell"].ags == "07135092"


def test_area_code_06542_spans_two_counties(document: CatalogueDocument) -> None:
    places = {p.id: p for p in document.places}
    assert "06542" in places["og-zell"].area_codes and places["og-zell"].county == "07135"
    assert "06542" in places["og-reil"].area_codes and places["og-reil"].county == "07231"
    assert {p.county for p in document.places if "06542" in p.area_codes} >= {"07135", "07231"}


@pytest.mark.parametrize("keyword", sorted(set(COVERAGE)))
def test_coverage_keyword_is_findable(document: CatalogueDocument, keyword: str) -> None:
    assert any(keyword.casefold() in _text(s) for s in document.services), keyword


def _write_demo(directory: Path, handled_by: str) -> None:
    records = {
        "counties": [
            {
                "key": "07233",
                "name": "Landkreis Vulkaneifel",
                "seat": "Daun",
                "street": "Mainzer Straße 25",
                "postcode": "54550",
                "city": "Daun",
                "switchboard": "+49 6592 933-0",
            }
        ],
        "places": [
            {"id": "vg-daun", "county": "07233", "kind": "verbandsgemeinde", "name": "Verbandsgemeinde Daun"}
        ],
        "units": [
            {
                "id": "vg-daun-buergerbuero",
                "name": "Bürgerbüro VG Daun",
                "kind": "buergerbuero",
                "county": "07233",
                "place": "vg-daun",
                "topics": ["ausweis"],
            }
        ],
        "services": [
            {
                "id": "personalausweis",
                "title": "Personalausweis beantragen",
                "level": "municipality",
                "handled_by": handled_by,
            }
        ],
    }
    for section, data in records.items():
        (directory / f"{section}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_tiny_catalogue_expands(tmp_path: Path) -> None:
    _write_demo(tmp_path, "ausweis")
    document = load_demo_document(tmp_path)
    (resp,) = document.services[0].responsibilities
    assert (resp.unit, resp.county, resp.place) == ("vg-daun-buergerbuero", "07233", "vg-daun")


def test_broken_handled_by_raises_document_error(tmp_path: Path) -> None:
    _write_demo(tmp_path, "zulassung")
    with pytest.raises(DocumentError) as caught:
        load_demo_document(tmp_path)
    (problem,) = caught.value.problems
    assert problem["loc"] == ["services", 0, "handled_by"]
    assert "zulassung" in problem["msg"] and "vg-daun" in problem["msg"]
