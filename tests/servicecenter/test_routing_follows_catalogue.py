"""Routing rings the catalogue's units: an edit in /verwaltung changes the department's route."""

from servicecenter.keys import CATALOGUE_FOLLOWER

UNIT = "/api/v1/units/kv-cochem-zell-zulassung"
CALL = {"called": "02671 61-0", "at": "2026-03-10T09:00:00+01:00", "topic": "kfz-zulassung"}


async def _target(client) -> dict:
    response = await client.get("/api/v1/route", params=CALL)
    assert response.status == 200, await response.text()
    return (await response.json())["target"]


async def _patch(client, headers: dict, changes: dict) -> None:
    current = await client.get(UNIT)
    response = await client.patch(
        UNIT, json=changes, headers={**headers, "If-Match": current.headers["ETag"]}
    )
    assert response.status == 200, await response.text()
    await client.app[CATALOGUE_FOLLOWER].step()  # one round of the loop every instance runs


async def test_an_edited_extension_and_hours_change_the_route(client, make_user) -> None:
    editor = await make_user("carla", "county_editor", county="07135")
    assert (await _target(client))["uri"] == "sip:300@kv-cochem-zell.pbx.local"

    await _patch(client, editor, {"extension": "4711"})
    assert await _target(client) == {
        "kind": "extension",
        "id": "kfz-zulassung-07135",
        "uri": "sip:4711@kv-cochem-zell.pbx.local",
    }

    await _patch(client, editor, {"hours": {"thu": ["08:00-12:00"]}})  # closed on Tuesdays now
    assert (await _target(client))["id"] == "emh-cochem-zell"


async def test_an_edit_that_would_break_the_routing_in_force_is_refused(client, make_user) -> None:
    admin = await make_user("anna", "admin")
    tag = (await client.get(UNIT)).headers["ETag"]
    for changes in ({"extension": None}, {"hours": None}):
        response = await client.patch(UNIT, json=changes, headers={**admin, "If-Match": tag})
        assert response.status == 422, changes
        assert "Anrufsteuerung" in (await response.json())["detail"]
    not_dialable = await client.patch(
        UNIT, json={"extension": "Zimmer 3"}, headers={**admin, "If-Match": tag}
    )
    assert not_dialable.status == 422, "an extension that is no Durchwahl is refused by the field check first"
    assert ["body", "extension"] in [error["loc"] for error in (await not_dialable.json())["errors"]]
    assert (await client.get(UNIT)).headers["ETag"] == tag
    assert (await _target(client))["uri"] == "sip:300@kv-cochem-zell.pbx.local"
