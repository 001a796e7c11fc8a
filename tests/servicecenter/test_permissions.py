"""Every write endpoint (and every ticket endpoint) × every role: 401 without credentials, 403 with the
wrong role or county, and nothing changed either way; success where the role (and county) allows it."""

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from config import CONFIG_DIR
from knowledge.calendar import BERLIN
from knowledge.storage.db import create_engine
from servicecenter.app import create_app
from servicecenter.keys import STATS_RECORDER
from servicecenter.settings import Settings

CALLERS = {
    "anonymous": None,
    "agent": ("agent", None),
    "supervisor": ("supervisor", None),
    "county_editor_here": ("county_editor", "07233"),
    "county_editor_elsewhere": ("county_editor", "07135"),
    "catalogue_editor": ("catalogue_editor", None),
    "admin": ("admin", None),
    "pbx": ("pbx", None),
}
COUNTY_EDITING = {"county_editor_here", "admin"}
TICKET_READERS = {"agent", "supervisor", "county_editor_here", "admin"}

Request = tuple[str, str, dict]
RULES = CONFIG_DIR / "routing" / "emh.yaml"


@dataclass
class Env:
    client: object
    admin: dict
    service: str
    """a county-level service (Wunschkennzeichen) with one responsibility in 07233"""
    unit: str
    """a unit in 07233"""
    places: list[str]
    """places in 07233 that have no responsibility for `service`"""


async def _tag(client, path: str) -> str:
    response = await client.get(path)
    assert response.status == 200, await response.text()
    return response.headers["ETag"]


async def _service_patch(env: Env, i: int) -> Request:
    path = f"/api/v1/services/{env.service}"
    return (
        "PATCH",
        path,
        {"json": {"notes": f"Hinweis {i}"}, "headers": {"If-Match": await _tag(env.client, path)}},
    )


async def _unit_patch(env: Env, i: int) -> Request:
    path = f"/api/v1/units/{env.unit}"
    return (
        "PATCH",
        path,
        {"json": {"extension": f"{100 + i}"}, "headers": {"If-Match": await _tag(env.client, path)}},
    )


async def _place_patch(env: Env, i: int) -> Request:
    path = f"/api/v1/places/{env.places[0]}"
    return (
        "PATCH",
        path,
        {"json": {"postal_codes": [f"5{i:04d}"]}, "headers": {"If-Match": await _tag(env.client, path)}},
    )


async def _responsibility_create(env: Env, i: int) -> Request:
    body = {"unit": env.unit, "county": "07233", "place": env.places[i]}
    return "POST", f"/api/v1/services/{env.service}/responsibilities", {"json": body}


async def _the_responsibility(env: Env) -> str:
    listing = await (await env.client.get(f"/api/v1/services/{env.service}/responsibilities")).json()
    return f"/api/v1/responsibilities/{next(r['id'] for r in listing if r['county'] == '07233')}"


async def _responsibility_patch(env: Env, i: int) -> Request:
    path = await _the_responsibility(env)
    return (
        "PATCH",
        path,
        {"json": {"notes": f"Hinweis {i}"}, "headers": {"If-Match": await _tag(env.client, path)}},
    )


async def _responsibility_delete(env: Env, i: int) -> Request:
    body = {"unit": env.unit, "county": "07233", "place": env.places[-1 - i]}
    created = await env.client.post(
        f"/api/v1/services/{env.service}/responsibilities", json=body, headers=env.admin
    )
    assert created.status == 201
    return "DELETE", created.headers["Location"], {"headers": {"If-Match": created.headers["ETag"]}}


def _restore(
    collection: str, field: str, entry: Callable[[Env], str]
) -> Callable[[Env, int], Awaitable[Request]]:
    async def prepare(env: Env, i: int) -> Request:
        path = f"/api/v1/{collection}/{entry(env)}"
        tag = await _tag(env.client, path)
        changed = await env.client.patch(path, json={field: f"9{i}"}, headers={**env.admin, "If-Match": tag})
        assert changed.status == 200
        version = int(tag.strip('"'))
        return "POST", f"{path}/history/{version}/restore", {"headers": {"If-Match": changed.headers["ETag"]}}

    return prepare


async def _person_create(env: Env, i: int) -> Request:
    body = {"name": f"Person {i}", "unit_id": env.unit}
    return "POST", "/api/v1/people", {"json": body}


async def _person_patch(env: Env, i: int) -> Request:
    path = "/api/v1/people/dau-scholz"
    return (
        "PATCH",
        path,
        {"json": {"extension": f"5{i:02d}"}, "headers": {"If-Match": await _tag(env.client, path)}},
    )


async def _person_delete(env: Env, i: int) -> Request:
    body = {"name": f"Person {i}", "unit_id": env.unit}
    created = await env.client.post("/api/v1/people", json=body, headers=env.admin)
    assert created.status == 201, await created.text()
    return "DELETE", created.headers["Location"], {"headers": {"If-Match": created.headers["ETag"]}}


async def _pool_state(env: Env, i: int) -> Request:
    return (
        "PUT",
        "/api/v1/pools/emh-all/state",
        {"json": {"agents_available": i, "calls_waiting": 0, "longest_wait_s": 0}},
    )


async def _rules_put(env: Env, i: int) -> Request:
    return "PUT", "/api/v1/routing/rules", {"json": {"text": RULES.read_text(encoding="utf-8")}}


async def _rules_activate(env: Env, i: int) -> Request:
    stored = await env.client.put(
        "/api/v1/routing/rules",
        headers=env.admin,
        json={"text": RULES.read_text(encoding="utf-8"), "activate": False},
    )
    assert stored.status == 201
    return "POST", f"/api/v1/routing/rules/versions/{(await stored.json())['version']}/activate", {}


async def _acd_events(env: Env, i: int) -> Request:
    line = f"1772521260|call.{i}|emh-all|NONE|ENTERQUEUE|https://x/?called=115|0659212345|1\n"
    return "POST", "/api/v1/acd/events", {"data": line.encode(), "headers": {"Content-Type": "text/plain"}}


async def _outcome(env: Env, i: int) -> Request:
    decision = await (await env.client.post("/api/v1/route", json={"called": "115"})).json()
    return "POST", f"/api/v1/decisions/{decision['decision_id']}/outcome", {"json": {"outcome": "solved"}}


async def _synonyms_put(env: Env, i: int) -> Request:
    current = await env.client.get("/api/v1/synonyms", headers=env.admin)
    entries = {**(await current.json())["entries"], f"wort{i}": ["hundesteuer"]}
    return (
        "PUT",
        "/api/v1/synonyms",
        {"json": {"entries": entries}, "headers": {"If-Match": current.headers["ETag"]}},
    )


async def _import(env: Env, i: int) -> Request:
    counties = (await (await env.client.get("/api/v1/export")).json())["counties"]
    counties[0]["website"] = f"https://example.org/{i}"
    return "POST", "/api/v1/import", {"json": {"counties": counties}}


async def _user_create(env: Env, i: int) -> Request:
    return (
        "POST",
        "/api/v1/users",
        {"json": {"name": f"neu{i}", "role": "agent", "password": "ein langes Passwort"}},
    )


async def _user_patch(env: Env, i: int) -> Request:
    return "PATCH", "/api/v1/users/agent", {"json": {"role": "supervisor" if i % 2 else "agent"}}


async def _user_password(env: Env, i: int) -> Request:
    return "PUT", "/api/v1/users/agent/password", {"json": {"password": f"Passwort Nummer {i}"}}


async def _token_create(env: Env, i: int) -> Request:
    return "POST", "/api/v1/users/agent/tokens", {}


async def _token_revoke(env: Env, i: int) -> Request:
    created = await env.client.post("/api/v1/users/agent/tokens", headers=env.admin)
    assert created.status == 201
    return "DELETE", f"/api/v1/users/agent/tokens/{(await created.json())['id']}", {}


def _ticket_body(env: Env, kind: str, i: int) -> dict:
    return {"kind": kind, "county": "07233", "unit_id": env.unit, "summary": f"Frage {i}"}


async def _a_ticket(env: Env, i: int) -> str:
    created = await env.client.post(
        "/api/v1/tickets", json=_ticket_body(env, "forward", i), headers=env.admin
    )
    assert created.status == 201
    return created.headers["Location"]


def _ticket_create(kind: str) -> Callable[[Env, int], Awaitable[Request]]:
    async def prepare(env: Env, i: int) -> Request:
        return "POST", "/api/v1/tickets", {"json": _ticket_body(env, kind, i)}

    return prepare


async def _ticket_patch(env: Env, i: int) -> Request:
    return (
        "PATCH",
        await _a_ticket(env, i),
        {"json": {"note": f"Vermerk {i}"}, "headers": {"If-Match": '"1"'}},
    )


async def _ticket_forward(env: Env, i: int) -> Request:
    return "POST", f"{await _a_ticket(env, i)}/forward", {}


def _ticket_read(suffix: str) -> Callable[[Env, int], Awaitable[Request]]:
    async def prepare(env: Env, i: int) -> Request:
        return "GET", f"{await _a_ticket(env, i)}{suffix}", {}

    return prepare


async def _ticket_list(env: Env, i: int) -> Request:
    return "GET", "/api/v1/tickets?county=07233", {}


def _in(**delta: float) -> str:
    return (dt.datetime.now(BERLIN) + dt.timedelta(**delta)).isoformat()


def _tonight() -> str:
    tomorrow = dt.datetime.now(BERLIN).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(0), BERLIN).isoformat()


def _closure_create(
    scope: Callable[[Env], dict], until: Callable[[], str]
) -> Callable[[Env, int], Awaitable[Request]]:
    async def prepare(env: Env, i: int) -> Request:
        return (
            "POST",
            "/api/v1/closures",
            {"json": {"scope": scope(env), "until": until(), "reason": f"Grund {i}"}},
        )

    return prepare


def _closure_delete(
    scope: Callable[[Env], dict], until: Callable[[], str]
) -> Callable[[Env, int], Awaitable[Request]]:
    async def prepare(env: Env, i: int) -> Request:
        body = {"scope": scope(env), "until": until(), "reason": f"Grund {i}"}
        created = await env.client.post("/api/v1/closures", json=body, headers=env.admin)
        assert created.status == 201, await created.text()
        return "DELETE", f"/api/v1/closures/{(await created.json())['id']}", {}

    return prepare


def _notice_create(scope: Callable[[Env], dict]) -> Callable[[Env, int], Awaitable[Request]]:
    async def prepare(env: Env, i: int) -> Request:
        return (
            "POST",
            "/api/v1/notices",
            {"json": {"text": f"Meldung {i}", "scope": scope(env), "valid_until": _in(days=1)}},
        )

    return prepare


def _notice_delete(scope: Callable[[Env], dict]) -> Callable[[Env, int], Awaitable[Request]]:
    async def prepare(env: Env, i: int) -> Request:
        body = {"text": f"Meldung {i}", "scope": scope(env), "valid_until": _in(days=1)}
        created = await env.client.post("/api/v1/notices", json=body, headers=env.admin)
        assert created.status == 201, await created.text()
        return "DELETE", f"/api/v1/notices/{(await created.json())['id']}", {}

    return prepare


def _unit_scope(env: Env) -> dict:
    return {"unit": env.unit}


def _county_scope(env: Env) -> dict:
    return {"county": "07233"}


def _line_scope(env: Env) -> dict:
    return {"line": "115"}


def _all_scope(env: Env) -> dict:
    return {"all": True}


def _service_scope(env: Env) -> dict:
    return {"service": env.service}


def _days() -> str:
    return _in(days=3)


CASES = {
    "PATCH service": (_service_patch, {"catalogue_editor", "admin"}),
    "PATCH unit": (_unit_patch, COUNTY_EDITING),
    "PATCH place": (_place_patch, {"admin"}),
    "POST responsibility": (_responsibility_create, COUNTY_EDITING),
    "PATCH responsibility": (_responsibility_patch, COUNTY_EDITING),
    "DELETE responsibility": (_responsibility_delete, COUNTY_EDITING),
    "restore service": (
        _restore("services", "notes", lambda env: env.service),
        {"catalogue_editor", "admin"},
    ),
    "restore unit": (_restore("units", "extension", lambda env: env.unit), COUNTY_EDITING),
    "POST person": (_person_create, COUNTY_EDITING),
    "PATCH person": (_person_patch, COUNTY_EDITING),
    "DELETE person": (_person_delete, COUNTY_EDITING),
    "restore person": (_restore("people", "extension", lambda env: "dau-klein"), COUNTY_EDITING),
    "PUT pool state": (_pool_state, {"pbx", "admin"}),
    "PUT routing rules": (_rules_put, {"admin"}),
    "activate routing rules": (_rules_activate, {"admin"}),
    "POST import": (_import, {"admin"}),
    "POST ticket (callback)": (_ticket_create("callback"), {"agent", "supervisor", "admin", "pbx"}),
    "POST ticket (forward)": (_ticket_create("forward"), {"agent", "supervisor", "admin"}),
    "POST ticket (message)": (_ticket_create("message"), {"agent", "supervisor", "admin"}),
    "PATCH ticket": (_ticket_patch, {"agent", "supervisor", "admin"}),
    "POST ticket forward": (_ticket_forward, {"agent", "supervisor", "admin"}),
    "GET tickets": (_ticket_list, TICKET_READERS),
    "GET ticket": (_ticket_read(""), TICKET_READERS),
    "GET ticket history": (_ticket_read("/history"), TICKET_READERS),
    "POST ACD events": (_acd_events, {"pbx", "admin"}),
    "POST call outcome": (_outcome, {"agent", "supervisor", "admin"}),
    "PUT synonyms": (_synonyms_put, {"catalogue_editor", "admin"}),
    "POST closure (unit)": (_closure_create(_unit_scope, _days), COUNTY_EDITING),
    "POST closure (county)": (_closure_create(_county_scope, _days), COUNTY_EDITING),
    "POST closure (line, days)": (_closure_create(_line_scope, _days), {"admin"}),
    "POST closure (line, today)": (_closure_create(_line_scope, _tonight), {"supervisor", "admin"}),
    "DELETE closure (unit)": (_closure_delete(_unit_scope, _days), COUNTY_EDITING),
    "DELETE closure (line, days)": (_closure_delete(_line_scope, _days), {"admin"}),
    "DELETE closure (line, today)": (_closure_delete(_line_scope, _tonight), {"supervisor", "admin"}),
    "POST notice (unit)": (_notice_create(_unit_scope), COUNTY_EDITING),
    "POST notice (county)": (_notice_create(_county_scope), COUNTY_EDITING),
    "POST notice (service)": (_notice_create(_service_scope), {"admin"}),
    "POST notice (all)": (_notice_create(_all_scope), {"admin"}),
    "DELETE notice (county)": (_notice_delete(_county_scope), COUNTY_EDITING),
    "DELETE notice (all)": (_notice_delete(_all_scope), {"admin"}),
    "POST user": (_user_create, {"admin"}),
    "PATCH user": (_user_patch, {"admin"}),
    "PUT user password": (_user_password, {"admin"}),
    "POST user token": (_token_create, {"admin"}),
    "DELETE user token": (_token_revoke, {"admin"}),
}


async def _database_state(settings: Settings, client) -> tuple:
    """Everything a write could change: the whole catalogue document, the audit trail, the revision, the
    rules, the synonym list, closures and notices, and the statistics (counted in memory, so flushed
    first)."""
    await client.app[STATS_RECORDER].flush()
    engine = create_engine(settings.database)
    try:
        async with engine.connect() as connection:
            changes = (await connection.execute(text("SELECT count(*) FROM change_log"))).scalar_one()
            revision = (await connection.execute(text("SELECT revision FROM catalogue_state"))).scalar_one()
            rules = (await connection.execute(text("SELECT version, active FROM rule_version"))).all()
            tickets = (await connection.execute(text("SELECT id, version FROM ticket ORDER BY id"))).all()
            mails = (await connection.execute(text("SELECT count(*) FROM mail_outbox"))).scalar_one()
            synonyms = (
                await connection.execute(text("SELECT max(version) FROM synonym_version"))
            ).scalar_one()
            counted = [
                (await connection.execute(text(f"SELECT count(*), sum(n) FROM {table}"))).one()
                for table in ("stat_outcomes", "stat_decisions")
            ]
            calls = (await connection.execute(text("SELECT count(*) FROM acd_seen_event"))).scalar_one()
            closures = (await connection.execute(text("SELECT id FROM closure ORDER BY id"))).all()
            notices = (await connection.execute(text("SELECT id FROM notice ORDER BY id"))).all()
            users = (
                await connection.execute(
                    text("SELECT name, role, county, disabled_at, password_hash FROM app_user ORDER BY name")
                )
            ).all()
            tokens = (await connection.execute(text("SELECT token_hash FROM api_token ORDER BY 1"))).all()
    finally:
        await engine.dispose()
    document = await (await client.get("/api/v1/export")).json()
    pools = await (await client.get("/api/v1/pools")).json()
    return (
        document,
        changes,
        revision,
        pools,
        rules,
        tickets,
        mails,
        synonyms,
        counted,
        calls,
        closures,
        notices,
        users,
        tokens,
    )


@pytest.fixture
async def client(aiohttp_client, settings: Settings):
    """The real app without its ticket worker, which would change tickets (mail sent → forwarded) while the
    test compares the database before and after a refused request."""
    return await aiohttp_client(create_app(settings.model_copy(update={"ticket_worker": False})))


@pytest.mark.parametrize("case", list(CASES))
async def test_every_write_endpoint_for_every_role(client, make_user, settings: Settings, case: str) -> None:
    prepare, allowed = CASES[case]
    headers = {name: await make_user(name, *spec) if spec else {} for name, spec in CALLERS.items()}
    document = await (await client.get("/api/v1/export")).json()
    service = next(s for s in document["services"] if s["title"].startswith("Wunschkennzeichen"))
    covered = {r["place"] for r in service["responsibilities"] if r["county"] == "07233"}
    env = Env(
        client=client,
        admin=headers["admin"],
        service=service["id"],
        unit=next(u["id"] for u in document["units"] if u["county"] == "07233"),
        places=[p["id"] for p in document["places"] if p["county"] == "07233" and p["id"] not in covered],
    )
    outcomes = {}
    for i, (caller, credentials) in enumerate(headers.items()):
        method, path, kwargs = await prepare(env, i)
        kwargs["headers"] = {**kwargs.get("headers", {}), **credentials}
        before = await _database_state(settings, client) if caller not in allowed else None
        response = await client.request(method, path, **kwargs)
        outcomes[caller] = response.status
        if caller not in allowed:
            assert response.content_type == "application/problem+json"
            assert await _database_state(settings, client) == before, f"{caller} changed something"
    expected = {caller: 401 if caller == "anonymous" else 403 for caller in CALLERS if caller not in allowed}
    assert {c: s for c, s in outcomes.items() if c not in allowed} == expected
    assert all(200 <= outcomes[c] < 300 for c in allowed), outcomes
