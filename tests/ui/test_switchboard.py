"""The switchboard in a real browser, by keyboard alone: find a person, a function or an office as callers
name them, copy the number as dialled, reach the deputy of someone away, take a call forwarded from an
extension, and leave a message."""

import datetime as dt
from urllib.parse import quote

import pytest
from playwright.async_api import Page, expect

from knowledge.calendar import BERLIN
from servicecenter.app import create_app
from servicecenter.keys import CATALOGUE_FOLLOWER

PASSWORD = "ein langes Passwort"


@pytest.fixture
def app(settings):
    """The real application; the test drives its catalogue follower's round where it needs one now."""
    return create_app(settings.model_copy(update={"ticket_worker": False}))


@pytest.fixture
async def base_url(aiohttp_server, app) -> str:
    server = await aiohttp_server(app, host="127.0.0.1")
    return str(server.make_url("")).rstrip("/")


def _results(page: Page):
    return page.get_by_role("grid", name="Gefundene Personen und Stellen").get_by_role("gridcell")


async def _clipboard(page: Page) -> str:
    return await page.evaluate("navigator.clipboard.readText()")


async def test_operator_finds_a_person_and_a_function_and_enter_copies_the_dialable_number(
    page: Page, screenshot
) -> None:
    await page.goto("/vermittlung")
    search = page.get_by_role("combobox", name="Person, Funktion oder Stelle")
    await expect(search).to_be_focused()
    await page.keyboard.type("Herr Müller vom Bauamt in Bitburg")
    first = _results(page).first
    await expect(first).to_contain_text("Thomas Müller")
    await expect(first).to_contain_text("Sachbearbeitung Bauanträge")
    await expect(first).to_contain_text("DW 410")
    await expect(first).to_contain_text("anwesend")
    await expect(first).to_have_attribute("aria-selected", "true")
    await expect(first.get_by_role("link", name="+49656115410")).to_have_attribute("href", "tel:+49656115410")
    await page.keyboard.press("Enter")
    await expect(page.locator("#unit-status")).to_contain_text("kopiert")
    assert await _clipboard(page) == "+49656115410"
    await screenshot(page, "switchboard")

    await search.fill("")
    await page.keyboard.type("den Landrat Daun")
    await expect(_results(page).first).to_contain_text("Büro des Landrats (Landkreis Vulkaneifel)")
    await page.keyboard.press("ArrowDown")
    await expect(_results(page).nth(1)).to_have_attribute("aria-selected", "true")
    await expect(_results(page).nth(1)).to_contain_text("Heinz Schäfer")
    await page.keyboard.press("Enter")
    assert await _clipboard(page) == "+496592933101"

    await page.keyboard.press("Escape")
    await expect(search).to_have_value("")
    await page.keyboard.type("Kreiskasse")
    await expect(_results(page)).to_have_count(6)  # the four Kreiskassen and two people who work there


async def test_someone_away_is_reached_through_the_deputy(page: Page, app, make_user) -> None:
    editor = await make_user("bea", "county_editor", county="07232")
    until = dt.datetime.now(BERLIN).date() + dt.timedelta(days=3)
    person = await page.request.get("/api/v1/people/bit-mueller")
    changed = await page.request.patch(
        "/api/v1/people/bit-mueller",
        data={"absent_until": until.isoformat()},
        headers={**editor, "If-Match": person.headers["etag"]},
    )
    assert changed.status == 200
    await app[CATALOGUE_FOLLOWER].step()

    await page.goto("/vermittlung")
    await page.keyboard.type("Müller Bauamt")
    first = _results(page).first
    await expect(first).to_contain_text(f"abwesend bis {until:%d.%m.%Y}")
    await expect(first).to_contain_text("Vertretung: Petra Schmitz")
    await page.keyboard.press("Enter")
    await expect(page.locator("#unit-status")).to_contain_text("Vertretung für Thomas Müller")
    assert await _clipboard(page) == "+49656115411"


async def test_a_call_forwarded_from_an_extension_pops_with_greeting_and_whom_it_is_for(
    page: Page, screenshot
) -> None:
    await page.goto(f"/vermittlung?called={quote('+49 6561 15-50')}&caller={quote('06561 4711')}")
    assert "call=" in page.url and "4711" not in page.url
    banner = page.get_by_role("region", name="Anruf angenommen – bitte melden Sie sich mit")
    await expect(banner).to_contain_text(
        "„Kreisverwaltung Eifelkreis Bitburg-Prüm, Servicecenter, guten Tag“"
    )
    await expect(banner).to_contain_text("Anruf für: Sabine Krämer – Büroleitung des Landrats")
    await expect(banner).to_contain_text("Gewählte Durchwahl")
    await expect(page.get_by_label("Kreis", exact=True)).to_have_value("07232")
    await screenshot(page, "switchboard-call")

    await expect(page.get_by_role("combobox", name="Person, Funktion oder Stelle")).to_be_focused()
    await page.keyboard.type("Kreiskasse")
    await expect(_results(page).first).to_contain_text("Kreiskasse (Eifelkreis Bitburg-Prüm)")
    await page.keyboard.press("Enter")
    assert await _clipboard(page) == "+49656115250"
    assert "call=" in page.url, "the call stays on the page while the operator searches"


async def test_a_number_of_no_line_pops_a_neutral_greeting(page: Page) -> None:
    response = await page.goto(f"/vermittlung?called={quote('+49 30 1234567')}")
    assert response is not None and response.status == 422
    await expect(page.locator(".call-banner")).to_contain_text(
        "„Servicecenter Eifel-Mosel-Hunsrück, guten Tag“"
    )
    await expect(page.get_by_role("status").filter(has_text="keiner Leitung")).to_be_visible()


async def test_leave_a_message_for_a_person_by_keyboard(page: Page, make_user, log_in) -> None:
    agent = await make_user("anna", "agent", password=PASSWORD)
    await log_in(page, "anna", PASSWORD, next_path="/vermittlung")
    await page.get_by_role("combobox", name="Person, Funktion oder Stelle").focus()
    await page.keyboard.type("Jana Hoffmann")
    await expect(_results(page).first).to_contain_text("Elterngeld")
    await page.keyboard.press("Alt+n")
    form = page.locator("form.ticket-form")
    await expect(form).to_contain_text("Nachricht hinterlassen")
    summary = form.get_by_label("Anliegen")
    await expect(summary).to_be_focused()
    await expect(summary).to_have_value("Nachricht für Jana Hoffmann: ")
    await page.keyboard.type("Bitte zurückrufen wegen des Antrags vom Montag.")
    for _ in range(12):
        if await page.evaluate("document.activeElement.textContent") == "Anliegen speichern":
            break
        await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status").filter(has_text="Anliegen aufgenommen")).to_be_visible()

    listed = await page.request.get("/api/v1/tickets?kind=message", headers=agent)
    [ticket] = await listed.json()
    assert (ticket["unit_id"], ticket["county"]) == ("kv-bitburg-pruem-jugendamt", "07232")
    assert ticket["summary"] == "Nachricht für Jana Hoffmann: Bitte zurückrufen wegen des Antrags vom Montag."
