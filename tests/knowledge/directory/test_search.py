"""The directory matcher over the real demo data (units.yaml, people.yaml, places.yaml): spelling, compound
and typo tolerance, place narrowing, deputies, and the extension table routing names callers with."""

import datetime as dt

import pytest

from config import CONFIG_DIR
from knowledge.catalogue.demo import load_demo_document
from knowledge.catalogue.models import Place, Unit
from knowledge.directory.demo import load_demo_people
from knowledge.directory.models import Person
from knowledge.directory.search import Directory, person_phone
from knowledge.search.places import Gazetteer, PlaceWords

CATALOGUE = CONFIG_DIR / "catalogue"
TODAY = dt.date(2026, 3, 10)


@pytest.fixture(scope="module")
def demo() -> tuple[list[Unit], list[Person], Gazetteer, dict[str, str]]:
    document = load_demo_document(CATALOGUE)
    places = [Place(**record.model_dump()) for record in document.places]
    units = [Unit(**record.model_dump()) for record in document.units]
    people = [Person(**values) for values in load_demo_people(CATALOGUE)]
    counties = {c.key: c.name for c in document.counties}
    return units, people, Gazetteer(places, PlaceWords.load(CATALOGUE / "place-recognition.yaml")), counties


@pytest.fixture(scope="module")
def directory(demo) -> Directory:
    units, people, _, counties = demo
    return Directory(units, people, counties)


def ids(directory: Directory, demo, q: str, county: str | None = None, limit: int = 5) -> list[str]:
    answer = directory.search(q, county=county, gazetteer=demo[2], today=TODAY, limit=limit)
    return [hit.entry.id for hit in answer.hits]


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("Bauamd Bitburg", "kv-bitburg-pruem-bauaufsicht"),
        ("Kreiskase Vulkaneifel", "kv-vulkaneifel-kreiskasse"),
        ("Landrad Wittlich", "kv-bernkastel-wittlich-landrat"),
        ("Strassenverkehrsamt Cochem", "kv-cochem-zell-strassenverkehr"),
        ("kreisjugendamt wittlich", "kv-bernkastel-wittlich-jugendamt"),
        ("zulassung prüm", "kv-bitburg-pruem-zulassung"),
        ("Mueller Bauamt", "bit-mueller"),
        ("Herr Müler", "coc-mueller"),
        ("Elterngeld A–K", "bit-hoffmann"),
    ],
)
def test_typos_spellings_and_compounds_find_the_entry(directory: Directory, demo, q: str, first: str) -> None:
    assert ids(directory, demo, q)[0] == first


def test_mueller_meets_mueller_and_surnames_are_not_stemmed(directory: Directory, demo) -> None:
    people = {"bit-mueller", "coc-mueller", "wil-mueller"}
    assert set(ids(directory, demo, "Müller")[:3]) == people
    assert set(ids(directory, demo, "Mueller")[:3]) == people
    assert not any(
        i.startswith("kv-") and i.endswith("-abfall") for i in ids(directory, demo, "Müller", limit=20)
    ), "Müller is no form of Müll"


def test_a_town_narrows_to_its_county_and_prefers_its_vg(directory: Directory, demo) -> None:
    answer = directory.search("Bürgermeister Gerolstein", gazetteer=demo[2], today=TODAY, limit=5)
    assert answer.territory is not None and answer.territory.county == "07233"
    assert {hit.entry.county for hit in answer.hits} == {"07233"}
    assert answer.hits[0].entry.id in {"gerolstein-buergermeisterin", "vg-gerolstein-verwaltung"}


def test_a_surname_that_is_also_a_place_is_searched_as_typed(demo) -> None:
    units, people, gazetteer, counties = demo
    daun = Person(id="x-daun", county="07232", name="Erika Daun", unit_id="kv-bitburg-pruem-sozialamt")
    directory = Directory(units, [*people, daun], counties)
    found = directory.search("Frau Daun Sozialamt", gazetteer=gazetteer, today=TODAY, limit=3)
    assert found.hits[0].entry.id == "x-daun"


def test_the_county_asked_for_keeps_entries_of_no_county(directory: Directory, demo) -> None:
    found = ids(directory, demo, "Familienkasse", county="07135")
    assert found[0] == "familienkasse"
    assert all(
        not i.startswith(("kv-bitburg", "kv-vulkaneifel")) for i in ids(directory, demo, "Jugendamt", "07135")
    )


def test_an_absent_person_answers_with_the_deputy(demo) -> None:
    units, people, gazetteer, counties = demo
    away = [p.model_copy(update={"absent_until": TODAY}) if p.id == "bit-mueller" else p for p in people]
    directory = Directory(units, away, counties)
    hit = directory.search("Müller Bauamt", gazetteer=gazetteer, today=TODAY, limit=1).hits[0]
    assert hit.entry.id == "bit-mueller" and not hit.entry.present(TODAY)
    assert hit.deputy is not None and hit.deputy.name == "Petra Schmitz"
    assert hit.deputy.dial == "+49656115411"
    tomorrow = directory.search("Müller Bauamt", gazetteer=gazetteer, today=TODAY + dt.timedelta(days=1))
    assert tomorrow.hits[0].entry.present(TODAY + dt.timedelta(days=1)) and tomorrow.hits[0].deputy is None


def test_a_person_is_reached_through_the_pbx_of_their_unit() -> None:
    assert person_phone("+49 6561 15-100", "50") == "+49 6561 15-50"
    assert person_phone("+49 6592 939-0", "100") == "+49 6592 939-100"
    assert person_phone("+49 800 4555530", "1") is None
    assert person_phone("+49 6561 15-100", None) is None


def test_numbers_name_the_unit_and_the_person_that_have_them(directory: Directory) -> None:
    unit, person = directory.numbers["+4965611550"]
    assert unit is None and person is not None and person.id == "bit-bueroleitung"
    unit, person = directory.numbers["+49656115400"]
    assert unit is not None and unit.id == "kv-bitburg-pruem-bauaufsicht" and person is None


def test_without_a_query_the_county_is_listed_units_first(directory: Directory) -> None:
    answer = directory.search(None, county="07135", today=TODAY, limit=500)
    kinds = [hit.entry.kind for hit in answer.hits]
    assert kinds == sorted(kinds, key=lambda kind: kind != "unit") and "person" in kinds
    assert {hit.entry.county for hit in answer.hits} <= {"07135", None}
    assert answer.total == len(answer.hits)


def test_every_demo_person_works_in_a_unit_of_their_county_with_a_number(demo) -> None:
    units, people, _, _ = demo
    by_id = {u.id: u for u in units}
    by_person = {p.id: p for p in people}
    for person in people:
        assert by_id[person.unit_id].county == person.county, person.id
        assert person_phone(by_id[person.unit_id].phone, person.extension), person.id
        assert person.internal_note == "Beispieldaten", person.id
        if person.deputy_id:
            assert by_person[person.deputy_id].county == person.county, person.id
