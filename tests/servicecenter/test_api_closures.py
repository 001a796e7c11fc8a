"""Closures and notices over HTTP against the real app and database: who may store what, German 422s that
change nothing, and a stored closure or notice changing units, search, routing and ticket deadlines at
once — on this instance and, through the catalogue follower, on a second one sharing the database."""

import datetime as dt

from sqlalchemy import text

from knowledge.calendar import BERLIN
from knowledge.storage.db import create_engine
from servicecenter.app import create_app
from servicecenter.keys import CALL_ROUTER, CATALOGUE_FOLLOWER
from servicecenter.settings import Settings
from servicecenter.ticket_clock import service_clock

DAUN = "vg-daun-buergerbuero"
PERSO = "personalausweis-beantragen"


def berlin_now() -> dt.datetime:
    return dt.datetime.now(BERLIN).replace(microsecond=0)


def later(**delta: float) -> str:
    return (berlin_now() + dt.timedelta(**delta)).isoformat()


def end_of_today() -> str:
    tomorrow = berlin_now().date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(0), BERLIN).isoformat()


def closure(scope: dict, **extra) -> dict:
    return {"scope": scope, "until": later(days=10), "reason": "Personalversammlung"} | extra


async def _rows(settings: Settings, sql: str) -> list[tuple]:
    engine = create_engine(settings.database)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(text(sql))]
    finally:
        await engine.dispose()


async def _unit(client, unit_id: str = DAUN) -> dict:
    response = await client.get(f"/api/v1/units/{unit_id}")
    assert response.status == 200
    return await response.json()


async def test_who_may_close_what(client, make_user) -> None:
    users = {
        "anonymous": {},
        "agent": await make_user("anna", "agent"),
        "supervisor": await make_user("lena", "supervisor"),
        "here": await make_user("dora", "county_editor", county="07233"),
        "elsewhere": await make_user("erik", "county_editor", county="07135"),
        "catalogue": await make_user("kai", "catalogue_editor"),
        "admin": await make_user("root", "admin"),
    }
    requests = {
        "county 07233": closure({"county": "07233"}),
        "unit in 07233": closure({"unit": DAUN}),
        "line for days": closure({"line": "115"}),
        "line for today": {
            "scope": {"line": "115"},
            "until": end_of_today(),
            "reason": "Betriebsversammlung",
        },
        "switchboards tomorrow": {
            "scope": {"line": "switchboard"},
            "from": (berlin_now() + dt.timedelta(days=1)).replace(hour=8, minute=0, second=0).isoformat(),
            "until": (berlin_now() + dt.timedelta(days=1)).replace(hour=9, minute=0, second=0).isoformat(),
            "reason": "Wartung",
        },
    }
    allowed = {
        "county 07233": {"here", "admin"},
        "unit in 07233": {"here", "admin"},
        "line for days": {"admin"},
        "line for today": {"supervisor", "admin"},
        "switchboards tomorrow": {"admin"},
    }
    for what, body in requests.items():
        for who, headers in users.items():
            response = await client.post("/api/v1/closures", json=body, headers=headers)
            expected = 201 if who in allowed[what] else 401 if who == "anonymous" else 403
            assert response.status == expected, (what, who, await response.text())
            if response.status == 201:
                created = await response.json()
                delete = await client.delete(f"/api/v1/closures/{created['id']}", headers=headers)
                assert delete.status == 204, (what, who)
    assert await (await client.get("/api/v1/closures")).json() == []


async def test_a_county_editor_removes_only_their_countys_closures(client, make_user) -> None:
    admin = await make_user("root", "admin")
    elsewhere = await make_user("erik", "county_editor", county="07135")
    supervisor = await make_user("lena", "supervisor")
    created = await (
        await client.post("/api/v1/closures", json=closure({"unit": DAUN}), headers=admin)
    ).json()
    line = await (await client.post("/api/v1/closures", json=closure({"line": "115"}), headers=admin)).json()
    assert (await client.delete(f"/api/v1/closures/{created['id']}", headers=elsewhere)).status == 403
    assert (await client.delete(f"/api/v1/closures/{line['id']}", headers=supervisor)).status == 403, (
        "a supervisor reopens only what closes today"
    )
    assert len(await (await client.get("/api/v1/closures")).json()) == 2
    assert (await client.delete("/api/v1/closures/999999", headers=admin)).status == 404
    assert (await client.delete("/api/v1/closures/nicht-da", headers=admin)).status == 404


async def test_bad_input_is_a_german_422_and_stores_nothing(client, make_user, settings: Settings) -> None:
    admin = await make_user("root", "admin")
    now = berlin_now()
    cases = {
        "until before from": (
            closure({"county": "07233"}, **{"from": later(hours=3), "until": later(hours=2)}),
            ["body", "until"],
            "Das Ende muss nach dem Beginn liegen",
        ),
        "in the past": (
            closure({"county": "07233"}, **{"from": later(hours=-3), "until": later(hours=-2)}),
            ["body", "until"],
            "Das Ende liegt in der Vergangenheit",
        ),
        "unknown unit": (
            closure({"unit": "gibt-es-nicht"}),
            ["body", "scope", "unit"],
            "Stelle 'gibt-es-nicht'",
        ),
        "unknown county": (closure({"county": "07999"}), ["body", "scope", "county"], "Kreis '07999'"),
        "two scopes": (closure({"county": "07233", "unit": DAUN}), ["body", "scope"], "Genau eine Angabe"),
        "reason too long": (
            closure({"county": "07233"}, reason="x" * 201),
            ["body", "reason"],
            "Höchstens 200",
        ),
        "no reason": (closure({"county": "07233"}, reason="  "), ["body", "reason"], "Bitte ausfüllen"),
        "longer than a year": (
            closure({"county": "07233"}, until=(now + dt.timedelta(days=400)).isoformat()),
            ["body", "until"],
            "Höchstens ein Jahr",
        ),
    }
    for what, (body, loc, message) in cases.items():
        response = await client.post("/api/v1/closures", json=body, headers=admin)
        assert response.status == 422, what
        assert response.content_type == "application/problem+json"
        problem = await response.json()
        assert any(e["loc"] == loc and message in e["msg"] for e in problem["errors"]), (what, problem)
    notices = {
        "text too long": (
            {"text": "x" * 501, "scope": {"all": True}, "valid_until": later(days=1)},
            "Höchstens 500",
        ),
        "unknown service": (
            {"text": "Störung", "scope": {"service": "gibt-es-nicht"}, "valid_until": later(days=1)},
            "Leistung 'gibt-es-nicht'",
        ),
        "severity": (
            {"text": "Störung", "severity": "kritisch", "scope": {"all": True}, "valid_until": later(days=1)},
            "Erlaubt",
        ),
    }
    for what, (body, message) in notices.items():
        response = await client.post("/api/v1/notices", json=body, headers=admin)
        assert response.status == 422, what
        assert any(message in e["msg"] for e in (await response.json())["errors"]), what
    assert await _rows(settings, "SELECT count(*) FROM closure") == [(0,)]
    assert await _rows(settings, "SELECT count(*) FROM notice") == [(0,)]


async def test_a_unit_closure_changes_the_unit_and_search_at_once(client, make_user, settings) -> None:
    editor = await make_user("dora", "county_editor", county="07233")
    before = await _unit(client)
    assert before["closure"] is None
    midnight = dt.datetime.combine(berlin_now().date(), dt.time(0), BERLIN).isoformat()
    body = closure({"unit": DAUN}, **{"from": midnight}, announcement="Bitte ab Montag wieder anrufen.")
    created = await client.post("/api/v1/closures", json=body, headers=editor)
    assert created.status == 201, await created.text()
    stored = await created.json()
    assert stored["in_force"] is True and stored["scope"] == {"unit": DAUN}
    until = dt.datetime.fromisoformat(stored["until"])

    unit = await _unit(client)
    assert unit["open_now"] is False
    assert unit["closure"]["reason"] == "Personalversammlung"
    assert unit["closure"]["badge"].startswith("geschlossen bis ")
    assert unit["closure"]["announcement"] == "Bitte ab Montag wieder anrufen."
    assert dt.datetime.fromisoformat(unit["opens_next"]) >= until, "not before the closure ends"
    assert before["open_now"] is True or dt.datetime.fromisoformat(before["opens_next"]) < until
    assert unit["hours_today"].startswith("heute geschlossen"), "the closure covers all of today"

    search = await (await client.get("/api/v1/search", params={"q": "Personalausweis Daun"})).json()
    daun = next(r for hit in search["hits"] for r in hit["responsible"] if r["unit_id"] == DAUN)
    assert (daun["open_now"], daun["closure"]["id"]) == (False, stored["id"])
    service = await (await client.get(f"/api/v1/services/{PERSO}")).json()
    assert next(r for r in service["responsible"] if r["unit_id"] == DAUN)["closure"]["id"] == stored["id"]

    assert await _rows(
        settings, "SELECT entity, entry_id, action, actor FROM change_log WHERE entity = 'closure'"
    ) == [("closure", str(stored["id"]), "create", "dora")]
    assert (await client.delete(f"/api/v1/closures/{stored['id']}", headers=editor)).status == 204
    assert (await _unit(client))["closure"] is None
    deleted = await _rows(
        settings, "SELECT action, before FROM change_log WHERE entity = 'closure' ORDER BY id"
    )
    assert [action for action, _ in deleted] == ["create", "delete"]
    assert "Personalversammlung" in str(deleted[1][1]), "what was deleted stays in the audit trail"


async def test_a_line_closure_routes_after_hours_from_the_moment_it_is_stored(client, make_user) -> None:
    supervisor = await make_user("lena", "supervisor")
    body = {
        "scope": {"line": "115"},
        "until": end_of_today(),
        "reason": "Betriebsversammlung",
        "announcement": "Das Servicecenter ist heute geschlossen.",
    }
    created = await client.post("/api/v1/closures", json=body, headers=supervisor)
    assert created.status == 201, await created.text()
    stored = await created.json()
    assert stored["badge"] == "heute geschlossen"

    decision = await (
        await client.get("/api/v1/route", params={"called": "115", "caller": "02671 123456"})
    ).json()
    assert (decision["open"], decision["target"]["id"]) == (False, "closed-115")
    assert "Behördennummer 115 geschlossen: Betriebsversammlung bis 24:00." in decision["trace"]
    assert decision["closure"]["announcement"] == "Das Servicecenter ist heute geschlossen."

    assert (await client.delete(f"/api/v1/closures/{stored['id']}", headers=supervisor)).status == 204
    reopened = await (
        await client.get("/api/v1/route", params={"called": "115", "caller": "02671 123456"})
    ).json()
    assert reopened["closure"] is None
    assert not any("Betriebsversammlung" in line for line in reopened["trace"])


async def test_a_ticket_created_in_a_line_closure_counts_from_its_end(client, make_user) -> None:
    admin = await make_user("root", "admin")
    plain = service_clock(client.app[CALL_ROUTER].policy)
    stored = await (
        await client.post("/api/v1/closures", json=closure({"line": "115"}), headers=admin)
    ).json()
    until = dt.datetime.fromisoformat(stored["until"])
    ticket = await client.post(
        "/api/v1/tickets", json={"kind": "callback", "county": "07135", "summary": "Rückruf"}, headers=admin
    )
    assert ticket.status == 201, await ticket.text()
    due_at = dt.datetime.fromisoformat((await ticket.json())["due_at"])
    warn_at, due = plain.due(until)
    assert due_at == due, "the 24 service hours start when the line opens again"
    assert due_at - until >= dt.timedelta(hours=24)


async def test_notices_are_carried_where_they_apply_and_only_while_in_force(client, make_user) -> None:
    admin = await make_user("root", "admin")
    editor = await make_user("dora", "county_editor", county="07233")
    posted = {}
    for name, headers, body in (
        (
            "county",
            editor,
            {
                "text": "Hochwasser: Kreisverwaltung nur telefonisch",
                "severity": "warning",
                "scope": {"county": "07233"},
            },
        ),
        ("unit", editor, {"text": "Terminbuchung online gestört", "scope": {"unit": DAUN}}),
        ("service", admin, {"text": "Neue Gebühren ab 1. Januar", "scope": {"service": PERSO}}),
        ("all", admin, {"text": "Schulung am Nachmittag", "scope": {"all": True}}),
        ("future", admin, {"text": "Morgen Wartung", "scope": {"all": True}, "valid_from": later(days=1)}),
    ):
        response = await client.post(
            "/api/v1/notices", json=body | {"valid_until": later(days=2)}, headers=headers
        )
        assert response.status == 201, (name, await response.text())
        posted[name] = await response.json()
    assert posted["future"]["in_force"] is False

    unit = await _unit(client)
    assert [n["text"] for n in unit["notices"]] == [
        "Hochwasser: Kreisverwaltung nur telefonisch",
        "Terminbuchung online gestört",
    ], "warnings first; the unit's and its county's, not everyone's"
    assert (await _unit(client, "kv-cochem-zell-zulassung"))["notices"] == []
    search = await (await client.get("/api/v1/search", params={"q": "Personalausweis Daun"})).json()
    hit = next(h for h in search["hits"] if h["id"] == PERSO)
    assert {n["text"] for n in hit["notices"]} == {"Neue Gebühren ab 1. Januar", "Schulung am Nachmittag"}
    assert {n["text"] for r in hit["responsible"] for n in r["notices"]} >= {"Terminbuchung online gestört"}

    in_force = await (await client.get("/api/v1/notices", params={"in_force": "true"})).json()
    assert {n["id"] for n in in_force} == {posted[k]["id"] for k in ("county", "unit", "service", "all")}
    mine = await (await client.get("/api/v1/notices", params={"county": "07233"})).json()
    assert {n["id"] for n in mine} == {posted["county"]["id"], posted["unit"]["id"]}
    assert (await client.delete(f"/api/v1/notices/{posted['all']['id']}", headers=editor)).status == 403
    assert (await client.delete(f"/api/v1/notices/{posted['unit']['id']}", headers=editor)).status == 204
    assert [n["text"] for n in (await _unit(client))["notices"]] == [
        "Hochwasser: Kreisverwaltung nur telefonisch"
    ]


async def test_a_second_instance_follows_closures_and_notices(aiohttp_client, settings, make_user) -> None:
    admin = await make_user("root", "admin")
    first = await aiohttp_client(create_app(settings))
    second = await aiohttp_client(create_app(settings))
    stored = await (
        await first.post("/api/v1/closures", json=closure({"county": "07135"}), headers=admin)
    ).json()
    notice = await first.post(
        "/api/v1/notices",
        json={"text": "Hochwasser an der Mosel", "scope": {"county": "07135"}, "valid_until": later(days=1)},
        headers=admin,
    )
    assert notice.status == 201
    await second.app[CATALOGUE_FOLLOWER].step()  # one round of the loop every instance runs

    decision = await (await second.get("/api/v1/route", params={"called": "+49 2671 61-0"})).json()
    assert decision["closure"]["reason"] == "Personalversammlung"
    assert decision["target"]["id"] == "closed-switchboard"
    assert [c["id"] for c in await (await second.get("/api/v1/closures")).json()] == [stored["id"]]
    unit = await (await second.get("/api/v1/units/kv-cochem-zell-zulassung")).json()
    assert unit["closure"]["id"] == stored["id"]
    assert [n["text"] for n in unit["notices"]] == ["Hochwasser an der Mosel"]

    assert (await first.delete(f"/api/v1/closures/{stored['id']}", headers=admin)).status == 204
    await second.app[CATALOGUE_FOLLOWER].step()
    assert (await (await second.get("/api/v1/route", params={"called": "+49 2671 61-0"})).json())[
        "closure"
    ] is None
