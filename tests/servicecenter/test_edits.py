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
        first.patch(path, json={"phone": "+49 6592 1"}, headers={**admin, "If-Match": tag}),
        second.patch(path, json={"phone": "+49 6592 2"}, headers={**admin, "If-Match": tag}),
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
