"""The switchboard directory over HTTP: spelling-tolerant matching, hours as text, open now."""


async def test_units_answer_with_hours_text_and_open_now(client) -> None:
    response = await client.get("/api/v1/units", params={"q": "kfz zulassung cochem"})
    units = await response.json()
    first = units[0]
    assert first["id"] == "kv-cochem-zell-zulassung"
    assert first["extension"] == "300"
    assert first["hours_text"].startswith("Mo, Mi, Fr 07:30–12:30; Di 07:30–12:30, 13:30–16:00")
    assert first["open_now"] in (True, False)
    one = await (await client.get(f"/api/v1/units/{first['id']}")).json()
    assert one["hours_text"] == first["hours_text"]


async def test_units_match_umlauts_in_any_spelling(client) -> None:
    for q in ("Führerschein Prüm", "fuehrerschein pruem"):
        units = await (await client.get("/api/v1/units", params={"q": q})).json()
        assert units[0]["id"] == "kv-bitburg-pruem-fuehrerschein", q
