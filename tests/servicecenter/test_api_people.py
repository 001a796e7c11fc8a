"""People of the switchboard directory over HTTP: created, changed and removed like every catalogue entry
(If-Match, audit, history, restore), only office contact data, only by the county's editors."""

from sqlalchemy import text

from knowledge.storage.db import create_engine
from servicecenter.settings import Settings

NEW = {
    "name": "Jonas Beispiel",
    "function": "Sachbearbeitung Kita-Gebühren",
    "unit_id": "kv-vulkaneifel-jugendamt",
    "extension": "557",
    "email": "j.beispiel@vulkaneifel.de",
    "topics": ["Kita-Gebühren", "VG Kelberg"],
}


async def _count_changes(settings: Settings, entry_id: str) -> int:
    engine = create_engine(settings.database)
    try:
        async with engine.connect() as connection:
            found = await connection.execute(
                text("SELECT count(*) FROM change_log WHERE entity = 'person' AND entry_id = :id"),
                {"id": entry_id},
            )
            return found.scalar_one()
    finally:
        await engine.dispose()


async def test_a_county_editor_adds_changes_and_removes_a_person(client, make_user, settings) -> None:
    editor = await make_user("dora", "county_editor", county="07233")
    created = await client.post("/api/v1/people", json=NEW, headers=editor)
    assert created.status == 201, await created.text()
    person = await created.json()
    assert (person["id"], person["county"], person["version"]) == ("07233-jonas-beispiel", "07233", 1)
    assert created.headers["Location"] == "/api/v1/people/07233-jonas-beispiel"
    again = await client.post("/api/v1/people", json=NEW, headers=editor)
    assert (await again.json())["id"] == "07233-jonas-beispiel-2", "a second Jonas Beispiel gets his own id"

    path = created.headers["Location"]
    changed = await client.patch(
        path,
        json={"deputy_id": "dau-klein", "absent_until": "2026-12-24"},
        headers={**editor, "If-Match": '"1"'},
    )
    assert changed.status == 200, await changed.text()
    assert changed.headers["ETag"] == '"2"'
    stale = await client.patch(path, json={"extension": "558"}, headers={**editor, "If-Match": '"1"'})
    assert stale.status == 412
    assert (await client.patch(path, json={"extension": "558"}, headers=editor)).status == 428

    history = await (await client.get(f"{path}/history", headers=editor)).json()
    assert [c["action"] for c in history] == ["update", "create"]
    assert history[0]["after"]["deputy_id"] == "dau-klein"
    restored = await client.post(f"{path}/history/1/restore", headers={**editor, "If-Match": '"2"'})
    assert restored.status == 200, await restored.text()
    assert (await restored.json())["deputy_id"] is None

    gone = await client.delete(path, headers={**editor, "If-Match": '"3"'})
    assert gone.status == 204
    assert (await client.get(path)).status == 404
    assert await _count_changes(settings, "07233-jonas-beispiel") == 4
    assert [c["action"] for c in await (await client.get(f"{path}/history", headers=editor)).json()][
        0
    ] == "delete"


async def test_only_a_unit_and_deputy_of_the_county_and_only_office_data(client, make_user) -> None:
    editor = await make_user("dora", "county_editor", county="07233")
    cases = [
        (
            {**NEW, "unit_id": "kv-cochem-zell-jugendamt"},
            403,
        ),  # another county's unit: another county's person
        ({**NEW, "unit_id": "familienkasse"}, 422),  # a unit of no county has no people
        ({**NEW, "deputy_id": "bit-schmitz"}, 422),
        ({**NEW, "deputy_id": "niemand"}, 422),
        ({**NEW, "email": "keine adresse"}, 422),
        ({**NEW, "extension": "15-50"}, 422),
        ({**NEW, "photo": "data:image/png;base64,AAAA"}, 422),
        ({**NEW, "private_phone": "+49 170 1234567"}, 422),
        ({**NEW, "id": "Großbuchstaben"}, 422),
        ({**NEW, "id": "dau-landrat"}, 409),
    ]
    for body, status in cases:
        response = await client.post("/api/v1/people", json=body, headers=editor)
        assert response.status == status, (body, await response.text())
        assert response.content_type == "application/problem+json"
    tag = (await client.get("/api/v1/people/dau-meyer")).headers["ETag"]
    for change in ({"deputy_id": "dau-meyer"}, {"unit_id": "kv-bitburg-pruem-jugendamt"}, {"name": None}):
        response = await client.patch(
            "/api/v1/people/dau-meyer", json=change, headers={**editor, "If-Match": tag}
        )
        assert response.status == 422, change
    assert (await client.get("/api/v1/people/dau-meyer")).headers["ETag"] == tag


async def test_someone_who_stands_in_for_a_colleague_is_not_removed(client, make_user) -> None:
    editor = await make_user("dora", "county_editor", county="07233")
    tag = (await client.get("/api/v1/people/dau-klein")).headers["ETag"]
    refused = await client.delete("/api/v1/people/dau-klein", headers={**editor, "If-Match": tag})
    assert refused.status == 409
    assert "Katrin Meyer" in (await refused.json())["detail"]
    meyer = await client.get("/api/v1/people/dau-meyer")
    cleared = await client.patch(
        "/api/v1/people/dau-meyer",
        json={"deputy_id": None},
        headers={**editor, "If-Match": meyer.headers["ETag"]},
    )
    assert cleared.status == 200
    assert (
        await client.delete("/api/v1/people/dau-klein", headers={**editor, "If-Match": tag})
    ).status == 204


async def test_the_internal_note_is_for_staff_only(client, make_user) -> None:
    agent = await make_user("alex", "agent")
    assert (await (await client.get("/api/v1/people/bit-landrat")).json())["internal_note"] is None
    assert (await (await client.get("/api/v1/people/bit-landrat", headers=agent)).json())[
        "internal_note"
    ] == "Beispieldaten"
    listed = await (await client.get("/api/v1/people", params={"county": "07232"})).json()
    assert {p["county"] for p in listed} == {"07232"} and all(p["internal_note"] is None for p in listed)
    assert "bit-mueller" in {p["id"] for p in listed}
