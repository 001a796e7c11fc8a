"""Tickets over HTTP against the real app and database: creation rules, idempotency (also racing), the
worklist, If-Match, state rules, who sees contact data, history without contact data."""

import asyncio
import datetime as dt
import socket
import time

import aiohttp
from sqlalchemy import text

from knowledge.storage.db import create_engine
from servicecenter.app import create_app
from servicecenter.settings import Settings

CONTACT = {"name": "Erika Mustermann", "phone": "+49 2676 123456", "email": None, "channel": "phone"}


def callback(**extra) -> dict:
    return {
        "kind": "callback",
        "county": "07135",
        "summary": "Fragt nach Wartezeit für den Personalausweis",
    } | extra


async def _count(settings: Settings, table: str) -> int:
    engine = create_engine(settings.database)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
    finally:
        await engine.dispose()


async def _a_unit(client, county: str) -> dict:
    units = await (await client.get("/api/v1/units", params={"q": "Bürgerbüro", "county": county})).json()
    return next(u for u in units if u["county"] == county and u["email"])


async def test_a_callback_is_due_in_24_service_hours_and_shows_contact_to_agents_only(
    client, make_user
) -> None:
    agent = await make_user("anna", "agent")
    editor = await make_user("erik", "county_editor", "07135")
    created = await client.post(
        "/api/v1/tickets", json=callback(contact=CONTACT, consent=True), headers=agent
    )
    assert created.status == 201, await created.text()
    body = await created.json()
    assert (
        body["state"] == "open" and body["county"] == "07135" and body["contact"]["phone"] == CONTACT["phone"]
    )
    assert created.headers["ETag"] == '"1"' and created.headers["Location"] == f"/api/v1/tickets/{body['id']}"
    created_at, due_at = (
        dt.datetime.fromisoformat(body["created_at"]),
        dt.datetime.fromisoformat(body["due_at"]),
    )
    assert due_at - created_at >= dt.timedelta(hours=24)  # service hours are fewer than wall-clock hours
    assert due_at.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2)), "given in Berlin time"
    assert not body["overdue"] and not body["warning"]

    seen_by_editor = await (await client.get(f"/api/v1/tickets/{body['id']}", headers=editor)).json()
    assert "contact" not in seen_by_editor and seen_by_editor["summary"] == body["summary"]
    listed = await (await client.get("/api/v1/tickets", headers=editor)).json()
    assert [t["id"] for t in listed] == [body["id"]] and "contact" not in listed[0]


async def test_contact_needs_consent_and_forward_needs_a_unit(client, make_user, settings) -> None:
    agent = await make_user("anna", "agent")
    cases = [
        (callback(contact=CONTACT), ["body", "consent"]),
        (callback(kind="forward"), ["body", "unit_id"]),
        (callback(unit_id="keine-solche-stelle", kind="message"), ["body", "unit_id"]),
        (callback(county="99999"), ["body", "county"]),
        (callback(contact={"phone": "Mittwochs"}, consent=True), ["body", "contact", "phone"]),
        (
            callback(contact={"email": "a@b.de", "channel": "phone"}, consent=True),
            ["body", "contact", "channel"],
        ),
        (callback(summary="  "), ["body", "summary"]),
    ]
    for body, loc in cases:
        response = await client.post("/api/v1/tickets", json=body, headers=agent)
        assert response.status == 422, (body, await response.text())
        assert response.content_type == "application/problem+json"
        assert loc in [e["loc"] for e in (await response.json())["errors"]], body
    assert await _count(settings, "ticket") == 0


async def test_the_same_idempotency_key_returns_the_same_ticket(client, make_user, settings) -> None:
    agent = await make_user("anna", "agent")
    key = {"Idempotency-Key": "call-4711-confirmed"}
    first = await client.post("/api/v1/tickets", json=callback(), headers={**agent, **key})
    again = await client.post("/api/v1/tickets", json=callback(), headers={**agent, **key})
    assert (first.status, again.status) == (201, 200)
    assert (await first.json())["id"] == (await again.json())["id"]
    other_body = await client.post(
        "/api/v1/tickets", json=callback(summary="etwas anderes"), headers={**agent, **key}
    )
    assert other_body.status == 422
    bad_key = await client.post(
        "/api/v1/tickets", json=callback(), headers={**agent, "Idempotency-Key": "ä" * 3}
    )
    assert bad_key.status == 422
    assert await _count(settings, "ticket") == 1


async def test_racing_requests_with_one_key_make_one_ticket(
    aiohttp_client, settings: Settings, make_user
) -> None:
    """Two instances on one database, a PBX retrying at once: one 201, one 200, one ticket."""
    pbx = await make_user("asterisk", "pbx")
    quiet = settings.model_copy(update={"ticket_worker": False})
    first, second = await aiohttp_client(create_app(quiet)), await aiohttp_client(create_app(quiet))
    headers = {**pbx, "Idempotency-Key": "1732623311.42"}
    body = callback(contact={"phone": "+49 2671 5551"}, consent=True)
    responses = await asyncio.gather(
        first.post("/api/v1/tickets", json=body, headers=headers),
        second.post("/api/v1/tickets", json=body, headers=headers),
    )
    assert sorted(r.status for r in responses) == [200, 201], [r.status for r in responses]
    assert len({(await r.json())["id"] for r in responses}) == 1
    assert await _count(settings, "ticket") == 1
    assert await _count(settings, "change_log") == 1


async def test_the_worklist_is_due_first_with_filters_and_flags(client, make_user, settings) -> None:
    agent = await make_user("anna", "agent")
    unit = await _a_unit(client, "07233")
    ids = []
    for body in (
        callback(),
        callback(county="07233", kind="forward", unit_id=unit["id"]),
        callback(county="07233"),
    ):
        response = await client.post("/api/v1/tickets", json=body, headers=agent)
        assert response.status == 201
        ids.append((await response.json())["id"])
    engine = create_engine(settings.database)
    try:
        async with engine.begin() as connection:
            now = dt.datetime.now(dt.UTC)
            for ticket_id, warn, due in (
                (ids[0], now - dt.timedelta(hours=2), now - dt.timedelta(hours=1)),
                (ids[1], now - dt.timedelta(minutes=1), now + dt.timedelta(hours=2)),
            ):
                await connection.execute(
                    text("UPDATE ticket SET warn_at = :w, due_at = :d WHERE id = :id"),
                    {"w": warn, "d": due, "id": ticket_id},
                )
    finally:
        await engine.dispose()
    listed = await (await client.get("/api/v1/tickets", headers=agent)).json()
    assert [t["id"] for t in listed] == ids
    assert [(t["overdue"], t["warning"]) for t in listed] == [(True, True), (False, True), (False, False)]
    by_county = await (await client.get("/api/v1/tickets", params={"county": "07233"}, headers=agent)).json()
    assert [t["id"] for t in by_county] == ids[1:]
    by_unit = await (
        await client.get("/api/v1/tickets", params={"unit": unit["id"], "kind": "forward"}, headers=agent)
    ).json()
    assert [t["id"] for t in by_unit] == [ids[1]]
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    due_soon = await (
        await client.get("/api/v1/tickets", params={"due_before": soon.isoformat()}, headers=agent)
    ).json()
    assert [t["id"] for t in due_soon] == ids[:2]
    assert await (await client.get("/api/v1/tickets", params={"state": "closed"}, headers=agent)).json() == []


async def test_patch_needs_if_match_moves_forward_only_and_closed_is_final(client, make_user) -> None:
    agent = await make_user("anna", "agent")
    created = await client.post(
        "/api/v1/tickets", json=callback(contact=CONTACT, consent=True), headers=agent
    )
    path, tag = created.headers["Location"], created.headers["ETag"]
    assert (await client.patch(path, json={"note": "x"}, headers=agent)).status == 428
    noted = await client.patch(
        path, json={"note": "Zurückgerufen, Termin erklärt"}, headers={**agent, "If-Match": tag}
    )
    assert noted.status == 200 and noted.headers["ETag"] == '"2"'
    stale = await client.patch(path, json={"note": "y"}, headers={**agent, "If-Match": tag})
    assert stale.status == 412 and stale.headers["ETag"] == '"2"'
    answered = await client.patch(path, json={"state": "answered"}, headers={**agent, "If-Match": '"2"'})
    assert answered.status == 200 and (await answered.json())["answered_at"]
    backwards = await client.patch(path, json={"state": "open"}, headers={**agent, "If-Match": '"3"'})
    assert backwards.status == 422 and (await backwards.json())["errors"][0]["loc"] == ["body", "state"]
    closed = await client.patch(path, json={"state": "closed"}, headers={**agent, "If-Match": '"3"'})
    assert closed.status == 200 and (await closed.json())["closed_at"]
    final = await client.patch(path, json={"note": "doch noch"}, headers={**agent, "If-Match": '"4"'})
    assert final.status == 409

    history = await (await client.get(f"{path}/history", headers=agent)).json()
    assert [h["action"] for h in history] == ["update", "update", "update", "create"]
    assert history[0]["after"]["state"] == "closed" and history[-1]["after"]["summary"]
    assert CONTACT["phone"] not in str(history) and CONTACT["name"] not in str(history)


async def test_two_concurrent_patches_with_one_etag_one_wins(
    aiohttp_client, settings: Settings, make_user
) -> None:
    agent = await make_user("anna", "agent")
    quiet = settings.model_copy(update={"ticket_worker": False})
    first, second = await aiohttp_client(create_app(quiet)), await aiohttp_client(create_app(quiet))
    created = await first.post("/api/v1/tickets", json=callback(), headers=agent)
    path, tag = created.headers["Location"], created.headers["ETag"]
    responses = await asyncio.gather(
        first.patch(path, json={"note": "eins"}, headers={**agent, "If-Match": tag}),
        second.patch(path, json={"note": "zwei"}, headers={**agent, "If-Match": tag}),
    )
    assert sorted(r.status for r in responses) == [200, 412]
    winner = next(r for r in responses if r.status == 200)
    current = await (await first.get(path, headers=agent)).json()
    assert current["note"] == (await winner.json())["note"] and current["version"] == 2


async def test_forwarding_again_needs_a_unit_with_an_address(client, make_user) -> None:
    agent = await make_user("anna", "agent")
    plain = await client.post("/api/v1/tickets", json=callback(), headers=agent)
    assert (await client.post(f"{plain.headers['Location']}/forward", headers=agent)).status == 409
    unit = await _a_unit(client, "07233")
    forwarded = await client.post(
        "/api/v1/tickets", json=callback(county="07233", kind="forward", unit_id=unit["id"]), headers=agent
    )
    again = await client.post(f"{forwarded.headers['Location']}/forward", headers=agent)
    assert again.status == 202
    assert [d["purpose"] for d in (await again.json())["deliveries"]] == ["forward", "forward"]
    assert (await client.get("/api/v1/tickets/nope", headers=agent)).status == 404


async def test_contact_data_and_the_smtp_password_never_reach_the_log(start_service, make_user) -> None:
    """A real `servicecenter serve` with JSON logs: a ticket with contact data is created, read, changed and
    forwarded to an SMTP server that is down; neither the contact nor the SMTP password is in the log."""
    agent = await make_user("anna", "agent")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    service = start_service(SERVICECENTER_SMTP_URL=f"smtp://mailer:Geheimwort-42@127.0.0.1:{closed_port}")
    contact = {"name": "Walburga Quirin", "phone": "+49 6592 777888", "email": "w.quirin@example.org"}
    async with aiohttp.ClientSession(base_url=service.url, headers=agent) as http:
        units = await (await http.get("/api/v1/units", params={"q": "Bürgerbüro Daun"})).json()
        unit = next(u for u in units if u["email"])
        body = {
            "kind": "forward",
            "county": "07233",
            "unit_id": unit["id"],
            "summary": "Frage",
            "contact": contact,
        }
        async with http.post("/api/v1/tickets", json=body | {"consent": True}) as created:
            assert created.status == 201
            path, tag = created.headers["Location"], created.headers["ETag"]
        assert (await http.patch(path, json={"note": "Vermerk"}, headers={"If-Match": tag})).status == 200
        assert (await http.post("/api/v1/tickets", json=body)).status == 422
    deadline = time.monotonic() + 30
    while not any(line.get("event") == "ticket_mail_failed" for line in service.log_lines()):
        assert time.monotonic() < deadline, "the worker never tried to send the mail"
        await asyncio.sleep(0.1)
    log = service.log_path.read_text(encoding="utf-8")
    assert "ticket_created" in log
    for secret in (*contact.values(), "Walburga", "777888", "Geheimwort-42", "mailer:"):
        assert secret not in log, secret
