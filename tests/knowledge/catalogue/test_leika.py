"""The LeiKa table: the CSV read strictly, the list replaced as a whole and only when it differs, the
level each Typisierung implies."""

import pytest

from knowledge.catalogue import leika, store
from knowledge.catalogue.models import ServiceLevel
from knowledge.storage.db import create_engine, create_sessionmaker
from servicecenter.bootstrap import LEIKA_FILE
from servicecenter.settings import Settings

HEADER = "leika_schluessel,leika_bezeichnung,typisierung,ozg_leistung\n"


@pytest.mark.parametrize(
    ("typisierung", "level"),
    [
        ("1", ServiceLevel.federal),
        ("2", ServiceLevel.state),
        ("2/3", ServiceLevel.county),
        ("4", ServiceLevel.county),
        ("5", ServiceLevel.municipality),
        ("1, 2/3", ServiceLevel.federal),
        ("6", None),
        ("", None),
        (None, None),
    ],
)
def test_the_level_a_typisierung_implies(typisierung, level) -> None:
    assert leika.level_of(typisierung) == level


def test_the_shipped_list_reads_in_full(settings: Settings) -> None:
    entries = leika.parse_csv((settings.catalogue_dir / LEIKA_FILE).read_text(encoding="utf-8"))
    assert len(entries) == 4813
    assert {e.key for e in entries if e.name == "Gewerbe Anmeldung"} == {"99050012104000"}


def test_a_bad_file_names_every_bad_line() -> None:
    text = (
        HEADER
        + "123,Zu kurz,1,\n99001001000000,Abfallgebühr,5,\n99001001000000,Doppelt,5,\n99001009000000,,5,\n"
    )
    with pytest.raises(leika.LeikaError) as raised:
        leika.parse_csv(text)
    assert raised.value.problems == [
        "line 2: leika_schluessel '123' is not 14 digits",
        "line 4: key 99001001000000 again (first on line 3)",
        "line 5: leika_bezeichnung is empty",
    ]
    with pytest.raises(leika.LeikaError, match="missing column"):
        leika.parse_csv("key,name\n1,2\n")


async def test_replacing_the_list_reports_changes_and_is_idempotent(settings: Settings) -> None:
    engine = create_engine(settings.database)
    try:
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker.begin() as session:
            revision = await store.catalogue_revision(session)
            entries = leika.parse_csv(
                HEADER + "99001001000000,Abfallgebühr neu,5,\n99999999999999,Neue Leistung,4,Neu\n"
            )
            report = await leika.replace_entries(session, entries)
        assert report.created == ["99999999999999"] and report.updated == ["99001001000000"]
        assert len(report.deleted) == 4813 - 1 and report.unchanged == 0
        assert report.orphaned["99102013000000"] == ["hundesteuer-abmelden", "hundesteuer-anmelden"]
        async with sessionmaker.begin() as session:
            assert (
                await leika.leika_revision(session) == await store.catalogue_revision(session) == revision + 1
            )
            again = await leika.replace_entries(session, entries)
        assert not again.changed and again.unchanged == 2
        async with sessionmaker() as session:
            assert await store.catalogue_revision(session) == revision + 1
            total, page = await leika.list_entries(session)
            assert total == 2 and [e.name for e in page] == ["Abfallgebühr neu", "Neue Leistung"]
    finally:
        await engine.dispose()
