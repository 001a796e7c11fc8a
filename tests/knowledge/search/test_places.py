"""Place recognition over the real places.yaml: every VG reached through its Gemeinden, short forms,
ambiguous names, everyday-word names and places outside the area."""

import pytest

from config import CONFIG_DIR
from knowledge.catalogue.demo import load_demo_document
from knowledge.catalogue.models import Place
from knowledge.search.places import Gazetteer, PlaceWords

CATALOGUE = CONFIG_DIR / "catalogue"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    places = [Place(**record.model_dump()) for record in load_demo_document(CATALOGUE).places]
    return Gazetteer(places, PlaceWords.load(CATALOGUE / "place-recognition.yaml"))


# query → (place named, its VG or verbandsfreie Gemeinde, county); every VG and every verbandsfreie
# Gemeinde at least once, most of them through one of their Ortsgemeinden
GEMEINDEN = [
    ("Hundesteuer Lutzerath", "Lutzerath", "Verbandsgemeinde Ulmen", "07135"),
    ("Hundesteuer Valwig", "Valwig", "Verbandsgemeinde Cochem", "07135"),
    ("Hundesteuer Leienkaul", "Leienkaul", "Verbandsgemeinde Kaisersesch", "07135"),
    ("Hundesteuer Tellig", "Tellig", "Verbandsgemeinde Zell (Mosel)", "07135"),
    ("Hundesteuer Ürzig", "Ürzig", "Verbandsgemeinde Bernkastel-Kues", "07231"),
    ("Hundesteuer Heidenburg", "Heidenburg", "Verbandsgemeinde Thalfang am Erbeskopf", "07231"),
    ("Hundesteuer Irmenach", "Irmenach", "Verbandsgemeinde Traben-Trarbach", "07231"),
    ("Hundesteuer Landscheid", "Landscheid", "Verbandsgemeinde Wittlich-Land", "07231"),
    ("Hundesteuer Wittlich", "Stadt Wittlich", "Stadt Wittlich", "07231"),
    ("Hundesteuer Morbach", "Gemeinde Morbach", "Gemeinde Morbach", "07231"),
    ("Hundesteuer Üttfeld", "Üttfeld", "Verbandsgemeinde Arzfeld", "07232"),
    ("Hundesteuer Wißmannsdorf", "Wißmannsdorf", "Verbandsgemeinde Bitburger Land", "07232"),
    ("Hundesteuer Winterspelt", "Winterspelt", "Verbandsgemeinde Prüm", "07232"),
    ("Hundesteuer Spangdahlem", "Spangdahlem", "Verbandsgemeinde Speicher", "07232"),
    ("Hundesteuer Gilzem", "Gilzem", "Verbandsgemeinde Südeifel", "07232"),
    ("Hundesteuer Bitburg", "Stadt Bitburg", "Stadt Bitburg", "07232"),
    ("Hundesteuer Wallenborn", "Wallenborn", "Verbandsgemeinde Daun", "07233"),
    ("Hundesteuer Steffeln", "Steffeln", "Verbandsgemeinde Gerolstein", "07233"),
    ("Hundesteuer Uersfeld", "Uersfeld", "Verbandsgemeinde Kelberg", "07233"),
]


@pytest.mark.parametrize(("query", "name", "municipality", "county"), GEMEINDEN)
def test_a_gemeinde_names_its_vg_and_county(gazetteer, query, name, municipality, county) -> None:
    found = gazetteer.detect(query)
    assert found.territory is not None
    assert (found.territory.name, found.territory.municipality_name, found.territory.county) == (
        name,
        municipality,
        county,
    )
    assert found.text == "Hundesteuer"


def test_the_table_covers_every_vg_and_verbandsfreie_gemeinde(gazetteer) -> None:
    administrations = {p.municipality_name for p in gazetteer._known.values()}
    assert {m for _, _, m, _ in GEMEINDEN} == administrations
    assert len(administrations) == 19


@pytest.mark.parametrize(
    ("query", "municipality"),
    [
        ("Reisepass Bernkastel", "Verbandsgemeinde Bernkastel-Kues"),
        ("Reisepass Kues", "Verbandsgemeinde Bernkastel-Kues"),
        ("Reisepass Traben", "Verbandsgemeinde Traben-Trarbach"),
        ("Reisepass Zell", "Verbandsgemeinde Zell (Mosel)"),
        ("Reisepass Zell/Mosel", "Verbandsgemeinde Zell (Mosel)"),
        ("Reisepass Zell an der Mosel", "Verbandsgemeinde Zell (Mosel)"),
        ("Reisepass Stadt Cochem", "Verbandsgemeinde Cochem"),
        ("Reisepass VG Daun", "Verbandsgemeinde Daun"),
        ("Reisepass Verbandsgemeinde Südeifel", "Verbandsgemeinde Südeifel"),
        ("Reisepass Müden (Mosel)", "Verbandsgemeinde Cochem"),
        ("Reisepass Müden", "Verbandsgemeinde Cochem"),
        ("Reisepass Thalfang", "Verbandsgemeinde Thalfang am Erbeskopf"),
        ("Reisepass Treis", "Verbandsgemeinde Cochem"),
        ("Reisepass Biersdorf", "Verbandsgemeinde Bitburger Land"),
        ("Reisepass Bitburg, Stadt", "Stadt Bitburg"),
        ("Reisepass Roth bei Prüm", "Verbandsgemeinde Prüm"),
        ("Reisepass Burg (Mosel)", "Verbandsgemeinde Traben-Trarbach"),
        ("Reisepass Prum", "Verbandsgemeinde Prüm"),
    ],
)
def test_short_forms_and_spellings(gazetteer, query, municipality) -> None:
    found = gazetteer.detect(query)
    assert found.territory is not None and found.territory.municipality_name == municipality
    assert found.text == "Reisepass"


def test_exactly_the_listed_names_are_ambiguous(gazetteer) -> None:
    listed = {
        "esch",
        "manderscheid",
        "burg",
        "forst",
        "roth",
        "auw",
        "huttingen",
        "sevenig",
        "dreis",
        "kalenborn",
    }
    assert set(gazetteer.ambiguous_names()) == listed | {"scheurn"}  # Scheuern, folded


@pytest.mark.parametrize(
    "name", ["Esch", "Manderscheid", "Roth", "Auw", "Hüttingen", "Sevenig", "Dreis", "Kalenborn", "Scheuern"]
)
def test_an_ambiguous_name_alone_picks_no_place(gazetteer, name) -> None:
    found = gazetteer.detect(f"Hundesteuer {name}")
    assert found.territory is None
    assert len({t.municipality_name for t in found.ambiguous}) == 2
    assert found.ambiguous_name == name
    assert found.text == "Hundesteuer"


@pytest.mark.parametrize(
    ("query", "municipality"),
    [
        ("Hundesteuer Esch 54558", "Verbandsgemeinde Gerolstein"),  # its postcode
        ("Hundesteuer Esch VG Gerolstein", "Verbandsgemeinde Gerolstein"),  # its VG
        ("Hundesteuer Esch bei Wittlich", "Verbandsgemeinde Wittlich-Land"),  # a place of its county
        ("Hundesteuer Manderscheid Arzfeld", "Verbandsgemeinde Arzfeld"),
        ("Hundesteuer Roth an der Our", "Verbandsgemeinde Südeifel"),  # the full name
        ("Hundesteuer Dreis-Brück", "Verbandsgemeinde Daun"),
    ],
)
def test_a_disambiguating_word_settles_an_ambiguous_name(gazetteer, query, municipality) -> None:
    found = gazetteer.detect(query)
    assert found.territory is not None and found.territory.municipality_name == municipality


def test_the_agents_county_settles_a_name_of_two_counties_only(gazetteer) -> None:
    esch = gazetteer.detect("Hundesteuer Esch", county="07233").territory
    assert esch is not None and esch.municipality_name == "Verbandsgemeinde Gerolstein"
    assert gazetteer.detect("Hundesteuer Roth", county="07232").territory is None  # both in 07232


@pytest.mark.parametrize(
    "query",
    [
        "Schutz vor Stalking",
        "Kommen Sie vorbei",
        "Platten verlegen",
        "Bruch melden",
        "Weiler Fest",
        "Erden Strom",
        "Karl May",
        "Ernst Müller",
        "Winkel messen",
        "Brennholz aus dem Forst",
    ],
)
def test_everyday_words_are_not_places(gazetteer, query) -> None:
    found = gazetteer.detect(query)
    assert found.territory is None and not found.ambiguous
    assert found.text == query


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Hundesteuer in Schutz", "Schutz"),
        ("Hundesteuer aus Weiler", "Weiler"),
        ("Hundesteuer Schutz 54570", "Schutz"),
        ("Hundesteuer Karl VG Wittlich-Land", "Karl"),
    ],
)
def test_everyday_word_names_count_in_a_place_context(gazetteer, query, name) -> None:
    found = gazetteer.detect(query)
    assert found.territory is not None and found.territory.name == name


@pytest.mark.parametrize(
    ("query", "outside"),
    [
        ("Ummelden Trier", "Trier"),
        ("Personalausweis Koblenz", "Koblenz"),
        ("Führerschein Bonn", "Bonn"),
        ("Wohngeld Mainz", "Mainz"),
        ("Kfz Bad Neuenahr-Ahrweiler", "Bad Neuenahr-Ahrweiler"),
        ("Ummelden 54290", "54290"),
        ("Ummelden 56068", "56068"),
    ],
)
def test_a_place_outside_the_area_is_reported(gazetteer, query, outside) -> None:
    found = gazetteer.detect(query)
    assert found.territory is None and found.outside == outside
    assert found.text == query.split()[0]


def test_a_postcode_shared_by_two_vgs_narrows_to_both(gazetteer) -> None:
    found = gazetteer.detect("Briefwahl 54634")
    assert found.territory is not None
    assert found.territory.municipalities == ("stadt-bitburg", "vg-bitburger-land")
    assert found.territory.county == "07232" and found.territory.municipality_name is None


def test_a_query_without_a_place_is_left_as_typed(gazetteer) -> None:
    found = gazetteer.detect("Personalausweis beantragen ")
    assert found == found.__class__("Personalausweis beantragen ")
