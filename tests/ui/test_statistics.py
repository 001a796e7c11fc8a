"""Statistics in a real browser: /statistik at a glance, a zero-hit query taken over as a synonym, and the
agent's wrap-up of a call from the keyboard."""

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from servicecenter.app import create_app
from servicecenter.keys import STATS_RECORDER

PASSWORD = "Eifel-Mosel-2026!"
DAY = (Path(__file__).parents[1] / "servicecenter" / "data" / "queue_log_day.txt").read_text(encoding="utf-8")


@pytest.fixture
def app(settings):
    """The application, so a test can flush what it counted in memory."""
    return create_app(settings)


@pytest.fixture
async def base_url(aiohttp_server, app) -> str:
    """The application above, served on 127.0.0.1 (replaces the conftest's)."""
    server = await aiohttp_server(app, host="127.0.0.1")
    return str(server.make_url("")).rstrip("/")


async def test_a_supervisor_reads_the_day_at_a_glance(page: Page, make_user, log_in, screenshot) -> None:
    pbx = await make_user("telefonanlage", "pbx")
    answer = await page.request.post(
        "/api/v1/acd/events", data=DAY, headers={**pbx, "Content-Type": "text/plain"}
    )
    assert answer.ok, await answer.text()
    await make_user("teamleitung", "supervisor", password=PASSWORD)
    await log_in(page, "teamleitung", PASSWORD, next_path="/statistik")
    await expect(
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Statistik")
    ).to_be_visible()

    await page.get_by_label("Von").fill("2026-03-03")
    await page.get_by_label("Bis").fill("2026-03-03")
    await page.get_by_role("button", name="Anzeigen").click()
    await expect(page).to_have_url(re.compile(r"von=2026-03-03&bis=2026-03-03"))
    kpis = page.get_by_role("region", name="Kennzahlen im Zeitraum")
    await expect(kpis).to_contain_text("54,5 %")
    await expect(kpis).to_contain_text("Ziel verfehlt")
    await expect(kpis).to_contain_text("angenommen 8 · aufgelegt 4")

    level = page.get_by_role("region", name=re.compile("Servicelevel: 75 %"))
    await expect(level.get_by_role("img", name="Servicelevel je Tag")).to_be_visible()
    await expect(level.get_by_role("table", name="Servicelevel je Tag")).to_contain_text("54,5 %")
    hours = page.get_by_role("region", name="Nach Uhrzeit")
    await expect(hours.get_by_role("img", name="Anrufe nach Uhrzeit")).to_be_visible()
    row = hours.get_by_role("row", name=re.compile(r"^8 Uhr"))
    await expect(row).to_contain_text("9")
    counties = page.get_by_role("region", name="Nach Kreis")
    await expect(counties.get_by_role("row", name=re.compile("^Vulkaneifel"))).to_contain_text("7")
    await screenshot(page, "statistics", full_page=True)

    download = page.get_by_role("link", name="Zahlen als CSV herunterladen")
    csv = await page.request.get(await download.get_attribute("href"))
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    assert (await csv.text()).splitlines()[-1].startswith("total,13,8,6,4,2,0.5455,")


async def test_an_agent_wraps_a_call_up_from_the_keyboard(
    page: Page, app, make_user, log_in, screenshot
) -> None:
    await make_user("auskunft", "agent", password=PASSWORD)
    await log_in(page, "auskunft", PASSWORD, next_path="/")
    await page.goto("/?called=115&caller=06592%20123456")
    await expect(page.get_by_role("group", name=re.compile("Abschluss des Anrufs"))).to_be_visible()
    await page.get_by_label("Anliegen oder Leistung").fill("hundesteuer anmelden")
    results = page.get_by_role("listbox", name="Suchergebnisse")
    await expect(results.get_by_role("option").first).to_contain_text("Hundesteuer")
    await page.keyboard.press("Enter")
    await expect(page.locator("#outcome-service")).to_contain_text("Hundesteuer")
    await page.keyboard.press("Alt+a")
    await page.keyboard.press("1")
    await page.keyboard.press("Enter")
    await expect(page.locator("#outcome-status")).to_have_text(
        "Gespeichert: gelöst · Hund zur Hundesteuer anmelden"
    )
    await screenshot(page, "console-wrap-up")

    await app[STATS_RECORDER].flush()
    lead = await make_user("teamleitung", "supervisor")
    stats = await (await page.request.get("/api/v1/stats", headers=lead)).json()
    assert stats["totals"]["outcomes"]["solved"] == 1 and stats["totals"]["first_contact_resolution"] == 1.0


async def test_a_catalogue_editor_takes_over_a_zero_hit_query_as_a_synonym(
    page: Page, app, make_user, log_in, screenshot
) -> None:
    vain = await (await page.request.get("/api/v1/search", params={"q": "Schrottkarre"})).json()
    assert vain["total"] == 0
    await app[STATS_RECORDER].flush(settle=True)
    await make_user("redaktion", "catalogue_editor", password=PASSWORD)
    await log_in(page, "redaktion", PASSWORD)
    await page.get_by_role("link", name="Suchanfragen").click()
    vain_queries = page.get_by_role("region", name=re.compile("Ohne Treffer"))
    row = vain_queries.get_by_role("row", name=re.compile("^schrottkarre"))
    await expect(row).to_contain_text("1")
    await row.get_by_role("button", name="„schrottkarre“ als Synonym übernehmen").click()
    await expect(page.get_by_label("„schrottkarre“ meint")).to_be_focused()
    await page.keyboard.type("sperrmüll")
    await screenshot(page, "search-insights")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text(
        "Übernommen: „schrottkarre“ findet jetzt auch „sperrmüll“"
    )
    await expect(row).to_contain_text("übernommen")

    found = await (await page.request.get("/api/v1/search", params={"q": "Schrottkarre"})).json()
    assert found["hits"][0]["id"] == "sperrmuell-anmelden"
    await page.goto("/verwaltung/synonyme")
    await expect(page.get_by_label(re.compile("Ein Eintrag pro Zeile"))).to_have_value(
        re.compile("schrottkarre: sperrmüll")
    )
