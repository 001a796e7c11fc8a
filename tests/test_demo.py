"""The demonstration catalogue under config/catalogue loads, expands and covers what the 115 agents need."""

from __future__ import annotations

import csv
import runpy
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from config import CONFIG_DIR
from knowledge.catalogue.demo import load_demo_document
from knowledge.catalogue.document import CatalogueDocument, DocumentError
from knowledge.catalogue.models import PlaceKind, ServiceLevel
from knowledge.search.analysis import fold_text

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
    return load_demo_document(CONFIG_DIR / "catalogue")


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


def test_places_yaml_is_what_build_places_generates() -> None:
    render = runpy.run_path(str(CONFIG_DIR / "catalogue" / "build_places.py"))["render"]
    assert render() == (CONFIG_DIR / "catalogue" / "places.yaml").read_text(encoding="utf-8"), (
        "rerun config/catalogue/build_places.py"
    )


def test_every_gemeinde_of_the_four_counties_with_its_keys(document: CatalogueDocument) -> None:
    kinds = Counter(p.kind for p in document.places)
    assert kinds == {
        PlaceKind.verbandsgemeinde: 16,
        PlaceKind.verbandsfreie_gemeinde: 3,
        PlaceKind.ortsgemeinde: 536,
    }
    places = {p.id: p for p in document.places}
    for place in document.places:
        assert place.postal_codes, place.id
        if place.kind is PlaceKind.verbandsgemeinde:
            assert place.ags is None and len(place.ars) == 9 and place.ars[5] == "5", place.id
        else:
            assert len(place.ars) == 12 and len(place.ags) == 8, place.id
            assert place.ars[:5] == place.ags[:5] == place.county and place.ars[9:] == place.ags[5:], place.id
        if place.parent:
            assert place.ars[:9] == places[place.parent].ars, place.id
    assert places["stadt-wittlich"].ars == "072310134134" and places["stadt-bitburg"].ags == "07232018"
    assert places["og-bernkastel-kues"].postal_codes == ["54470", "54492"]


def test_the_first_demo_catalogues_place_ids_are_kept(document: CatalogueDocument) -> None:
    curated = yaml.safe_load(
        (CONFIG_DIR / "catalogue" / "reference" / "places-curated.yaml").read_text("utf-8")
    )
    assert len(curated) == 89
    assert {entry["id"] for entry in curated} <= {p.id for p in document.places}


@pytest.mark.parametrize(
    ("alias", "place_id"),
    [
        ("Bernkastel", "og-bernkastel-kues"),
        ("Kues", "og-bernkastel-kues"),
        ("Traben", "og-traben-trarbach"),
        ("Trarbach", "og-traben-trarbach"),
        ("Zell", "og-zell"),
        ("Stadt Zell (Mosel)", "og-zell"),
        ("Zell (Mosel), Stadt", "og-zell"),
        ("Bitburg", "stadt-bitburg"),
        ("Bitburg, Stadt", "stadt-bitburg"),
        ("Wittlich", "stadt-wittlich"),
        ("Morbach", "gemeinde-morbach"),
        ("Stadt Daun", "og-daun"),
        ("Prüm, Stadt", "og-pruem"),
        ("Stadt Gerolstein", "og-gerolstein"),
        ("VG Daun", "vg-daun"),
        ("Südeifel", "vg-suedeifel"),
        ("Treis", "og-treis-karden"),
    ],
)
def test_usual_short_forms_are_aliases(document: CatalogueDocument, alias: str, place_id: str) -> None:
    assert [p.id for p in document.places if alias in p.aliases] == [place_id]


def test_a_name_or_alias_names_one_administration_unless_it_is_listed_as_ambiguous(
    document: CatalogueDocument,
) -> None:
    administrations = defaultdict(set)
    for place in document.places:
        for name in [place.name, *place.aliases]:
            administrations[fold_text(name)].add(place.parent or place.id)
    ambiguous = {name for name, where in administrations.items() if len(where) > 1}
    assert ambiguous == {"esch", "manderscheid"}  # two Gemeinden each; their short forms are never aliases
    for short in ("burg", "forst", "roth", "auw", "dreis", "kalenborn", "sevenig"):
        assert not any(short in map(fold_text, p.aliases) for p in document.places), short


def test_only_06542_serves_places_in_two_counties(document: CatalogueDocument) -> None:
    counties = defaultdict(set)
    for place in document.places:
        for code in place.area_codes:
            counties[code].add(place.county)
    assert {code for code, where in counties.items() if len(where) > 1} == {"06542"}


def _leika_list() -> dict[str, str]:
    path = CONFIG_DIR / "catalogue" / "reference" / "leika-2019.csv"
    with path.open(encoding="utf-8", newline="") as file:
        return {row["leika_schluessel"]: row["leika_bezeichnung"] for row in csv.DictReader(file)}


def test_every_leika_key_is_a_row_of_the_reference_list(document: CatalogueDocument) -> None:
    leika = _leika_list()
    linked = [s for s in document.services if s.leika]
    assert len(linked) == 148, "update config/catalogue/reference/leika-matching.md"
    for service in linked:
        assert len(service.leika) == 14 and service.leika.isdigit(), service.id
        assert service.leika in leika, (service.id, service.leika)


@pytest.mark.parametrize(
    ("service_id", "key", "name"),
    [
        ("personalausweis-beantragen", "99008001012000", "Personalausweis Ausstellung"),
        ("personalausweis-verlust-melden", "99008001014000", "Personalausweis Meldung"),
        ("vorlaeufiger-personalausweis", "99008001012002", "Personalausweis Ausstellung vorläufig"),
        ("reisepass-express", "99085001012002", "Reisepass Ausstellung express"),
        ("wohnsitz-anmelden", "99115005104000", "Wohnsitz Anmeldung"),
        ("gewerbe-anmelden", "99050012104000", "Gewerbe Anmeldung"),
        ("fahrzeug-halterwechsel", "99036008007001", "Kraftfahrzeug Zulassung bei Halterwechsel"),
        ("wunschkennzeichen", "99036009072003", "Kraftfahrzeugkennzeichen Reservierung Wunschkennzeichen"),
        ("fuehrerschein-umtausch", "99023001051001", "Führerschein Umtausch in EU-Führerschein"),
        ("wohngeld", "99107023017000", "Wohngeld Bewilligung"),
        ("fahrerkarte", "99084002012000", "Fahrerkarte Ausstellung"),
        ("fuehrungszeugnis-status", "99049001000000", "Führungszeugnis"),
    ],
)
def test_known_leika_keys(document: CatalogueDocument, service_id: str, key: str, name: str) -> None:
    service = next(s for s in document.services if s.id == service_id)
    assert (service.leika, _leika_list()[service.leika]) == (key, name)


@pytest.mark.parametrize(
    "service_id", ["eid-karte-beantragen", "rote-kennzeichen", "kfz-steuer", "ehrenamtskarte"]
)
def test_services_the_2019_list_lacks_have_no_key(document: CatalogueDocument, service_id: str) -> None:
    assert next(s for s in document.services if s.id == service_id).leika is None


def test_kfz_services_name_the_partner_offices_of_the_gemeinsame_kfz_zulassung(
    document: CatalogueDocument,
) -> None:
    units = {u.id: u for u in document.units}
    kfz = [
        s
        for s in document.services
        if any(units[r.unit].topics[:1] == ["zulassung"] for r in s.responsibilities)
    ]
    assert len(kfz) >= 15
    for service in kfz:
        texts = " ".join(getattr(service, field) or "" for field in ("short_text", "full_text", "notes"))
        assert "nur am Wohnort" not in texts, service.id
        # Any office in Germany takes a vehicle off the road; testing stations hand out the Umweltplakette too.
        if service.id not in {"fahrzeug-ausserbetriebsetzung", "umweltplakette"}:
            assert "Gemeinsame Kfz-Zulassung" in (service.notes or ""), service.id


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
