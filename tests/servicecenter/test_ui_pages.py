"""The HTML pages without a browser: status, content type, German text, headers, escaping."""

import json
import re

import pytest
from structlog.testing import capture_logs

from servicecenter.keys import CATALOGUE_FOLLOWER, ENGINE


async def _page(client, path: str, status: int = 200, **params) -> str:
    response = await client.get(path, params=params, allow_redirects=False)
    assert response.status == status, await response.text()
    assert response.content_type == "text/html"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    return await response.text()


@pytest.mark.parametrize(
    ("path", "german"),
    [
        ("/", "Anliegen oder Leistung"),
        ("/vermittlung", "Person, Funktion oder Stelle"),
        ("/routing", "Anruf simulieren"),
    ],
)
async def test_pages_are_german_html(client, path: str, german: str) -> None:
    html = await _page(client, path)
    assert '<html lang="de">' in html
    assert german in html
    assert f'href="{path}" aria-current="page"' in html


@pytest.mark.parametrize("path", ["/", "/vermittlung"])
async def test_user_input_is_escaped(client, path: str) -> None:
    html = await _page(client, path, q='"><script>alert(1)</script>')
    assert "<script>alert(1)</script>" not in html
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


async def test_a_county_outside_the_center_is_not_preselected(client) -> None:
    html = await _page(client, "/", county="09162")
    assert "selected" not in html.split('id="county"')[1].split("</select>")[0]


async def test_called_and_caller_redirect_to_the_decision_without_the_number(client) -> None:
    response = await client.get(
        "/", params={"called": "115", "caller": "+49 2671 555123"}, allow_redirects=False
    )
    assert response.status == 303
    location = response.headers["Location"]
    assert re.fullmatch(r"/\?call=[0-9a-f]{32}", location)
    html = await _page(client, location)
    assert "Behördennummer 115, Servicecenter Eifel-Mosel-Hunsrück" in html
    assert '<option value="07135" selected>' in html
    assert "555123" not in html


async def test_the_screen_pop_logs_the_same_call_routed_line_as_the_route_api(client) -> None:
    call = {"called": "115", "caller": "+49 2671 555123"}
    with capture_logs() as popped:
        response = await client.get("/", params=call, allow_redirects=False)
    with capture_logs() as asked:
        decision = await (await client.get("/api/v1/route", params=call)).json()
    [pop_line] = [entry for entry in popped if entry["event"] == "call_routed"]
    [api_line] = [entry for entry in asked if entry["event"] == "call_routed"]
    assert response.headers["Location"] == f"/?call={pop_line['decision_id']}"
    assert api_line["decision_id"] == decision["decision_id"] != pop_line["decision_id"]
    assert pop_line | {"decision_id": "x"} == api_line | {"decision_id": "x"}
    assert pop_line["county"] == "07135" and pop_line["target"] == decision["target"]["id"]
    assert all("555123" not in str(value) for entry in popped + asked for value in entry.values())


async def test_switchboard_call_shows_the_county_greeting(client) -> None:
    response = await client.get("/", params={"called": "+49 6592 933-0"})
    html = await response.text()
    assert response.status == 200 and response.url.query["call"]
    assert "Kreisverwaltung Vulkaneifel, Servicecenter, guten Tag" in html
    assert '<option value="07233" selected>' in html


async def test_numbers_that_are_no_line_get_a_neutral_greeting_and_the_numbers_received(client) -> None:
    html = await _page(client, "/", called="+49 30 1234567", caller="x" * 100)
    assert "Anruf nicht zugeordnet – bitte neutral melden mit" in html
    assert "„Servicecenter Eifel-Mosel-Hunsrück, guten Tag“" in html
    assert "passt keine Leitung des Servicecenters" in html
    assert "+49 30 1234567" in html and "x" * 64 in html and "x" * 65 not in html
    assert "unbekannt – Wohnort erfragen" in html
    assert 'role="alert"' not in html


@pytest.mark.parametrize(
    ("call", "source"),
    [
        ({"called": "115", "caller": "+49 2671 555123"}, "Vorwahl 02671 → VG Cochem"),
        (
            {"called": "115", "caller": "06542 1234"},
            "Vorwahl 06542 → Cochem-Zell oder Bernkastel-Wittlich – Wohnort erfragen",
        ),
        (
            {"called": "115", "caller": "+49 151 12345678"},
            "Keine Vorwahl (Mobilnummer, unterdrückt oder Ausland)",
        ),
        ({"called": "+49 6592 933-0", "caller": "+49 2671 555123"}, "Telefonzentrale Vulkaneifel angerufen"),
    ],
)
async def test_the_screen_pop_says_where_the_county_came_from(client, call: dict, source: str) -> None:
    response = await client.get("/", params=call, allow_redirects=False)
    html = await _page(client, response.headers["Location"])
    assert source in html
    assert "555123" not in html and "12345678" not in html


async def test_unknown_call_id_still_shows_the_console(client) -> None:
    html = await _page(client, "/", 404, call="<b>nope</b>")
    assert "nicht mehr bekannt" in html
    assert "Anliegen oder Leistung" in html
    assert "<b>nope</b>" not in html


async def test_routing_view_lists_every_rule_in_german(client) -> None:
    html = await _page(client, "/routing")
    for rule_id in ("department-by-topic", "115-closed", "115-by-caller-area", "all-saturated-callback"):
        assert f'id="rule-{rule_id}"' in html
    assert "Anruf kommt über die 115" in html
    assert "außerhalb der Zeiten Mo–Fr 08:00–18:00 oder an einem Feiertag oder Schließtag" in html
    assert "Regel 2 „115 außerhalb der Servicezeit“" in html
    assert ">115-closed<" not in html and "<code>115-closed</code>" not in html
    assert "24.12., 31.12." in html and "MM-TT" not in html
    assert "Kreisverwaltung Cochem-Zell, Servicecenter, guten Tag" in html


async def test_routing_view_works_while_the_database_is_down(client, cut_database) -> None:
    await cut_database(client.app[ENGINE])
    html = await _page(client, "/routing")
    assert "Aktive Regeln" in html


@pytest.mark.parametrize(
    ("name", "content_type"), [("app.css", "text/css"), ("console.js", "text/javascript")]
)
async def test_static_files_are_served_locally(client, name: str, content_type: str) -> None:
    html = await _page(client, "/")
    url = re.search(rf'"(/static/{re.escape(name)}\?v=[^"]+)"', html).group(1)
    response = await client.get(url)
    assert response.status == 200
    assert response.content_type in (content_type, "application/javascript")
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from elsewhere


async def test_console_and_screen_pop_work_while_the_database_is_down(client, cut_database) -> None:
    """Places and counties come from memory, as routing's decisions do."""
    await cut_database(client.app[ENGINE])
    html = await _page(client, "/")
    assert "Anliegen oder Leistung" in html
    places = json.loads(html.split('id="places-data">')[1].split("</script>")[0])
    assert places["vg-daun"] == "Verbandsgemeinde Daun"
    response = await client.get(
        "/", params={"called": "115", "caller": "+49 2671 555123"}, allow_redirects=False
    )
    assert response.status == 303
    html = await _page(client, response.headers["Location"])
    assert "Behördennummer 115, Servicecenter Eifel-Mosel-Hunsrück" in html
    assert '<option value="07135" selected>' in html


async def test_county_names_come_from_the_catalogue(client, make_user) -> None:
    """A county renamed in the catalogue is renamed on the pages once the follower has caught up."""
    document = await (await client.get("/api/v1/export")).json()
    county = next(c for c in document["counties"] if c["key"] == "07233")
    county["name"] = "Landkreis Vulkaneifel-Umbenannt"
    response = await client.post("/api/v1/import", json=document, headers=await make_user("anna", "admin"))
    assert response.status == 200, await response.text()
    assert '<option value="07233">Vulkaneifel</option>' in await _page(client, "/vermittlung")

    await client.app[CATALOGUE_FOLLOWER].step()  # one round of the loop every instance runs
    html = await _page(client, "/vermittlung")
    assert '<option value="07233">Vulkaneifel-Umbenannt</option>' in html
    assert "Landkreis Vulkaneifel-Umbenannt" not in html, "pages say the short name"
