"""The ticket pages as served: who may open the worklist and a ticket, overdue said in words, the answer
link page without an account (and nothing of the citizen's contact data on it)."""

import datetime as dt

from sqlalchemy import text

from knowledge.storage.db import create_engine


async def _ticket(client, headers: dict, **extra) -> dict:
    body = {"kind": "callback", "county": "07233", "summary": "Wann hat das Bürgerbüro Daun samstags offen?"}
    response = await client.post(
        "/api/v1/tickets",
        json=body | {"contact": {"name": "Max Muster", "phone": "+49 6592 55501"}, "consent": True} | extra,
        headers=headers,
    )
    assert response.status == 201
    return await response.json()


async def test_the_worklist_needs_a_login_and_the_right_role(client, make_user) -> None:
    anonymous = await client.get("/anliegen", allow_redirects=False)
    assert anonymous.status == 303 and anonymous.headers["Location"].startswith("/anmelden?next=")
    refused = await client.get("/anliegen", headers=await make_user("carl", "catalogue_editor"))
    assert refused.status == 403 and "Anliegen sehen" in await refused.text()


async def test_overdue_and_nearly_due_are_said_in_words(client, make_user, settings) -> None:
    agent = await make_user("anna", "agent")
    late, soon, _ = [await _ticket(client, agent, summary=f"Frage {n}") for n in ("A", "B", "C")]
    engine = create_engine(settings.database)
    now = dt.datetime.now(dt.UTC)
    try:
        async with engine.begin() as connection:
            for ticket, warn, due in ((late, -2, -1), (soon, -1, 2)):
                await connection.execute(
                    text("UPDATE ticket SET warn_at = :w, due_at = :d WHERE id = :id"),
                    {
                        "w": now + dt.timedelta(hours=warn),
                        "d": now + dt.timedelta(hours=due),
                        "id": ticket["id"],
                    },
                )
    finally:
        await engine.dispose()
    page = await (await client.get("/anliegen", headers=agent)).text()
    rows = page.split("<tbody>")[1].split("</tr>")
    assert "Frage A" in rows[0] and "Überfällig" in rows[0] and 'class="is-overdue"' in rows[0]
    assert "Frage B" in rows[1] and "Bald fällig" in rows[1]
    assert "Frage C" in rows[2] and "fällig</span>" not in rows[2]
    assert "Max Muster" not in page


async def test_a_county_editor_sees_only_their_county(client, make_user) -> None:
    agent = await make_user("anna", "agent")
    here = await _ticket(client, agent)
    elsewhere = await _ticket(client, agent, county="07135", summary="Frage aus Cochem-Zell")
    editor = await make_user("erik", "county_editor", "07233")
    page = await (await client.get("/anliegen?county=07135", headers=editor)).text()
    assert here["summary"] in page and elsewhere["summary"] not in page
    own = await client.get(f"/anliegen/vorgang/{here['id']}", headers=editor)
    assert own.status == 200 and "Max Muster" not in await own.text(), (
        "contact data for agents and admins only"
    )
    assert (await client.get(f"/anliegen/vorgang/{elsewhere['id']}", headers=editor)).status == 403
    shown_to_agent = await (await client.get(f"/anliegen/vorgang/{here['id']}", headers=agent)).text()
    assert "Max Muster" in shown_to_agent and "+49 6592 55501" in shown_to_agent


async def test_an_unknown_answer_link_is_a_german_404(client) -> None:
    response = await client.get("/anliegen/" + "x" * 43)
    assert response.status == 404 and "Dieser Link ist ungültig" in await response.text()
    posted = await client.post("/anliegen/" + "x" * 43, data={"answer": "Hallo", "action": "answer"})
    assert posted.status == 404
