"""Calls to any number of a county PBX (its number block) are that switchboard's calls: /route answers
with the extension and whoever has it, and the switchboard's screen pop greets with the called county."""

import pytest

from servicecenter.keys import CATALOGUE_FOLLOWER

TUESDAY = "2026-03-10T09:00:00+01:00"


async def _route(client, called: str) -> dict:
    response = await client.get("/api/v1/route", params={"called": called, "at": TUESDAY})
    assert response.status == 200, await response.text()
    return await response.json()


async def test_a_forwarded_extension_is_a_decision_naming_the_person(client) -> None:
    decision = await _route(client, "+49 6561 15-50")
    assert (decision["line"], decision["county"], decision["called_extension"]) == (
        "switchboard",
        "07232",
        "50",
    )
    assert decision["greeting"] == "Kreisverwaltung Eifelkreis Bitburg-Prüm, Servicecenter, guten Tag"
    assert decision["called_person"] == {"id": "bit-bueroleitung", "name": "Sabine Krämer"}
    assert decision["called_unit"] == {
        "id": "kv-bitburg-pruem-landrat",
        "name": "Büro des Landrats (Eifelkreis Bitburg-Prüm)",
    }
    assert decision["target"]["id"] == "emh-bitburg-pruem"
    assert (
        decision["trace"][-1] == "Durchwahl 50: Sabine Krämer, Büro des Landrats (Eifelkreis Bitburg-Prüm)."
    )
    again = await (await client.get(f"/api/v1/decisions/{decision['decision_id']}")).json()
    assert again == decision


async def test_a_units_extension_names_the_unit_and_an_unknown_one_only_the_digits(client) -> None:
    unit = await _route(client, "06592 933-550")
    assert unit["called_unit"]["id"] == "kv-vulkaneifel-jugendamt" and unit["called_person"] is None
    unknown = await _route(client, "+49 2671 61-9876")
    assert (unknown["county"], unknown["called_extension"]) == ("07135", "9876")
    assert (unknown["called_unit"], unknown["called_person"]) == (None, None)


@pytest.mark.parametrize("called", ["+49 6561 15-0", "06561 15-0", "06561150", "+496561150", "0049 6561 150"])
async def test_the_main_number_keeps_working_in_every_notation(client, called: str) -> None:
    decision = await _route(client, called)
    assert (decision["county"], decision["called_extension"], decision["called_unit"]) == (
        "07232",
        None,
        None,
    )


async def test_a_new_extension_names_its_person_after_the_follower_round(client, make_user) -> None:
    editor = await make_user("bea", "county_editor", county="07232")
    assert (await _route(client, "+49 6561 15-777"))["called_person"] is None
    current = await client.get("/api/v1/people/bit-weber")
    changed = await client.patch(
        "/api/v1/people/bit-weber",
        json={"extension": "777"},
        headers={**editor, "If-Match": current.headers["ETag"]},
    )
    assert changed.status == 200
    await client.app[CATALOGUE_FOLLOWER].step()
    assert (await _route(client, "+49 6561 15-777"))["called_person"] == {
        "id": "bit-weber",
        "name": "Stefan Weber",
    }


async def test_the_switchboard_screen_pop_greets_and_names_whom_the_call_is_for(client) -> None:
    popped = await client.get(
        "/vermittlung", params={"called": "+49 6561 15-50", "caller": "06561 4711"}, allow_redirects=False
    )
    assert popped.status == 303
    location = popped.headers["Location"]
    assert location.startswith("/vermittlung?call=") and "4711" not in location
    page = await (await client.get(location)).text()
    assert "„Kreisverwaltung Eifelkreis Bitburg-Prüm, Servicecenter, guten Tag“" in page
    assert "Anruf für: <strong>Sabine Krämer</strong>" in page
    assert "+4965611550" in page and 'href="tel:+4965611550"' in page
    assert "4711" not in page
    assert '<option value="07232" selected>' in page


async def test_a_number_of_no_line_pops_a_neutral_greeting(client) -> None:
    page = await client.get("/vermittlung", params={"called": "+49 30 1234567"})
    assert page.status == 422
    body = await page.text()
    assert "„Servicecenter Eifel-Mosel-Hunsrück, guten Tag“" in body
    assert "gehört zu keiner Leitung" in body
