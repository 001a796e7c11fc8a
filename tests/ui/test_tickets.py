"""Tickets in a real browser: the agent records a question from a search hit and forwards it, the unit
answers through the link in its mail (no account), and the agent sees it answered in the worklist."""

import datetime as dt
import email
import email.policy
import re

import pytest
from playwright.async_api import Browser, Page, expect

from servicecenter.app import create_app
from servicecenter.keys import TICKET_WORKER

PASSWORD = "ein langes Passwort"
LINK = re.compile(r"https?://\S+(/anliegen/[A-Za-z0-9_-]{40,})")


@pytest.fixture
def app(settings):
    """The real application; its ticket worker is driven by the test, round by round."""
    return create_app(settings.model_copy(update={"ticket_worker": False}))


@pytest.fixture
async def base_url(aiohttp_server, app) -> str:
    server = await aiohttp_server(app, host="127.0.0.1")
    return str(server.make_url("")).rstrip("/")


async def test_agent_records_a_question_the_unit_answers_through_the_link(
    page: Page, browser: Browser, base_url: str, app, settings, make_user, log_in, screenshot, axe
) -> None:
    await make_user("anna", "agent", password=PASSWORD)
    await log_in(page, "anna", PASSWORD, next_path="/")
    await page.get_by_role("combobox", name="Anliegen oder Leistung").fill("hundesteuer gerolstein")
    options = page.get_by_role("listbox", name="Suchergebnisse").get_by_role("option")
    await expect(options.first).to_contain_text("Hundesteuer")
    await page.get_by_role("combobox", name="Anliegen oder Leistung").press("Enter")
    await page.get_by_role("button", name="Anliegen aufnehmen").click()

    form = page.locator("form.ticket-form")
    await expect(form).to_contain_text("VG Gerolstein")
    await form.get_by_label("Was ist zu tun?").select_option("forward")
    await form.get_by_label("Anliegen").fill(
        "Muss ich den zweiten Hund extra anmelden, wenn er nur zu Besuch ist?"
    )
    await form.get_by_label("Telefon").fill("+49 6591 4711")
    await form.get_by_role("button", name="Anliegen speichern").click()
    await expect(form.locator(".field-error").filter(has_text="Einwilligung")).to_be_visible()
    await form.get_by_label("Die Person ist einverstanden").check()
    await screenshot(page, "ticket-record")
    await form.get_by_role("button", name="Anliegen speichern").click()
    await expect(page.get_by_role("status").filter(has_text="Anliegen aufgenommen")).to_be_visible()

    assert (await app[TICKET_WORKER].step(dt.datetime.now(dt.UTC))).sent == 1
    [mail] = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in settings.outbox_dir.glob("*.eml")
    ]
    answer_path = LINK.search(mail.get_body(("plain",)).get_content()).group(1)

    unit_context = await browser.new_context(locale="de-DE", base_url=base_url)
    unit_page = await unit_context.new_page()
    await unit_page.goto(answer_path)
    await expect(unit_page.get_by_role("heading", name="Anfrage aus dem Servicecenter")).to_be_visible()
    await expect(unit_page.locator(".question")).to_contain_text("zweiten Hund")
    assert "4711" not in await unit_page.content()
    await unit_page.get_by_label("Antwort an die anfragende Person").fill(
        "Nein, Besuchshunde bis zwei Monate sind frei."
    )
    await screenshot(unit_page, "ticket-answer")
    await axe(unit_page)
    await unit_page.get_by_role("button", name="Antwort senden").click()
    await expect(unit_page.get_by_role("status")).to_contain_text("Vielen Dank")
    await axe(unit_page)
    await unit_context.close()

    await page.goto("/anliegen")
    row = page.get_by_role("row").filter(has_text="zweiten Hund")
    await expect(row).to_contain_text("beantwortet")
    await screenshot(page, "ticket-worklist")
    await row.get_by_role("link").click()
    await expect(page.locator("#unit-answer")).to_contain_text("Besuchshunde bis zwei Monate sind frei")
    await expect(page.locator(".service-answer")).to_contain_text("Hundesteuer")
    await page.get_by_label("Was wurde getan?").fill("Rückruf erledigt, Antwort weitergegeben.")
    await page.get_by_role("button", name="Erledigt – abschließen").click()
    await expect(page.locator("#ticket-state")).to_have_text("abgeschlossen")
    await screenshot(page, "ticket-page", full_page=True)


async def test_the_switchboard_leaves_a_message_for_a_unit(page: Page, app, make_user, log_in) -> None:
    await make_user("vera", "agent", password=PASSWORD)
    await log_in(page, "vera", PASSWORD, next_path="/vermittlung")
    await page.get_by_role("combobox", name="Person, Funktion oder Stelle").fill("kfz zulassung cochem")
    first = page.get_by_role("grid", name="Gefundene Personen und Stellen").get_by_role("gridcell").first
    await expect(first).to_contain_text("Zulassung")
    await first.get_by_role("button", name="Nachricht hinterlassen").click()
    form = page.locator("#message-area form")
    await expect(form.get_by_role("heading")).to_have_text("Nachricht hinterlassen")
    await form.get_by_label("Anliegen").fill(
        "Herr M. bittet um Rückruf wegen der Abmeldung seines Anhängers."
    )
    await form.get_by_role("button", name="Anliegen speichern").click()
    await expect(page.get_by_role("status").filter(has_text="Anliegen aufgenommen")).to_be_visible()
    await page.get_by_role("link", name="Anliegen öffnen").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Nachricht: Herr M. bittet um Rückruf")
    await expect(page.locator(".ticket-facts")).to_contain_text("Kfz-Zulassungsstelle")
