"""The admin pages without a browser: who sees which page and form, redirects, 403 and 404 in German."""

import pytest

from servicecenter.keys import ENGINE
from servicecenter.ui.access import safe_next

PASSWORD = "Eifel-Mosel-2026!"


async def _log_in(client, make_user, name: str, role: str, county: str | None = None) -> None:
    await make_user(name, role, county=county, password=PASSWORD)
    response = await client.post("/api/v1/session", json={"name": name, "password": PASSWORD})
    assert response.status == 200, await response.text()


async def _html(client, path: str, status: int) -> str:
    response = await client.get(path, allow_redirects=False)
    assert response.status == status, await response.text()
    assert response.content_type == "text/html"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    return await response.text()


@pytest.mark.parametrize(
    "path",
    ["/verwaltung", "/verwaltung/stellen/vg-daun-buergerbuero", "/verwaltung/leistungen/hundesteuer/verlauf"],
)
async def test_anonymous_visitors_are_sent_to_the_login_form(client, path: str) -> None:
    response = await client.get(path, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == f"/anmelden?next={path}"
    html = await _html(client, response.headers["Location"], 200)
    assert 'autocomplete="current-password"' in html and f'data-next="{path}"' in html


@pytest.mark.parametrize(
    "given",
    [
        "//evil.example/x",
        "https://evil.example",
        "/\\evil",
        "verwaltung",
        None,
        "/\t/evil.example",
        "/\r/evil.example",
        "/\n/evil.example",
        " //evil.example",
        "/\x00/evil.example",
        "/\u2028/evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_only_leads_to_paths_on_this_site(given: str | None) -> None:
    assert safe_next(given) == "/verwaltung"


@pytest.mark.parametrize(
    "given", ["/verwaltung/stellen/vg-daun-buergerbuero", "/verwaltung?stellen=b%C3%BCro%20daun"]
)
def test_login_leads_back_to_local_paths(given: str) -> None:
    assert safe_next(given) == given


async def test_a_tab_in_next_does_not_lead_off_site_before_or_after_login(client, make_user) -> None:
    """Browsers drop the tab: `/%09/evil.example` would navigate to //evil.example."""
    html = await _html(client, "/anmelden?next=/%09/evil.example", 200)
    assert 'data-next="/verwaltung"' in html and "evil" not in html
    await _log_in(client, make_user, "anna", "admin")
    html = await _html(client, "/anmelden?next=/%0D%0A/evil.example", 200)
    assert '<a href="/verwaltung">Weiter</a>' in html and "evil" not in html


async def test_an_agent_gets_a_german_403_and_no_admin_link(client, make_user) -> None:
    await _log_in(client, make_user, "alex", "agent")
    html = await _html(client, "/verwaltung", 403)
    assert "Kein Zugriff" in html and "<form" not in html.split("<main")[1]
    assert 'href="/verwaltung"' in html  # the way back, not the navigation entry
    assert ">Verwaltung</a></li>" not in html
    assert "Auskunft" in (await _html(client, "/", 200)).split("account-role")[1][:60]


async def test_county_editor_sees_own_units_and_is_refused_others(client, make_user) -> None:
    await _log_in(client, make_user, "dora", "county_editor", "07233")
    start = await _html(client, "/verwaltung", 200)
    assert (
        "Bürgerbüro VG Daun" in start
        and "Cochem" not in start.split("units-heading")[1].split("</section>")[0]
    )
    assert "Kreisredaktion · Vulkaneifel" in start
    assert 'name="csrf-token"' in start
    edit = await _html(client, "/verwaltung/stellen/vg-daun-buergerbuero", 200)
    assert 'data-entry-url="/api/v1/units/vg-daun-buergerbuero"' in edit and "data-etag='\"1\"'" in edit
    for path in (
        "/verwaltung/stellen/kv-cochem-zell-zulassung",
        "/verwaltung/stellen/kv-cochem-zell-zulassung/verlauf",
        "/verwaltung/leistungen/hundesteuer",
    ):
        refused = await _html(client, path, 403)
        assert "Kein Zugriff" in refused and "<form" not in refused.split("<main")[1]
    html = await _html(client, "/verwaltung/leistungen/personalausweis-beantragen/zustaendigkeiten", 200)
    assert 'id="county-07233"' in html and 'id="county-07135"' not in html


async def test_catalogue_editor_edits_services_not_units(client, make_user) -> None:
    await _log_in(client, make_user, "carl", "catalogue_editor")
    start = await _html(client, "/verwaltung", 200)
    assert "units-heading" not in start and "/verwaltung/leistungen/" in start
    html = await _html(client, "/verwaltung/leistungen/personalausweis-beantragen", 200)
    assert 'data-entry-url="/api/v1/services/personalausweis-beantragen"' in html
    assert "Kein Zugriff" in await _html(client, "/verwaltung/stellen/vg-daun-buergerbuero", 403)
    assert "Kein Zugriff" in await _html(
        client, "/verwaltung/leistungen/personalausweis-beantragen/zustaendigkeiten", 403
    )


async def test_admin_sees_every_county_and_unknown_entries_are_404(client, make_user) -> None:
    await _log_in(client, make_user, "erik", "admin")
    html = await _html(client, "/verwaltung/leistungen/personalausweis-beantragen/zustaendigkeiten", 200)
    assert all(f'id="county-{key}"' in html for key in ("07231", "07232", "07135", "07233"))
    assert "Cochem" in await _html(client, "/verwaltung?stellen=cochem", 200)
    for path in (
        "/verwaltung/stellen/gibt-es-nicht",
        "/verwaltung/leistungen/gibt-es-nicht",
        "/verwaltung/zustaendigkeiten/abc/verlauf",
    ):
        assert "Nicht gefunden" in await _html(client, path, 404)


async def test_history_page_lists_changes_with_who_and_before_after(client, make_user) -> None:
    admin = await make_user("anna", "admin")
    unit = await client.get("/api/v1/units/vg-daun-buergerbuero")
    changed = await client.patch(
        "/api/v1/units/vg-daun-buergerbuero",
        json={"extension": "4711"},
        headers={**admin, "If-Match": unit.headers["ETag"]},
    )
    assert changed.status == 200
    await _log_in(client, make_user, "dora", "county_editor", "07233")
    html = await _html(client, "/verwaltung/stellen/vg-daun-buergerbuero/verlauf", 200)
    assert "Geändert von <strong>anna</strong>" in html
    assert '<th scope="row">Durchwahl</th><td class="diff-before pre-line">110</td>' in html
    assert 'data-restore="1"' in html and 'data-restore="2"' not in html


async def test_admin_pages_say_the_database_is_unreachable_instead_of_asking_for_a_login(
    client, make_user, cut_database
) -> None:
    await _log_in(client, make_user, "anna", "admin")
    await cut_database(client.app[ENGINE])
    for path in (
        "/verwaltung",
        "/verwaltung/stellen/vg-daun-buergerbuero",
        "/verwaltung/leistungen/hundesteuer-anmelden/verlauf",
    ):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 503, path
        assert response.headers["Retry-After"]
        assert "Datenbank nicht erreichbar" in await response.text()
