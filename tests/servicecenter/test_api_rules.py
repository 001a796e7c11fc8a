"""Routing rules over HTTP: checked before stored, versioned, activated live on every instance, rolled back,
kept on restart."""

import asyncio
from collections.abc import Awaitable

import pytest

from knowledge import rule_versions
from servicecenter import policy_service
from servicecenter.app import create_app
from servicecenter.keys import POLICY_SERVICE, SESSIONMAKER
from servicecenter.settings import Settings

MONDAY_MORNING = "2026-11-23T09:30:00+01:00"
GREETING = "Behördennummer 115, Servicecenter Eifel-Mosel-Hunsrück, guten Tag"
CALL = {"called": "115", "caller": "06592 1234", "at": MONDAY_MORNING}


def _rules(settings: Settings, greeting: str) -> str:
    text = settings.rules_file.read_text(encoding="utf-8")
    assert GREETING in text
    return text.replace(GREETING, greeting)


async def _greeting(client) -> str:
    return (await (await client.get("/api/v1/route", params=CALL)).json())["greeting"]


async def test_a_new_version_becomes_the_live_policy_and_survives_a_restart(
    aiohttp_client, settings: Settings, make_user
) -> None:
    admin = await make_user("anna", "admin")
    client = await aiohttp_client(create_app(settings))
    assert (await (await client.get("/api/v1/routing/rules", headers=admin)).json())["version"] is None
    response = await client.put(
        "/api/v1/routing/rules", json={"text": _rules(settings, "Neu, guten Tag")}, headers=admin
    )
    assert response.status == 201, await response.text()
    assert (await response.json())["version"] == 1
    assert await _greeting(client) == "Neu, guten Tag"
    current = await (await client.get("/api/v1/routing/rules", headers=admin)).json()
    assert (current["version"], current["author"], current["active"]) == (1, "anna", True)
    assert "Neu, guten Tag" in current["text"]

    restarted = await aiohttp_client(create_app(settings))
    assert await _greeting(restarted) == "Neu, guten Tag"


async def test_an_invalid_rule_file_is_422_with_every_problem_and_line_and_changes_nothing(
    client, settings, make_user
) -> None:
    admin = await make_user("anna", "admin")
    text = _rules(settings, "Kaputt").replace("fallback: emh-all", "fallback: gibt-es-nicht", 1)
    text += "\nunknown_key: 1\n"
    response = await client.put("/api/v1/routing/rules", json={"text": text}, headers=admin)
    assert response.status == 422
    problem = await response.json()
    assert len(problem["errors"]) >= 1 and all(e["line"] for e in problem["errors"])
    assert problem["title"] == "Ungültige Routing-Regeln"
    assert problem["detail"] == f"{len(problem['errors'])} Fehler in der Regeldatei; nichts wurde gespeichert"
    assert "unknown_key: diesen Schlüssel gibt es hier nicht (Tippfehler?)" in [
        e["msg"] for e in problem["errors"]
    ]
    broken = await client.put("/api/v1/routing/rules", json={"text": "members: [\n"}, headers=admin)
    assert broken.status == 422
    assert await (await client.get("/api/v1/routing/rules/versions", headers=admin)).json() == []
    assert await _greeting(client) == GREETING


async def test_rollback_activates_an_earlier_version_and_keeps_pool_state(
    client, settings, make_user
) -> None:
    admin = await make_user("anna", "admin")
    for greeting in ("Erste, guten Tag", "Zweite, guten Tag"):
        response = await client.put(
            "/api/v1/routing/rules", json={"text": _rules(settings, greeting)}, headers=admin
        )
        assert response.status == 201
    state = {"agents_available": 0, "calls_waiting": 3, "longest_wait_s": 20.0}
    assert (await client.put("/api/v1/pools/emh-all/state", json=state, headers=admin)).status == 200
    assert await _greeting(client) == "Zweite, guten Tag"

    rollback = await client.post("/api/v1/routing/rules/versions/1/activate", headers=admin)
    assert rollback.status == 200
    assert await _greeting(client) == "Erste, guten Tag"
    versions = await (await client.get("/api/v1/routing/rules/versions", headers=admin)).json()
    assert [(v["version"], v["active"]) for v in versions] == [(2, False), (1, True)]
    pools = {p["id"]: p for p in await (await client.get("/api/v1/pools")).json()}
    assert pools["emh-all"]["state"]["calls_waiting"] == 3
    assert (await client.post("/api/v1/routing/rules/versions/9/activate", headers=admin)).status == 404


async def test_a_stored_but_inactive_version_changes_nothing_live(client, settings, make_user) -> None:
    admin = await make_user("anna", "admin")
    response = await client.put(
        "/api/v1/routing/rules",
        json={"text": _rules(settings, "Später, guten Tag"), "activate": False},
        headers=admin,
    )
    assert response.status == 201
    assert await _greeting(client) == GREETING
    one = await (await client.get("/api/v1/routing/rules/versions/1", headers=admin)).json()
    assert "Später, guten Tag" in one["text"] and one["active"] is False


async def test_a_version_activated_on_one_instance_goes_live_on_the_others(
    aiohttp_client, settings: Settings, make_user
) -> None:
    admin = await make_user("anna", "admin")
    first = await aiohttp_client(create_app(settings))
    second = await aiohttp_client(create_app(settings))
    response = await first.put(
        "/api/v1/routing/rules", json={"text": _rules(settings, "Überall neu")}, headers=admin
    )
    assert response.status == 201, await response.text()

    deadline = asyncio.get_running_loop().time() + 5
    while await _greeting(second) != "Überall neu":
        assert asyncio.get_running_loop().time() < deadline, "the other instance kept the old rules"
        await asyncio.sleep(0.05)


class HeldCompile:
    """Holds the compile of the rule file named `name` at a gate, as a slow compile would: `compiling` is set
    when it got there, `release` lets it go on. The real compile runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
        self.compiling, self.release = asyncio.Event(), asyncio.Event()
        compile_for_real = policy_service._compile

        async def held(session, text, compiled_name, area_codes):
            policy = await compile_for_real(session, text, compiled_name, area_codes)
            if compiled_name == name:
                self.compiling.set()
                await self.release.wait()
            return policy

        monkeypatch.setattr(policy_service, "_compile", held)

    async def activate_meanwhile(self, change: Awaitable[object], client, admin: dict) -> None:
        """Run `change` until its compile is held, have an admin activate version 1 meanwhile, then let
        `change` finish. Without one change at a time, the activation overtook the held one here; the wait
        for it is bounded, so with the fix (the activation waits its turn) the test goes on after 2 s."""
        changing = asyncio.ensure_future(change)
        await self.compiling.wait()
        activation = asyncio.create_task(
            client.post("/api/v1/routing/rules/versions/1/activate", headers=admin)
        )
        await asyncio.wait({activation}, timeout=2)
        self.release.set()
        await changing
        assert (await activation).status == 200


async def test_a_rollback_made_while_the_follower_compiles_stays_in_force(
    aiohttp_client, settings: Settings, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The follower compiles version 2, which another instance activated; an admin here rolls back to
    version 1 meanwhile. Version 1 stays in force, in memory as in the database."""
    admin = await make_user("anna", "admin")
    app = create_app(settings)
    client = await aiohttp_client(app)
    for greeting, activate in (("Eins, guten Tag", True), ("Zwei, guten Tag", False)):
        body = {"text": _rules(settings, greeting), "activate": activate}
        assert (await client.put("/api/v1/routing/rules", json=body, headers=admin)).status == 201
    async with app[SESSIONMAKER].begin() as session:
        await rule_versions.activate(session, version=2)  # as another instance does it
    held = HeldCompile(monkeypatch, "version 2")
    async with app[SESSIONMAKER]() as session:
        await held.activate_meanwhile(app[POLICY_SERVICE].follow(session), client, admin)
    assert app[POLICY_SERVICE].active_version == 1
    assert await _greeting(client) == "Eins, guten Tag"


async def test_a_version_activated_while_the_rules_file_reloads_stays_in_force(
    aiohttp_client, settings: Settings, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGHUP starts compiling the rules file; an admin activates a stored version meanwhile. The stored
    version stays in force: the file routes only while no stored version does."""
    admin = await make_user("anna", "admin")
    app = create_app(settings)
    client = await aiohttp_client(app)
    body = {"text": _rules(settings, "Gespeichert, guten Tag"), "activate": False}
    assert (await client.put("/api/v1/routing/rules", json=body, headers=admin)).status == 201
    held = HeldCompile(monkeypatch, str(settings.rules_file))
    await held.activate_meanwhile(app[POLICY_SERVICE].reload_file(), client, admin)
    assert app[POLICY_SERVICE].active_version == 1
    assert await _greeting(client) == "Gespeichert, guten Tag"


async def test_a_rules_file_reload_leaves_an_active_stored_version_in_force(
    aiohttp_client, settings: Settings, make_user
) -> None:
    """SIGHUP reloads the file only while no stored version routes: otherwise instances would differ."""
    admin = await make_user("anna", "admin")
    app = create_app(settings)
    client = await aiohttp_client(app)
    stored = await client.put(
        "/api/v1/routing/rules", json={"text": _rules(settings, "Gespeichert, guten Tag")}, headers=admin
    )
    assert stored.status == 201
    assert await app[POLICY_SERVICE].reload_file() is False
    assert await _greeting(client) == "Gespeichert, guten Tag"


async def test_an_alias_bomb_is_422_naming_the_problem_and_routing_goes_on(client, make_user) -> None:
    """Nine lines that expand to 9^9 nodes: refused before expanding, off the event loop, nothing stored."""
    admin = await make_user("anna", "admin")
    bomb = "\n".join(
        ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        + [f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
    )
    for text in (bomb, "a: &a [*a]", "- " * 5000, "[" * 10000):
        response = await client.put("/api/v1/routing/rules", json={"text": text}, headers=admin)
        assert response.status == 422, text[:20]
        [error] = (await response.json())["errors"]
        assert error["msg"].startswith("Nicht angenommen: ")
    assert await _greeting(client) == GREETING


async def test_a_department_whose_unit_does_not_exist_is_422_with_its_line(
    client, settings, make_user
) -> None:
    admin = await make_user("anna", "admin")
    text = settings.rules_file.read_text(encoding="utf-8")
    text = text.replace("unit: kv-vulkaneifel-zulassung", "unit: kv-vulkaneifel-gibt-es-nicht")
    response = await client.put("/api/v1/routing/rules", json={"text": text}, headers=admin)
    assert response.status == 422
    [error] = (await response.json())["errors"]
    assert (
        error["msg"]
        == "Ziel kfz-zulassung-07233: Stelle ‚kv-vulkaneifel-gibt-es-nicht‘ gibt es im Leistungsverzeichnis nicht"
    )
    assert "kv-vulkaneifel-gibt-es-nicht" in text.splitlines()[error["line"] - 1]
    assert await (await client.get("/api/v1/routing/rules/versions", headers=admin)).json() == []
