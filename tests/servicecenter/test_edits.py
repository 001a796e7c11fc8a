"""Catalogue edits over HTTP: ETag and If-Match, no lost update, audit trail, restore, search freshness."""

import asyncio
import io

import pytest

from servicecenter.app import create_app
from servicecenter.settings import Settings

UNIT = "vg-daun-buergerbuero"


async def _read(client, path: str) -> tuple[dict, str]:
    response = await client.get(path)
    assert response.status == 200, await response.text()
    return await response.json(), response.headers["ETag"]


async def _a_unit(client, county: str) -> dict:
    units = await (await client.get("/api/v1/units", params={"county": county})).json()
    return next(u for u in units if u["county"] == county)


async def test_patch_a_unit_with_if_match_changes_it_and_the_etag(client, make_user) -> None:
    admin = await make_user("anna", "admin")
    unit = await _a_unit(client, "07233")
    _, tag = await _read(client, f"/api/v1/units/{unit['id']}")
    response = await client.patch(
        f"/api/v1/units/{unit['id']}", json={"extension": "4711"}, headers={**admin, "If-Match": tag}
    )
    assert response.status == 200, await response.text()
    assert response.headers["ETag"] != tag
    body, new_tag = await _read(client, f"/api/v1/units/{unit['id']}")
    assert body["extension"] == "4711" and new_tag == response.headers["ETag"]


async def test_patch_without_if_match_is_428_and_stale_is_412(client, make_user) -> None:
    admin = await make_user("anna", "admin")
    unit = await _a_unit(client, "07233")
    path = f"/api/v1/units/{unit['id']}"
    before, tag = await _read(client, path)
    assert (await client.patch(path, json={"extension": "1"}, headers=admin)).status == 428
    assert (
        await client.patch(path, json={"extension": "2"}, headers={**admin, "If-Match": tag})
    ).status == 200
    stale = await client.patch(path, json={"extension": "3"}, headers={**admin, "If-Match": tag})
    assert stale.status == 412
    assert stale.content_type == "application/problem+json"
    assert (await _read(client, path))[0]["extension"] == "2"


async def test_two_concurrent_patches_with_the_same_etag_one_wins(
    aiohttp_client, settings: Settings, make_user
) -> None:
    """Two instances on one database, two editors with the same ETag: exactly one change lands."""
    admin = await make_user("anna", "admin")
    first, second = await aiohttp_client(create_app(settings)), await aiohttp_client(create_app(settings))
    unit = await _a_unit(first, "07233")
    path = f"/api/v1/units/{unit['id']}"
    _, tag = await _read(first, path)
    responses = await asyncio.gather(
        first.patch(path, json={"phone": "+49 6592 939-110"}, headers={**admin, "If-Match": tag}),
        second.patch(path, json={"phone": "+49 6592 939-120"}, headers={**admin, "If-Match": tag}),
    )
    assert sorted(r.status for r in responses) == [200, 412]
    winner = next(r for r in responses if r.status == 200)
    body, _ = await _read(first, path)
    assert body["phone"] == (await winner.json())["phone"]
    history = await (await first.get(f"{path}/history", headers=admin)).json()
    assert len(history) == 1


async def test_history_records_who_when_before_after_and_restore_brings_it_back(client, make_user) -> None:
    editor = await make_user("carl", "catalogue_editor")
    service = (await (await client.get("/api/v1/search", params={"q": "Hundesteuer"})).json())["hits"][0]
    path = f"/api/v1/services/{service['id']}"
    original, tag = await _read(client, path)
    changed = await client.patch(
        path,
        json={"title": "Hundesteuer – neu", "synonyms": ["Hundeabgabe"]},
        headers={**editor, "If-Match": tag},
    )
    assert changed.status == 200
    history = await (await client.get(f"{path}/history", headers=editor)).json()
    assert [(h["version"], h["action"], h["actor"]) for h in history] == [(2, "update", "carl")]
    assert history[0]["before"]["title"] == original["title"]
    assert history[0]["after"]["title"] == "Hundesteuer – neu" and history[0]["at"]

    restored = await client.post(
        f"{path}/history/1/restore", headers={**editor, "If-Match": changed.headers["ETag"]}
    )
    assert restored.status == 200, await restored.text()
    body, _ = await _read(client, path)
    assert (body["title"], body["synonyms"], body["version"]) == (original["title"], original["synonyms"], 3)
    history = await (await client.get(f"{path}/history", headers=editor)).json()
    assert [h["action"] for h in history] == ["restore", "update"]
    stale = await client.post(f"{path}/history/2/restore", headers={**editor, "If-Match": tag})
    assert stale.status == 412


async def test_service_text_change_reaches_the_revision_feed(client, make_user, settings: Settings) -> None:
    from knowledge.catalogue import store
    from knowledge.storage.db import create_engine, create_sessionmaker

    editor = await make_user("carl", "catalogue_editor")
    service = (await (await client.get("/api/v1/search", params={"q": "Hundesteuer"})).json())["hits"][0]
    engine = create_engine(settings.database)
    try:
        async with create_sessionmaker(engine)() as session:
            revision = await store.catalogue_revision(session)
        _, tag = await _read(client, f"/api/v1/services/{service['id']}")
        response = await client.patch(
            f"/api/v1/services/{service['id']}",
            json={"synonyms": ["Bellosteuer"]},
            headers={**editor, "If-Match": tag},
        )
        assert response.status == 200
        async with create_sessionmaker(engine)() as session:
            assert await store.services_changed_since(session, revision=revision) == [service["id"]]
            assert await store.catalogue_revision(session) == revision + 1
    finally:
        await engine.dispose()


async def test_responsibility_create_change_delete(client, make_user) -> None:
    editor = await make_user("dora", "county_editor", county="07233")
    service = (await (await client.get("/api/v1/search", params={"q": "Wunschkennzeichen"})).json())["hits"][
        0
    ]
    listing = await (await client.get(f"/api/v1/services/{service['id']}/responsibilities")).json()
    assert not any(r["place"] for r in listing if r["county"] == "07233")
    unit = await _a_unit(client, "07233")
    new = {"unit": unit["id"], "county": "07233", "place": "vg-gerolstein"}
    created = await client.post(
        f"/api/v1/services/{service['id']}/responsibilities", json=new, headers=editor
    )
    assert created.status == 201, await created.text()
    rid = (await created.json())["id"]
    path = f"/api/v1/responsibilities/{rid}"
    _, tag = await _read(client, path)
    patched = await client.patch(path, json={"notes": "nur vormittags"}, headers={**editor, "If-Match": tag})
    assert patched.status == 200
    assert (await client.delete(path, headers={**editor, "If-Match": tag})).status == 412
    deleted = await client.delete(path, headers={**editor, "If-Match": patched.headers["ETag"]})
    assert deleted.status == 204
    assert (await client.get(path)).status == 404
    history = await (await client.get(f"{path}/history", headers=editor)).json()
    assert [h["action"] for h in history] == ["delete", "update", "create"]
    assert history[0]["before"]["notes"] == "nur vormittags" and history[0]["after"] is None


async def test_responsibility_for_a_covered_territory_or_a_foreign_place_is_refused(
    client, make_user
) -> None:
    editor = await make_user("dora", "county_editor", county="07233")
    service = (await (await client.get("/api/v1/search", params={"q": "Wunschkennzeichen"})).json())["hits"][
        0
    ]
    listing = await (await client.get(f"/api/v1/services/{service['id']}/responsibilities")).json()
    covered = next(r for r in listing if r["county"] == "07233")
    path = f"/api/v1/services/{service['id']}/responsibilities"
    again = {"unit": covered["unit"], "county": "07233", "place": covered["place"]}
    assert (await client.post(path, json=again, headers=editor)).status == 409
    foreign = {"unit": covered["unit"], "county": "07233", "place": "vg-cochem"}
    response = await client.post(path, json=foreign, headers=editor)
    assert response.status == 422
    assert (await response.json())["errors"][0]["loc"] == ["body", "place"]
    unknown = {"unit": "gibt-es-nicht", "county": "07233", "place": "vg-gerolstein"}
    assert (await client.post(path, json=unknown, headers=editor)).status == 422
    assert await (await client.get(path)).json() == listing


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hours": {"mon": "kaputt"}}, "hours"),
        ({"postcode": "abc"}, "postcode"),
        ({"nope": 1}, "nope"),
        ({}, None),
    ],
)
async def test_invalid_patch_is_422_naming_the_field_and_changes_nothing(
    client, make_user, body, field
) -> None:
    admin = await make_user("anna", "admin")
    unit = await _a_unit(client, "07233")
    path = f"/api/v1/units/{unit['id']}"
    before, tag = await _read(client, path)
    response = await client.patch(path, json=body, headers={**admin, "If-Match": tag})
    assert response.status == 422
    problem = await response.json()
    if field:
        assert any(field in e["loc"] for e in problem["errors"])
    assert (await _read(client, path)) == (before, tag)


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": "{kaputt", "headers": {"Content-Type": "application/json"}}, 400),
        ({"data": "9 MiB", "headers": {"Content-Type": "application/json"}}, 413),
        ({"data": "extension=1"}, 415),
        ({"json": ["extension"]}, 422),
        ({"json": {"extension": "1"}, "headers": {"If-Match": "kein-etag"}}, 412),
        ({"json": {"extension": "1"}, "headers": {"If-Match": '"99999999999999"'}}, 412),
    ],
)
async def test_bad_input_on_a_write_is_4xx_and_changes_nothing(client, make_user, kwargs, status) -> None:
    admin = await make_user("anna", "admin")
    unit = await _a_unit(client, "07233")
    path = f"/api/v1/units/{unit['id']}"
    before, tag = await _read(client, path)
    headers = {**admin, "If-Match": tag, **kwargs.get("headers", {})}
    if kwargs.get("data") == "9 MiB":
        kwargs = {**kwargs, "data": io.BytesIO(b"x" * (9 * 1024 * 1024))}
    response = await client.patch(path, **{**kwargs, "headers": headers})
    assert response.status == status
    assert response.content_type == "application/problem+json"
    assert (await _read(client, path)) == (before, tag)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/responsibilities/abc",
        "/api/v1/responsibilities/99999999999999999999",
        "/api/v1/services/gibt-es-nicht/history/99999999999999/restore",
        "/api/v1/routing/rules/versions/99999999999999999/activate",
    ],
)
async def test_ids_no_entry_can_have_are_404(client, make_user, path: str) -> None:
    admin = await make_user("anna", "admin")
    method = "POST" if path.endswith(("restore", "activate")) else "GET"
    response = await client.request(method, path, headers={**admin, "If-Match": '"1"'})
    assert response.status == 404


async def _wunschkennzeichen(client) -> str:
    found = await (await client.get("/api/v1/search", params={"q": "Wunschkennzeichen"})).json()
    return found["hits"][0]["id"]


async def test_a_deleted_responsibilitys_id_is_never_given_again(client, make_user) -> None:
    """Reused, the new entry showed the deleted one's audit trail, and its versions could be restored."""
    admin = await make_user("anna", "admin")
    path = f"/api/v1/services/{await _wunschkennzeichen(client)}/responsibilities"
    body = {"unit": (await _a_unit(client, "07233"))["id"], "county": "07233", "place": "vg-gerolstein"}
    first = await client.post(path, json={**body, "notes": "alt"}, headers=admin)
    assert first.status == 201
    deleted = await client.delete(
        first.headers["Location"], headers={**admin, "If-Match": first.headers["ETag"]}
    )
    assert deleted.status == 204
    second = await client.post(path, json=body, headers=admin)
    assert second.status == 201
    assert (await second.json())["id"] > (await first.json())["id"]
    history = await (await client.get(f"{second.headers['Location']}/history", headers=admin)).json()
    assert [h["action"] for h in history] == ["create"]


@pytest.mark.parametrize("role", ["county_editor", "admin"])
async def test_a_responsibility_names_a_unit_of_its_own_county(client, make_user, role: str) -> None:
    """A county editor could send their county's callers to another county's office (PATCH or POST)."""
    editor = await make_user("dora", role, county="07233" if role == "county_editor" else None)
    path = f"/api/v1/services/{await _wunschkennzeichen(client)}/responsibilities"
    listing = await (await client.get(path)).json()
    own = next(r for r in listing if r["county"] == "07233")
    foreign = (await _a_unit(client, "07135"))["id"]
    entry = f"/api/v1/responsibilities/{own['id']}"
    _, tag = await _read(client, entry)
    patched = await client.patch(entry, json={"unit": foreign}, headers={**editor, "If-Match": tag})
    assert patched.status == 422
    [error] = (await patched.json())["errors"]
    assert error["loc"] == ["body", "unit"] and "belongs to county 07135" in error["msg"]
    created = await client.post(
        path, json={"unit": foreign, "county": "07233", "place": "vg-gerolstein"}, headers=editor
    )
    assert created.status == 422
    assert await (await client.get(path)).json() == listing
    federal = await client.patch(entry, json={"unit": "kba"}, headers={**editor, "If-Match": tag})
    assert federal.status == 200, await federal.text()


@pytest.mark.parametrize(
    ("collection", "entry", "allowed", "refused"),
    [
        ("units", UNIT, ("county_editor_here", "admin"), ("county_editor_elsewhere", "catalogue_editor")),
        ("services", "hundesteuer-anmelden", ("catalogue_editor", "admin"), ("county_editor_here",)),
        ("places", "vg-daun", ("admin",), ("county_editor_here", "catalogue_editor")),
    ],
)
async def test_history_is_read_by_those_who_may_edit_the_entry(
    client, make_user, collection: str, entry: str, allowed: tuple, refused: tuple
) -> None:
    """As on the history page: another county's editors do not read what this county wrote."""
    roles = {
        "county_editor_here": ("county_editor", "07233"),
        "county_editor_elsewhere": ("county_editor", "07135"),
        "catalogue_editor": ("catalogue_editor", None),
        "admin": ("admin", None),
    }
    for caller in allowed + refused:
        role, county = roles[caller]
        headers = await make_user(caller, role, county=county)
        response = await client.get(f"/api/v1/{collection}/{entry}/history", headers=headers)
        assert response.status == (200 if caller in allowed else 403), caller


async def test_a_deleted_responsibilitys_history_stays_with_its_county(client, make_user) -> None:
    admin = await make_user("anna", "admin")
    path = f"/api/v1/services/{await _wunschkennzeichen(client)}/responsibilities"
    body = {"unit": (await _a_unit(client, "07233"))["id"], "county": "07233", "place": "vg-gerolstein"}
    created = await client.post(path, json=body, headers=admin)
    location = created.headers["Location"]
    assert (
        await client.delete(location, headers={**admin, "If-Match": created.headers["ETag"]})
    ).status == 204
    elsewhere = await make_user("eva", "county_editor", county="07135")
    assert (await client.get(f"{location}/history", headers=elsewhere)).status == 403
    here = await make_user("dora", "county_editor", county="07233")
    assert (await client.get(f"{location}/history", headers=here)).status == 200


@pytest.mark.parametrize(
    ("collection", "entry", "body", "field"),
    [
        (
            "services",
            "hundesteuer-anmelden",
            {"online_service": "javascript:alert(document.cookie)"},
            "online_service",
        ),
        ("services", "hundesteuer-anmelden", {"online_service": "//evil.example"}, "online_service"),
        ("units", UNIT, {"phone": "bitte zurückrufen"}, "phone"),
        ("units", UNIT, {"phone": "+49 1"}, "phone"),
        ("units", UNIT, {"extension": "110; 0900"}, "extension"),
        ("units", UNIT, {"extension": "1234567"}, "extension"),
    ],
)
async def test_urls_are_http_and_phone_numbers_are_numbers(
    client, make_user, collection: str, entry: str, body: dict, field: str
) -> None:
    admin = await make_user("anna", "admin")
    path = f"/api/v1/{collection}/{entry}"
    before, tag = await _read(client, path)
    response = await client.patch(path, json=body, headers={**admin, "If-Match": tag})
    assert response.status == 422
    assert [e["loc"] for e in (await response.json())["errors"]] == [["body", field]]
    assert (await _read(client, path)) == (before, tag)


async def test_phone_numbers_are_stored_in_the_catalogues_notation(client, make_user) -> None:
    admin = await make_user("anna", "admin")
    path = f"/api/v1/units/{UNIT}"
    _, tag = await _read(client, path)
    response = await client.patch(path, json={"phone": "06592/939-110"}, headers={**admin, "If-Match": tag})
    assert response.status == 200
    assert (await _read(client, path))[0]["phone"] == "+49 6592 939-110"
