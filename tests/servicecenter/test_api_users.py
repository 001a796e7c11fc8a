"""Users and API tokens over HTTP (admins): create, role and county, new password, disable, tokens."""

import pytest
from sqlalchemy import text

from knowledge.storage.db import create_engine

PASSWORD = "ein langes Passwort"


@pytest.fixture
async def admin(make_user) -> dict:
    return await make_user("chefin", "admin", password=PASSWORD)


async def _login(client, name: str, password: str) -> int:
    response = await client.post("/api/v1/session", json={"name": name, "password": password})
    return response.status


async def test_an_admin_creates_a_county_editor_who_can_then_log_in(client, admin) -> None:
    body = {"name": "dora.daun", "role": "county_editor", "county": "07233", "password": PASSWORD}
    response = await client.post("/api/v1/users", json=body, headers=admin)
    created = await response.json()
    assert response.status == 201, created
    assert created | {"created_at": None} == {
        "name": "dora.daun", "role": "county_editor", "county": "07233", "disabled": False,
        "created_at": None, "tokens": 0,
    }  # fmt: skip
    assert "password" not in str(created)
    listing = await (await client.get("/api/v1/users", headers=admin)).json()
    assert [user["name"] for user in listing] == ["chefin", "dora.daun"]
    assert await _login(client, "dora.daun", PASSWORD) == 200
    again = await client.post("/api/v1/users", json=body, headers=admin)
    assert again.status == 409


@pytest.mark.parametrize(
    "body",
    [
        {"name": "ed", "role": "county_editor", "password": PASSWORD},
        {"name": "ed", "role": "agent", "county": "07233", "password": PASSWORD},
        {"name": "ed", "role": "county_editor", "county": "07235", "password": PASSWORD},
        {"name": "ed", "role": "agent", "password": "kurz"},
        {"name": "e d", "role": "agent", "password": PASSWORD},
    ],
)
async def test_a_user_that_cannot_be_is_refused_and_nothing_stored(client, admin, body: dict) -> None:
    response = await client.post("/api/v1/users", json=body, headers=admin)
    assert response.status == 422
    assert (await response.json())["errors"]
    names = [user["name"] for user in await (await client.get("/api/v1/users", headers=admin)).json()]
    assert names == ["chefin"]


async def test_role_change_disable_and_new_password_end_the_users_sessions(client, admin, make_user) -> None:
    await make_user("anna", "agent", password=PASSWORD)
    assert await _login(client, "anna", PASSWORD) == 200
    assert (await client.get("/api/v1/session")).status == 200
    changed = await client.patch("/api/v1/users/anna", json={"role": "supervisor"}, headers=admin)
    assert (await changed.json())["role"] == "supervisor"
    assert (await client.get("/api/v1/session")).status == 401  # logged out where rights changed

    disabled = await client.patch("/api/v1/users/anna", json={"disabled": True}, headers=admin)
    assert (await disabled.json())["disabled"] is True
    assert await _login(client, "anna", PASSWORD) == 403
    await client.patch("/api/v1/users/anna", json={"disabled": False}, headers=admin)
    assert await _login(client, "anna", PASSWORD) == 200

    reset = await client.put(
        "/api/v1/users/anna/password", json={"password": "ein neues Passwort"}, headers=admin
    )
    assert reset.status == 204
    assert (await client.get("/api/v1/session")).status == 401
    assert await _login(client, "anna", PASSWORD) == 401
    assert await _login(client, "anna", "ein neues Passwort") == 200


async def test_an_admin_cannot_demote_or_disable_themselves(client, admin) -> None:
    for change in ({"role": "agent"}, {"disabled": True}):
        response = await client.patch("/api/v1/users/chefin", json=change, headers=admin)
        assert response.status == 409
    listing = await (await client.get("/api/v1/users", headers=admin)).json()
    assert listing[0] | {"created_at": None, "tokens": 0} == {
        "name": "chefin", "role": "admin", "county": None, "disabled": False, "created_at": None, "tokens": 0,
    }  # fmt: skip


async def test_a_token_works_until_revoked_or_its_user_is_disabled(client, admin, make_user) -> None:
    await make_user("pbx", "pbx")
    created = await client.post("/api/v1/users/pbx/tokens", headers=admin)
    token = await created.json()
    assert created.status == 201 and token["token"].startswith("sc_")
    bearer = {"Authorization": f"Bearer {token['token']}"}
    state = {"agents_available": 1, "calls_waiting": 0, "longest_wait_s": 0}
    assert (await client.put("/api/v1/pools/emh-all/state", json=state, headers=bearer)).status == 200
    listed = await (await client.get("/api/v1/users/pbx/tokens", headers=admin)).json()
    assert token["id"] in [t["id"] for t in listed] and len(listed) == 2
    assert token["token"] not in str(listed)

    await client.patch("/api/v1/users/pbx", json={"disabled": True}, headers=admin)
    assert (await client.put("/api/v1/pools/emh-all/state", json=state, headers=bearer)).status == 401
    await client.patch("/api/v1/users/pbx", json={"disabled": False}, headers=admin)
    assert (await client.put("/api/v1/pools/emh-all/state", json=state, headers=bearer)).status == 200

    revoked = await client.delete(f"/api/v1/users/pbx/tokens/{token['id']}", headers=admin)
    assert revoked.status == 204
    assert (await client.put("/api/v1/pools/emh-all/state", json=state, headers=bearer)).status == 401
    assert (await client.delete(f"/api/v1/users/pbx/tokens/{token['id']}", headers=admin)).status == 404
    assert (await client.delete("/api/v1/users/pbx/tokens/%27%20or%201=1", headers=admin)).status == 404


async def test_every_change_is_audited_without_secrets(client, admin, settings) -> None:
    await client.post(
        "/api/v1/users", json={"name": "ben", "role": "agent", "password": PASSWORD}, headers=admin
    )
    await client.put("/api/v1/users/ben/password", json={"password": "noch ein Passwort"}, headers=admin)
    token = await (await client.post("/api/v1/users/ben/tokens", headers=admin)).json()
    engine = create_engine(settings.database)
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    text("SELECT action, actor, after FROM change_log WHERE entity = 'user' ORDER BY id")
                )
            ).all()
    finally:
        await engine.dispose()
    assert [(action, actor) for action, actor, _ in rows] == [
        ("create", "chefin"),
        ("password", "chefin"),
        ("token_create", "chefin"),
    ]
    everything = str(rows)
    assert PASSWORD not in everything and "noch ein Passwort" not in everything
    assert token["token"] not in everything and token["id"] in everything
