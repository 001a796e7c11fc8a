"""GET /api/v1/directory on the real app and the demo database: every query of issue 15 finds its entry."""

import datetime as dt

import pytest

from knowledge.calendar import BERLIN
from servicecenter.keys import CATALOGUE_FOLLOWER

# What a switchboard operator types -> the entries that are right for it (the first hit must be one).
ISSUE_QUERIES = [
    ("Herr Müller", None, {"bit-mueller", "coc-mueller", "wil-mueller"}),
    ("Müller", None, {"bit-mueller", "coc-mueller", "wil-mueller"}),
    ("Mueller", "07232", {"bit-mueller"}),
    ("Herr Müller vom Bauamt in Bitburg", None, {"bit-mueller"}),
    (
        "Landrat",
        None,
        {f"kv-{c}-landrat" for c in ("bernkastel-wittlich", "bitburg-pruem", "cochem-zell", "vulkaneifel")},
    ),
    ("den Landrat", "07232", {"kv-bitburg-pruem-landrat", "bit-landrat"}),
    ("Büro des Landrats", "07233", {"kv-vulkaneifel-landrat"}),
    ("Bürgermeister Daun", None, {"vg-daun-verwaltung", "daun-buergermeister"}),
    ("Kreiskasse", "07135", {"kv-cochem-zell-kreiskasse"}),
    (
        "Kreiskasse",
        None,
        {
            f"kv-{c}-kreiskasse"
            for c in ("bernkastel-wittlich", "bitburg-pruem", "cochem-zell", "vulkaneifel")
        },
    ),
    ("Poststelle", "07231", {"kv-bernkastel-wittlich-poststelle"}),
    ("Bauamt Bitburg", None, {"kv-bitburg-pruem-bauaufsicht"}),
    ("Straßenverkehrsamt Cochem", None, {"kv-cochem-zell-strassenverkehr"}),
    ("Wohngeldstelle", "07233", {"kv-vulkaneifel-sozialamt"}),
    (
        "Wohngeldstelle",
        None,
        {f"kv-{c}-sozialamt" for c in ("bernkastel-wittlich", "bitburg-pruem", "cochem-zell", "vulkaneifel")},
    ),
    ("Kreisjugendamt Daun", None, {"kv-vulkaneifel-jugendamt"}),
    ("Jugendamt Gerolstein", None, {"kv-vulkaneifel-jugendamt"}),
    ("Jugendamt Daun", None, {"kv-vulkaneifel-jugendamt"}),
    ("Kfz-Zulassung Cochem", None, {"kv-cochem-zell-zulassung"}),
    ("Führerschein Prüm", None, {"kv-bitburg-pruem-fuehrerschein"}),
]


@pytest.mark.parametrize(("q", "county", "right"), ISSUE_QUERIES)
async def test_the_switchboard_finds_what_callers_ask_for(
    client, q: str, county: str | None, right: set
) -> None:
    params = {"q": q, **({"county": county} if county else {})}
    response = await client.get("/api/v1/directory", params=params)
    assert response.status == 200, await response.text()
    hits = await response.json()
    assert hits and hits[0]["id"] in right, [h["id"] for h in hits[:5]]


async def test_an_entry_carries_the_number_as_dialled_with_tel_and_sip(client) -> None:
    hits = await (await client.get("/api/v1/directory", params={"q": "Sabine Krämer"})).json()
    entry = hits[0]
    assert entry["deputy"] is None
    assert (entry["kind"], entry["id"], entry["unit_id"]) == (
        "person",
        "bit-bueroleitung",
        "kv-bitburg-pruem-landrat",
    )
    assert (entry["phone"], entry["extension"], entry["dial"]) == ("+49 6561 15-50", "50", "+4965611550")
    assert entry["sip"] == "sip:50@kv-bitburg-pruem.pbx.local"
    assert entry["present"] is True and entry["internal_note"] is None, (
        "no internal note for anonymous readers"
    )
    unit = (await (await client.get("/api/v1/directory", params={"q": "Bürgerbüro Daun"})).json())[0]
    assert (unit["kind"], unit["dial"], unit["sip"]) == ("unit", "+496592939110", None), (
        "VG Daun's PBX is no block"
    )
    assert unit["hours_text"] and unit["open_now"] in (True, False)


async def test_staff_read_the_internal_note(client, make_user) -> None:
    agent = await make_user("alex", "agent")
    hits = await (await client.get("/api/v1/directory", params={"q": "Sabine Krämer"}, headers=agent)).json()
    assert hits[0]["internal_note"] == "Beispieldaten"


async def test_an_absent_person_answers_with_the_deputy(client, make_user) -> None:
    editor = await make_user("bea", "county_editor", county="07232")
    until = (dt.datetime.now(BERLIN).date() + dt.timedelta(days=7)).isoformat()
    current = await client.get("/api/v1/people/bit-mueller")
    changed = await client.patch(
        "/api/v1/people/bit-mueller",
        json={"absent_until": until},
        headers={**editor, "If-Match": current.headers["ETag"]},
    )
    assert changed.status == 200, await changed.text()
    await client.app[CATALOGUE_FOLLOWER].step()  # one round of the loop every instance runs
    entry = (await (await client.get("/api/v1/directory", params={"q": "Herr Müller Bauamt"})).json())[0]
    assert (entry["id"], entry["present"], entry["absent_until"]) == ("bit-mueller", False, until)
    assert entry["deputy"]["name"] == "Petra Schmitz"
    assert (entry["deputy"]["dial"], entry["deputy"]["present"]) == ("+49656115411", True)


async def test_a_new_alias_is_found_after_the_follower_round(client, make_user) -> None:
    editor = await make_user("carla", "county_editor", county="07135")
    path = "/api/v1/units/kv-cochem-zell-abfall"
    assert (await (await client.get("/api/v1/directory", params={"q": "Mülldeponie"})).json()) == []
    current = await client.get(path)
    aliases = [*(await current.json())["aliases"], "Mülldeponie"]
    changed = await client.patch(
        path, json={"aliases": aliases}, headers={**editor, "If-Match": current.headers["ETag"]}
    )
    assert changed.status == 200, await changed.text()
    await client.app[CATALOGUE_FOLLOWER].step()
    hits = await (await client.get("/api/v1/directory", params={"q": "Mülldeponie"})).json()
    assert hits[0]["id"] == "kv-cochem-zell-abfall"


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 201},
        {"q": " ".join(["wort"] * 17)},
        {"county": "7135"},
        {"limit": "0"},
        {"limit": "101"},
        {"x": "1"},
    ],
)
async def test_bad_queries_are_refused(client, params: dict) -> None:
    response = await client.get("/api/v1/directory", params=params)
    assert response.status == 422
    assert response.content_type == "application/problem+json"


async def test_without_a_query_the_county_is_listed(client) -> None:
    hits = await (await client.get("/api/v1/directory", params={"county": "07233", "limit": "100"})).json()
    kinds = [h["kind"] for h in hits]
    assert kinds == sorted(kinds, key=lambda kind: kind != "unit") and "dau-meyer" in {h["id"] for h in hits}
    assert {h["county"] for h in hits} == {"07233", None}
    assert (
        len(await (await client.get("/api/v1/directory", params={"county": "07233", "limit": "5"})).json())
        == 5
    )


async def test_entries_carry_their_offices_closure_and_notices(client, make_user) -> None:
    editor = await make_user("bea", "county_editor", county="07232")
    until = (dt.datetime.now(BERLIN) + dt.timedelta(days=2)).replace(microsecond=0).isoformat()
    unit = {"unit": "kv-bitburg-pruem-bauaufsicht"}
    for path, body in (
        ("/api/v1/notices", {"text": "Bauanträge nur noch digital", "scope": unit, "valid_until": until}),
        ("/api/v1/closures", {"scope": unit, "until": until, "reason": "Umzug"}),
    ):
        response = await client.post(path, json=body, headers=editor)
        assert response.status == 201, await response.text()
    await client.app[CATALOGUE_FOLLOWER].step()
    hits = await (await client.get("/api/v1/directory", params={"q": "Bauamt", "county": "07232"})).json()
    by_id = {h["id"]: h for h in hits}
    for entry_id in ("kv-bitburg-pruem-bauaufsicht", "bit-mueller"):
        entry = by_id[entry_id]
        assert [n["text"] for n in entry["notices"]] == ["Bauanträge nur noch digital"], entry_id
        assert entry["open_now"] is False and entry["closure"]["reason"] == "Umzug", entry_id
    assert by_id["bit-mueller"]["present"] is True, "a closed office is no absence of its people"
