"""The `servicecenter` command, run as a real process on the test database."""

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from knowledge import audit
from knowledge.catalogue import store
from knowledge.catalogue.models import Responsibility, Service
from knowledge.storage.db import create_engine, create_sessionmaker
from servicecenter.app import create_app
from servicecenter.cli import main
from servicecenter.settings import Settings


async def _run(settings: Settings, *args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    env = {**os.environ, "SERVICECENTER_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env["SERVICECENTER_DATABASE_URL"] = settings.database_url
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "servicecenter",
        *args,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin or b""), timeout=120)
    return process.returncode, out.decode(), err.decode()


async def test_export_and_dry_run_import_round_trip(settings: Settings, tmp_path: Path) -> None:
    exported = tmp_path / "catalogue.json"
    code, _, _ = await _run(settings, "export", str(exported))
    assert code == 0
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert len(document["services"]) >= 150

    document["services"][0]["title"] = "Testtitel"
    exported.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = await _run(settings, "import", str(exported), "--dry-run")
    assert code == 0
    assert f"~ services: {document['services'][0]['id']}" in err
    assert "dry run" in err

    code, out, _ = await _run(settings, "export")
    assert json.loads(out)["services"][0]["title"] != "Testtitel"


async def test_an_import_that_changes_something_is_in_the_audit_trail_once(
    settings: Settings, tmp_path: Path
) -> None:
    exported = tmp_path / "catalogue.json"
    assert (await _run(settings, "export", str(exported)))[0] == 0
    document = json.loads(exported.read_text(encoding="utf-8"))
    document["services"][0]["title"] = "Testtitel"
    exported.write_text(json.dumps(document), encoding="utf-8")
    for _ in range(2):
        code, _, err = await _run(settings, "import", str(exported))
        assert code == 0, err

    engine = create_engine(settings.database)
    try:
        async with create_sessionmaker(engine)() as session:
            imports = await audit.history(session, entity="catalogue", entry_id="import")
    finally:
        await engine.dispose()
    assert [(c.action, c.actor.startswith("cli:")) for c in imports] == [("import", True)]
    assert imports[0].after["summary"]["services"]["updated"] == 1


async def test_import_refuses_an_inconsistent_document(settings: Settings, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(
        json.dumps({"places": [{"id": "p", "county": "00000", "kind": "ortsgemeinde", "name": "X"}]})
    )
    code, _, err = await _run(settings, "import", str(broken))
    assert code == 1
    assert "places.0.county: unknown county '00000'" in err


def test_serve_help_shows_the_defaults_of_host_port_and_data_dir(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--help"])
    assert exited.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps to the terminal's width
    assert "--host HOST address to listen on (default: 127.0.0.1; SERVICECENTER_HOST overrides it)" in shown
    assert "--port PORT port to listen on (default: 8115; SERVICECENTER_PORT overrides it)" in shown
    assert "--data-dir DATA_DIR data directory (default: var; SERVICECENTER_DATA_DIR overrides it)" in shown


async def test_check_rules_accepts_the_default_policy_on_stdout(settings: Settings) -> None:
    code, out, err = await _run(settings, "check-rules")
    assert code == 0, err
    assert out.endswith("emh.yaml: keine Fehler\n")
    assert "keine Fehler" not in err


async def test_check_rules_reports_problems_with_lines(settings: Settings, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("members: ['07135']\nrules: 3\n")
    code, out, err = await _run(settings, "check-rules", str(rules))
    assert code == 1
    assert err.splitlines() == [
        f"{rules}:1: version: Pflichtangabe fehlt",
        f"{rules}:1: center: Pflichtangabe fehlt",
        f"{rules}:1: counties: Pflichtangabe fehlt",
        f"{rules}:1: lines: Pflichtangabe fehlt",
        f"{rules}:1: schedules: Pflichtangabe fehlt",
        f"{rules}:1: targets: Pflichtangabe fehlt",
        f"{rules}:2: rules: hier gehört eine Liste hin, z. B. [a, b]",
        f"7 Fehler in {rules}",
    ]
    assert out == ""


async def test_check_rules_checks_units_against_the_demo_catalogue(
    settings: Settings, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    text = settings.rules_file.read_text(encoding="utf-8")
    rules.write_text(
        text.replace("unit: kv-cochem-zell-zulassung", "unit: kv-cochem-zell-weg"), encoding="utf-8"
    )
    code, _, err = await _run(settings, "check-rules", str(rules))
    assert code == 1
    line = text.splitlines().index("    unit: kv-cochem-zell-zulassung") + 1
    message = "Ziel kfz-zulassung-07135: Stelle ‚kv-cochem-zell-weg‘ gibt es im Leistungsverzeichnis nicht"
    assert f"{rules}:{line}: {message}" in err


async def test_reindex_reports_the_count(settings: Settings) -> None:
    code, _, err = await _run(settings, "reindex")
    assert code == 0
    assert "indexed" in err


async def test_seed_into_a_seeded_database_changes_nothing(settings: Settings) -> None:
    code, _, err = await _run(settings, "seed")
    assert code == 0
    services = next(line for line in err.splitlines() if line.startswith("services"))
    assert services.split()[1:] == ["created", "0", "updated", "0", "unchanged", services.split()[-1]]
    assert int(services.split()[-1]) >= 150


XZUFI_SAMPLE = Path(__file__).parents[1] / "knowledge" / "catalogue" / "data" / "xzufi-sample.xml"


async def test_import_recognises_an_xzufi_transfer_and_imports_it(settings: Settings) -> None:
    code, _, err = await _run(settings, "import", str(XZUFI_SAMPLE), "--dry-run")
    assert code == 0, err
    assert "+ services: xzufi-l100042-lb-1001" in err and "dry run" in err
    code, out, _ = await _run(settings, "export")
    assert not any(s["id"].startswith("xzufi-") for s in json.loads(out)["services"])

    code, _, err = await _run(settings, "import", str(XZUFI_SAMPLE))
    assert code == 0, err
    code, out, _ = await _run(settings, "export")
    services = {s["id"]: s for s in json.loads(out)["services"]}
    assert services["xzufi-l100042-lb-1001"]["responsibilities"][0]["place"] == "vg-gerolstein"

    code, _, err = await _run(settings, "import", str(XZUFI_SAMPLE))
    services_line = next(line for line in err.splitlines() if line.startswith("services"))
    assert services_line.split()[1:] == ["created", "0", "updated", "0", "unchanged", "3"]


async def test_import_refuses_an_xzufi_transfer_with_an_unknown_gebiet(
    settings: Settings, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(XZUFI_SAMPLE.read_bytes().replace(b"071350000000", b"079990000000"))
    code, before, _ = await _run(settings, "export")
    code, _, err = await _run(settings, "import", str(broken))
    assert code == 1
    assert "schreibe/organisationseinheit/zustaendigkeit/gebietID: unknown Gebiet '079990000000'" in err
    assert err.startswith("line ")
    code, after, _ = await _run(settings, "export")
    assert after == before

    broken.write_bytes(XZUFI_SAMPLE.read_bytes()[:400])
    code, _, err = await _run(settings, "import", str(broken))
    assert code == 1 and "malformed XML" in err


async def test_user_add_and_token_create_give_a_working_login_and_token(
    aiohttp_client, settings: Settings
) -> None:
    code, _, err = await _run(
        settings,
        "user",
        "add",
        "berta",
        "--role",
        "county_editor",
        "--county",
        "07233",
        stdin=b"geheim-genug\n",
    )
    assert code == 0, err
    code, token, err = await _run(settings, "token", "create", "berta")
    assert code == 0, err
    token = token.strip()
    assert token.startswith("sc_") and len(token) > 40
    client = await aiohttp_client(create_app(settings))
    session = await client.post("/api/v1/session", json={"name": "berta", "password": "geheim-genug"})
    assert (await session.json())["county"] == "07233"
    bearer = {"Authorization": f"Bearer {token}"}
    state = {"agents_available": 1, "calls_waiting": 0, "longest_wait_s": 0}
    assert (await client.put("/api/v1/pools/emh-all/state", json=state, headers=bearer)).status == 403


async def test_user_add_refuses_a_county_for_other_roles_and_a_short_password(settings: Settings) -> None:
    code, _, err = await _run(
        settings, "user", "add", "x", "--role", "admin", "--county", "07233", stdin=b"geheim-genug\n"
    )
    assert code == 2 and "--county" in err
    code, _, err = await _run(
        settings, "user", "add", "x", "--role", "county_editor", stdin=b"geheim-genug\n"
    )
    assert code == 2
    code, _, err = await _run(settings, "user", "add", "x", "--role", "admin", stdin=b"kurz\n")
    assert code == 2 and "8 characters" in err
    code, _, err = await _run(settings, "token", "create", "x")
    assert code == 1 and "no user" in err


async def _synthetic(settings: Settings) -> tuple[list[str], int, int, int]:
    engine = create_engine(settings.database)
    try:
        async with create_sessionmaker(engine)() as session:
            ids = (
                await session.scalars(
                    select(Service.id).where(Service.id.like("synthetic-%")).order_by(Service.id)
                )
            ).all()
            responsibilities = await session.scalar(
                select(func.count())
                .select_from(Responsibility)
                .where(Responsibility.service.like("synthetic-%"))
            )
            revision = await store.catalogue_revision(session)
            total = await session.scalar(select(func.count()).select_from(Service))
    finally:
        await engine.dispose()
    return list(ids), responsibilities, revision, total


async def test_seed_synthetic_adds_numbered_services_without_clashes(settings: Settings) -> None:
    _, _, before, _ = await _synthetic(settings)
    code, _, err = await _run(settings, "seed", "--synthetic", "30")
    assert code == 0, err
    assert "added 30 synthetic services (synthetic-000001 … synthetic-000030)" in err
    code, _, err = await _run(settings, "seed", "--synthetic", "20", "--seed", "7")
    assert code == 0, err
    ids, responsibilities, after, total = await _synthetic(settings)
    assert ids == [f"synthetic-{n:06d}" for n in range(1, 51)]
    assert responsibilities >= 50
    assert after == before + 2

    code, _, err = await _run(settings, "reindex")
    assert code == 0 and f"indexed {total} services" in err


async def test_seed_refuses_a_negative_count(settings: Settings) -> None:
    code, _, err = await _run(settings, "seed", "--synthetic", "-3")
    assert code == 2
    assert "must be 0 or more" in err
