"""`servicecenter import-people FILE.csv --county KEY`, run as a real process on the test database."""

from pathlib import Path

from sqlalchemy import text

from knowledge.storage.db import create_engine
from servicecenter.settings import Settings
from tests.servicecenter.test_cli import _run

HEADER = "id;name;function;unit_id;extension;email;topics;absent_until;deputy_id;internal_note\n"
# Cochem-Zell: the Landrätin and Anna Müller stay (Anna Müller changes), Michael Franzen is new in the
# file as "Leitung" of another unit, Ralf Nikolay and the VG Cochem's Bürgermeister are not in it (left).
FILE = HEADER + (
    "coc-landraetin;Christine Bender;Landrätin;kv-cochem-zell-landrat;101;landraetin@cochem-zell.de;;;;Beispieldaten\n"
    "coc-mueller;Anna Müller;Sachbearbeitung Kindertagespflege;kv-cochem-zell-jugendamt;554;a.mueller@cochem-zell.de;"
    "Kindertagespflege|Kita-Plätze|VG Ulmen;31.12.2026;coc-neu;Beispieldaten\n"
    "coc-franzen;Michael Franzen;Leitung der Kfz-Zulassungsstelle;kv-cochem-zell-zulassung;301;"
    "m.franzen@cochem-zell.de;;;;Beispieldaten\n"
    "coc-neu;Lea Neumann;Sachbearbeitung Kindertagespflege;kv-cochem-zell-jugendamt;555;;Kindertagespflege;;coc-mueller;\n"
)


async def _people(settings: Settings) -> dict[str, tuple]:
    engine = create_engine(settings.database)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT id, extension, absent_until, deputy_id, version FROM person WHERE county = '07135'"
                )
            )
            return {row[0]: tuple(row[1:]) for row in rows}
    finally:
        await engine.dispose()


async def test_a_dry_run_reports_and_changes_nothing(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "cochem-zell.csv"
    path.write_text(FILE, encoding="utf-8")
    before = await _people(settings)
    code, _, err = await _run(settings, "import-people", str(path), "--county", "07135", "--dry-run")
    assert code == 0, err
    assert "created     1  updated     1  deleted     2  unchanged     2" in err
    assert "+ coc-neu Lea Neumann" in err
    assert "~ coc-mueller Anna Müller: absent_until, deputy_id, extension, topics" in err
    assert "- coc-nikolay Ralf Nikolay" in err and "- cochem-buergermeister Jürgen Lenz" in err
    assert "dry run: nothing was changed" in err
    assert await _people(settings) == before


async def test_an_import_makes_the_county_equal_to_the_file_once(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "cochem-zell.csv"
    path.write_text("\ufeff" + FILE, encoding="utf-8")
    code, _, err = await _run(settings, "import-people", str(path), "--county", "07135")
    assert code == 0, err
    people = await _people(settings)
    assert set(people) == {"coc-landraetin", "coc-mueller", "coc-franzen", "coc-neu"}
    extension, absent_until, deputy, _ = people["coc-mueller"]
    assert (extension, str(absent_until), deputy) == ("554", "2026-12-31", "coc-neu")
    assert people["coc-neu"][2] == "coc-mueller"
    code, _, err = await _run(settings, "import-people", str(path), "--county", "07135")
    assert code == 0 and "nothing changed" in err
    assert await _people(settings) == people
    engine = create_engine(settings.database)
    try:
        async with engine.connect() as connection:
            actions = dict(
                (
                    await connection.execute(
                        text(
                            "SELECT entry_id, action FROM change_log WHERE entity = 'person' AND actor LIKE 'cli:%'"
                        )
                    )
                ).all()
            )
    finally:
        await engine.dispose()
    assert actions == {
        "coc-neu": "create",
        "coc-mueller": "update",
        "coc-nikolay": "delete",
        "cochem-buergermeister": "delete",
    }


async def test_a_file_with_any_problem_changes_nothing_and_names_each_line(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(
        FILE
        + "coc-x;Xaver;;kv-bitburg-pruem-jugendamt;1;;;;;\n"
        + "coc-y;Yvonne;;kv-cochem-zell-jugendamt;12-3;keine mail;;morgen;bit-mueller;\n"
        + "coc-neu;Doppelt;;kv-cochem-zell-jugendamt;;;;;;\n"
        + "dau-landrat;Heinz Schäfer;Landrat;kv-cochem-zell-landrat;;;;;;\n",
        encoding="utf-8",
    )
    before = await _people(settings)
    code, _, err = await _run(settings, "import-people", str(path), "--county", "07135")
    assert code == 1
    assert "line 8: id 'coc-neu' is on line 5 already" in err
    assert (
        "line 7: extension:" in err
        and "line 7: email: not an e-mail address" in err
        and "line 7: absent_until:" in err
    )
    assert "nothing was changed" in err
    assert await _people(settings) == before
    path.write_text(
        FILE
        + "coc-x;Xaver;;kv-bitburg-pruem-jugendamt;1;;;;;\n"
        + "coc-y;Yvonne;;kv-cochem-zell-jugendamt;;;;;bit-mueller;\n"
        + "dau-landrat;Heinz Schäfer;Landrat;kv-cochem-zell-landrat;;;;;;\n",
        encoding="utf-8",
    )
    code, _, err = await _run(settings, "import-people", str(path), "--county", "07135")
    assert code == 1
    assert "line 6: unit_id: unit 'kv-bitburg-pruem-jugendamt' belongs to county 07232, not 07135" in err
    assert "line 7: deputy_id: unknown person 'bit-mueller'" in err
    assert "line 8: id 'dau-landrat' is a person of county 07233" in err
    assert await _people(settings) == before


async def test_unknown_columns_and_counties_are_refused(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("id,name,unit_id,photo\n", encoding="utf-8")
    code, _, err = await _run(settings, "import-people", str(path), "--county", "07135")
    assert code == 1 and "line 1: unknown column 'photo'" in err
    path.write_text("id,name\n", encoding="utf-8")
    code, _, err = await _run(settings, "import-people", str(path), "--county", "07135")
    assert code == 1 and "the column 'unit_id' is missing" in err
    path.write_text(HEADER.replace(";", ","), encoding="utf-8")
    code, _, err = await _run(settings, "import-people", str(path), "--county", "09999")
    assert code == 1 and "unknown county '09999'" in err
