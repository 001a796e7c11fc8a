"""Web login, sessions, CSRF, throttling and bearer tokens over real HTTP on the real database."""

import asyncio
import logging
from ipaddress import ip_network

import pytest

from servicecenter.app import create_app
from servicecenter.settings import Settings

BUSY = {"agents_available": 0, "calls_waiting": 4, "longest_wait_s": 45.0}
PASSWORD = "korrekt-pferd-batterie"


async def _login(client, name: str = "anna", password: str = PASSWORD):
    return await client.post("/api/v1/session", json={"name": name, "password": password})


async def test_login_sets_an_httponly_samesite_cookie_and_returns_the_csrf_token(client, make_user) -> None:
    await make_user("anna", "admin", password=PASSWORD)
    response = await _login(client)
    assert response.status == 200
    body = await response.json()
    assert (body["name"], body["role"], body["county"]) == ("anna", "admin", None)
    cookie = response.cookies["sc_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    assert body["csrf_token"] and body["csrf_token"] != cookie.value
    who = await (await client.get("/api/v1/session")).json()
    assert who["csrf_token"] == body["csrf_token"]


async def test_secure_cookie_when_configured(aiohttp_client, settings: Settings, make_user) -> None:
    await make_user("anna", "admin", password=PASSWORD)
    client = await aiohttp_client(create_app(settings.model_copy(update={"session_cookie_secure": True})))
    response = await _login(client)
    assert response.cookies["sc_session"]["secure"]


@pytest.mark.parametrize(("name", "password"), [("anna", "falsch"), ("niemand", PASSWORD)])
async def test_wrong_name_or_password_is_401_without_a_cookie(client, make_user, name, password) -> None:
    await make_user("anna", "admin", password=PASSWORD)
    response = await _login(client, name, password)
    assert response.status == 401
    assert "sc_session" not in response.cookies
    assert (await client.get("/api/v1/session")).status == 401


async def test_cookie_writes_need_the_csrf_token(client, make_user) -> None:
    await make_user("anna", "admin", password=PASSWORD)
    csrf = (await (await _login(client)).json())["csrf_token"]
    refused = await client.put("/api/v1/pools/emh-all/state", json=BUSY)
    assert refused.status == 403
    wrong = await client.put("/api/v1/pools/emh-all/state", json=BUSY, headers={"X-CSRF-Token": "x" + csrf})
    assert wrong.status == 403
    pools = {p["id"]: p for p in await (await client.get("/api/v1/pools")).json()}
    assert pools["emh-all"]["state"] is None
    accepted = await client.put("/api/v1/pools/emh-all/state", json=BUSY, headers={"X-CSRF-Token": csrf})
    assert accepted.status == 200


async def test_logout_ends_the_session_for_every_instance(
    aiohttp_client, settings: Settings, make_user
) -> None:
    await make_user("anna", "admin", password=PASSWORD)
    first, second = await aiohttp_client(create_app(settings)), await aiohttp_client(create_app(settings))
    login = await _login(first)
    cookie, csrf = login.cookies["sc_session"].value, (await login.json())["csrf_token"]
    second.session.cookie_jar.update_cookies({"sc_session": cookie})
    assert (await (await second.get("/api/v1/session")).json())["name"] == "anna"

    assert (await first.delete("/api/v1/session")).status == 403  # no CSRF token
    assert (await first.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})).status == 204
    assert (await second.get("/api/v1/session")).status == 401
    assert (
        await second.put("/api/v1/pools/emh-all/state", json=BUSY, headers={"X-CSRF-Token": csrf})
    ).status == 401


async def test_failed_logins_are_throttled_per_name_and_address(client, make_user) -> None:
    await make_user("anna", "admin", password=PASSWORD)
    for _ in range(5):
        assert (await _login(client, "anna", "falsch")).status == 401
    throttled = await _login(client)
    assert throttled.status == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= 15 * 60


async def test_failed_logins_are_throttled_per_client_address(client, make_user) -> None:
    await make_user("anna", "admin", password=PASSWORD)
    for i in range(20):
        assert (await _login(client, f"rater{i}", "falsch")).status == 401
    assert (await _login(client)).status == 429


async def test_concurrent_guesses_are_checked_at_most_the_limit(client, make_user) -> None:
    """Each attempt is counted before argon2 checks it, so 40 guesses at once cannot all be tried."""
    await make_user("anna", "admin", password=PASSWORD)
    answers = await asyncio.gather(*(_login(client, "anna", f"rate-{i}") for i in range(40)))
    statuses = sorted(a.status for a in answers)
    assert statuses == [401] * 5 + [429] * 35
    assert (await _login(client)).status == 429


def _behind_proxy(settings: Settings) -> Settings:
    return settings.model_copy(update={"trusted_proxies": [ip_network("127.0.0.1/32")]})


async def test_failures_from_elsewhere_do_not_lock_out_the_real_user(
    aiohttp_client, settings: Settings, make_user
) -> None:
    await make_user("anna", "admin", password=PASSWORD)
    client = await aiohttp_client(create_app(_behind_proxy(settings)))
    attacker = {"X-Forwarded-For": "198.51.100.66, 203.0.113.9"}
    for _ in range(5):
        response = await client.post(
            "/api/v1/session", json={"name": "anna", "password": "falsch"}, headers=attacker
        )
        assert response.status == 401
    refused = await client.post(
        "/api/v1/session", json={"name": "anna", "password": PASSWORD}, headers=attacker
    )
    assert refused.status == 429
    user = {"X-Forwarded-For": "192.0.2.10"}
    welcome = await client.post("/api/v1/session", json={"name": "anna", "password": PASSWORD}, headers=user)
    assert welcome.status == 200


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(client, make_user) -> None:
    """Without SERVICECENTER_TRUSTED_PROXIES anyone could claim a fresh address with every guess."""
    await make_user("anna", "admin", password=PASSWORD)
    for i in range(5):
        forged = {"X-Forwarded-For": f"203.0.113.{i}"}
        response = await client.post(
            "/api/v1/session", json={"name": "anna", "password": "x"}, headers=forged
        )
        assert response.status == 401
    assert (await _login(client)).status == 429


@pytest.mark.parametrize("header", ["Bearer sc_unknown", "Basic YW5uYTpwdw==", "Bearer "])
async def test_unknown_or_malformed_credentials_are_401(client, header: str) -> None:
    response = await client.put("/api/v1/pools/emh-all/state", json=BUSY, headers={"Authorization": header})
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_secrets_never_reach_logs_or_responses(client, make_user, caplog, capsys) -> None:
    caplog.set_level(logging.DEBUG)
    bearer = await make_user("anna", "admin", password=PASSWORD)
    token = bearer["Authorization"].removeprefix("Bearer ")
    failed = await _login(client, "anna", "falsch-" + PASSWORD)
    login = await _login(client)
    session_id = login.cookies["sc_session"].value
    used = await client.put("/api/v1/pools/emh-all/state", json=BUSY, headers=bearer)
    texts = [await failed.text(), await login.text(), await used.text()]
    logged = caplog.text + "".join(capsys.readouterr())
    for secret in (PASSWORD, token, session_id):
        assert secret not in logged
        assert all(secret not in text for text in texts)
    assert "login_failed" in logged and "logged_in" in logged
