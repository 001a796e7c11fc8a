"""XZuFi 2.2 import: the sample mapped field by field, imported into a real database, refused when wrong."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from config import CONFIG_DIR
from knowledge.catalogue import store
from knowledge.catalogue.demo import load_demo_document
from knowledge.catalogue.document import CatalogueDocument, DocumentError
from knowledge.catalogue.exchange import export_document, import_document
from knowledge.catalogue.xzufi import build_document, looks_like_xml, read_transfer, xzufi_document
from servicecenter.bootstrap import open_database
from servicecenter.settings import Settings

SAMPLE = Path(__file__).parent / "data" / "xzufi-sample.xml"
HUND, FISCH, BZR = "xzufi-l100042-lb-1001", "xzufi-l100042-lb-1002", "xzufi-l100019-lb-2001"
BUERGERBUERO, FISCHEREI = "xzufi-oe-vg-gerolstein-bb", "xzufi-oe-kv-coc-fischerei"


@pytest.fixture(scope="module")
def demo() -> CatalogueDocument:
    return load_demo_document(CONFIG_DIR / "catalogue")


def _build(xml: str, existing: CatalogueDocument) -> CatalogueDocument:
    return build_document(read_transfer(xml.encode("utf-8")), existing)


def _sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def _problems(xml: str | bytes, existing: CatalogueDocument) -> list[str]:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    with pytest.raises(DocumentError) as caught:
        build_document(read_transfer(data), existing)
    return [f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in caught.value.problems]


def test_leistung_texts_map_to_the_fim_text_modules(demo) -> None:
    services = {s.id: s for s in _build(_sample(), demo).services}
    hund = services[HUND]
    assert hund.title == "Hund zur Hundesteuer anmelden"  # Leistungsbezeichnung II before I, German only
    assert hund.leika == "99028004012000"
    assert hund.synonyms == ["Hundemarke", "Hund anmelden"]
    assert hund.short_text == "Wer einen Hund hält, meldet ihn bei der Verbandsgemeinde an."
    assert hund.full_text == (
        "Die Hundesteuer ist eine Gemeindesteuer.\n"
        "Die Verbandsgemeinde verwaltet sie für ihre Ortsgemeinden & schickt die Steuermarke."
    )
    assert hund.documents == "- Anmeldeformular\n- bei Listenhunden: Erlaubnis nach dem LHundG"
    assert hund.requirements.startswith("Hauptwohnsitz")
    assert hund.procedure.startswith("Anmeldung ausfüllen")
    assert hund.legal_basis.startswith("Kommunalabgabengesetz")
    assert hund.forms.startswith("Formular")
    assert hund.notes.startswith("Die Steuermarke")
    assert hund.fees.startswith("Die Anmeldung ist gebührenfrei")
    assert hund.deadlines == "innerhalb von zwei Wochen nach Beginn der Haltung"
    assert hund.processing_time == "etwa zwei Wochen"
    assert "Weiterführende" not in " ".join(str(v) for v in hund.model_dump().values())
    assert (hund.leistungstyp, hund.level) == ("5", "municipality")
    assert services[FISCH].title == "Fischereischein Erteilung"  # only Leistungsbezeichnung I given
    assert (services[FISCH].leistungstyp, services[FISCH].level) == ("4", "county")
    assert (services[BZR].level, services[BZR].responsibilities) == ("federal", [])
    assert services[BZR].online_service == "https://www.bundesjustizamt.example/selbstauskunft"


def test_organisationseinheiten_and_zustaendigkeiten_land_on_our_territories(demo) -> None:
    document = _build(_sample(), demo)
    units = {u.id: u for u in document.units}
    bb = units[BUERGERBUERO]
    assert (bb.name, bb.kind) == ("Verbandsgemeindeverwaltung Gerolstein – Bürgerbüro", "buergerbuero")
    assert (bb.street, bb.postcode, bb.city) == ("Kyllweg 1", "54568", "Gerolstein")  # Besucheranschrift
    assert (bb.phone, bb.email) == ("+49 6591 13-1100", "buergerbuero@gerolstein.example")  # not the fax
    assert bb.website == "https://www.gerolstein.example/buergerbuero"
    assert bb.hours is not None and bb.hours.model_dump() == {
        "mon": ["08:00-12:00", "14:00-16:00"],
        "thu": ["08:00-18:00"],
        "note": "Termine nach Vereinbarung",
    }
    assert (bb.county, bb.place, bb.notes) == ("07233", "vg-gerolstein", None)
    fischerei = units[FISCHEREI]
    assert (fischerei.kind, fischerei.county, fischerei.place) == ("department", "07135", None)
    assert fischerei.hours is None
    assert fischerei.notes == "Öffnungszeiten: Mo–Fr vormittags, Do auch nachmittags"

    services = {s.id: s for s in document.services}
    [hund] = services[HUND].responsibilities  # ARS of the Verbandsgemeinde (9 digits)
    assert (hund.unit, hund.county, hund.place) == (BUERGERBUERO, "07233", "vg-gerolstein")
    [fisch] = services[FISCH].responsibilities  # ARS of the county (12 digits)
    assert (fisch.unit, fisch.county, fisch.place) == (FISCHEREI, "07135", None)
    assert {c.key for c in document.counties} == {c.key for c in demo.counties}
    assert len(document.places) == len(demo.places)


def test_a_leika_match_updates_the_existing_service_and_keeps_other_territories(demo) -> None:
    target = next(s for s in demo.services if len(s.responsibilities) > 3 and s.level == "municipality")
    keyed = target.model_copy(update={"leika": "99028004012000"})
    existing = demo.model_copy(update={"services": [keyed if s is target else s for s in demo.services]})
    merged = next(s for s in _build(_sample(), existing).services if s.id == target.id)
    assert merged.title == "Hund zur Hundesteuer anmelden"
    assert merged.online_service == target.online_service  # not in the transfer: kept
    territories = {(r.county, r.place): r.unit for r in merged.responsibilities}
    assert territories[("07233", "vg-gerolstein")] == BUERGERBUERO
    assert len(merged.responsibilities) == len(target.responsibilities) + (
        0 if ("07233", "vg-gerolstein") in {(r.county, r.place) for r in target.responsibilities} else 1
    )


NO_TITLE = (
    "<code>02</code></xzufi:leikaTextmodul>\n      </xzufi:modulText>\n      <xzufi:modulText>\n"
    '        <xzufi:inhalt languageCode="de">Wer in'
)
OE_ID = '<xzufi:id schemeAgencyID="S100042">OE.KV-COC.FISCHEREI</xzufi:id>'


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("072335006<", "079995006<"), "gebietID: unknown Gebiet '079995006'"),
        (("071350000000", "079990000000"), "gebietID: unknown Gebiet '079990000000'"),
        (("<code>99037002012000</code>", "<code>9903700</code>"), "LeiKa key '9903700' is not 14 digits"),
        ((OE_ID, ""), "organisationseinheit: required element id"),
        (
            (NO_TITLE, NO_TITLE.replace("<code>02</code>", "<code>05</code>")),
            "Leistungsbezeichnung (code 02 or 03)",
        ),
        (("L100042.LB.1002</xzufi:leistungID>", "L9.LB.1</xzufi:leistungID>"), "unknown leistung 'L9.LB.1'"),
    ],
)
def test_a_wrong_transfer_names_the_xml_line_and_element(demo, change, expected) -> None:
    old, new = change
    assert old in _sample()
    problems = _problems(_sample().replace(old, new, 1), demo)
    assert any(expected in p and p.startswith("line ") for p in problems), problems


def test_two_units_for_one_territory_are_refused_by_the_shared_checks_at_the_leistung(demo) -> None:
    xml = _sample().replace("071350000000", "072335006")
    xml = xml.replace("L100042.LB.1002</xzufi:leistungID>", "L100042.LB.1001</xzufi:leistungID>")
    problems = _problems(xml, demo)
    expected = "2 responsibilities for vg-gerolstein"
    assert any("schreibe/leistung" in p and expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<xzufi:schreibe xmlns:xzufi='http://xoev.de/schemata/xzufi/2_2_0'>", "malformed XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]>'
            b'<r xmlns="http://xoev.de/schemata/xzufi/2_2_0">&e;</r>',
            "DOCTYPE is not allowed",
        ),
        (b'<transfer xmlns="http://xoev.de/schemata/xzufi/2_1_0"/>', "not an XZuFi 2.2 document"),
    ],
)
def test_unsafe_or_foreign_xml_is_refused(data: bytes, expected: str) -> None:
    with pytest.raises(DocumentError) as caught:
        read_transfer(data)
    assert expected in caught.value.problems[0]["msg"]


def test_xml_is_told_from_json_by_content() -> None:
    assert looks_like_xml(b"\xef\xbb\xbf\n  <?xml version='1.0'?><x/>")
    assert not looks_like_xml(b'{"services": []}')


@pytest.fixture
async def sessionmaker(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine, sessionmaker = await open_database(settings, load_demo=False)
    yield sessionmaker
    await engine.dispose()


async def _import(sessionmaker, xml: bytes):
    async with sessionmaker() as session, session.begin():
        return await import_document(session, await xzufi_document(session, read_transfer(xml)))


async def test_import_writes_the_sample_and_a_second_import_changes_nothing(sessionmaker) -> None:
    async with sessionmaker() as session:
        revision = await store.catalogue_revision(session)
    report = await _import(sessionmaker, SAMPLE.read_bytes())
    assert sorted(report.created["services"]) == [BZR, HUND, FISCH]
    assert sorted(report.created["units"]) == [FISCHEREI, BUERGERBUERO]
    async with sessionmaker() as session:
        assert (await store.get_service(session, service_id=HUND)).title == "Hund zur Hundesteuer anmelden"
        assert (await store.get_unit(session, unit_id=BUERGERBUERO)).place == "vg-gerolstein"
        [(responsibility, _)] = (await store.responsibilities_for(session, service_ids=[FISCH]))[FISCH]
        assert (responsibility.unit, responsibility.county) == (FISCHEREI, "07135")
        after_first = await store.catalogue_revision(session)
        exported = (await export_document(session)).model_dump(mode="json")
    assert after_first == revision + 1

    again = await _import(sessionmaker, SAMPLE.read_bytes())
    assert not again.changed
    async with sessionmaker() as session:
        assert await store.catalogue_revision(session) == after_first
        assert (await export_document(session)).model_dump(mode="json") == exported


async def test_a_refused_transfer_changes_nothing(sessionmaker) -> None:
    async with sessionmaker() as session:
        before = (await export_document(session)).model_dump(mode="json")
    broken = SAMPLE.read_bytes().replace(b"071350000000", b"079990000000")
    with pytest.raises(DocumentError):
        await _import(sessionmaker, broken)
    async with sessionmaker() as session:
        assert (await export_document(session)).model_dump(mode="json") == before
