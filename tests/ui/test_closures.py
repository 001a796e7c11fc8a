"""Closures and notices in a real browser: a county editor closes a unit and posts a notice in /verwaltung,
and the console shows the badge on the unit and the banner at once; a supervisor closes the 115 line for
today on /routing and a simulated call goes to the announcement."""

import datetime as dt

from playwright.async_api import Page, expect

from knowledge.calendar import BERLIN

PASSWORD = "Eifel-Mosel-2026!"


def _local(moment: dt.datetime) -> str:
    """A time as a datetime-local field takes it."""
    return moment.strftime("%Y-%m-%dT%H:%M")


async def test_a_county_editor_closes_a_unit_and_the_console_shows_it(
    page: Page, make_user, log_in, screenshot
) -> None:
    await make_user("dora", "county_editor", county="07233", password=PASSWORD)
    await log_in(page, "dora", PASSWORD)
    await page.get_by_role("link", name="Schließungen und Meldungen").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Schließungen und Meldungen")

    until = (dt.datetime.now(BERLIN) + dt.timedelta(days=3)).replace(hour=12, minute=0)
    form = page.locator("#closure-form")
    await form.get_by_label("Eine Stelle").check()
    await expect(form.get_by_label("Kreis", exact=True)).to_be_hidden()
    await form.get_by_label("Stelle", exact=True).select_option(label="Bürgerbüro VG Daun")
    await form.get_by_label("Bis").fill(_local(dt.datetime.now(BERLIN) - dt.timedelta(days=1)))
    await form.get_by_label("Grund").fill("Personalversammlung")
    await form.get_by_role("button", name="Schließung speichern").click()
    await expect(page.locator("#closure-until-error")).to_have_text("Das Ende muss nach dem Beginn liegen")
    await expect(form.get_by_label("Bis")).to_have_attribute("aria-invalid", "true")

    await form.get_by_label("Bis").fill(_local(until))
    await form.get_by_role("button", name="Schließung speichern").click()
    await expect(page.get_by_role("status").first).to_contain_text("Die Schließung ist gespeichert")
    await expect(page.locator("#closures-table")).to_contain_text("Stelle: Bürgerbüro VG Daun")

    notice = page.locator("#notice-form")
    await notice.get_by_label("Meldung").fill("Hochwasser: Kreisverwaltung Daun nur telefonisch erreichbar")
    await notice.get_by_label("Achtung").check()
    await notice.get_by_label("Bis").fill(_local(until))
    await notice.get_by_role("button", name="Meldung speichern").click()
    await expect(page.locator("#notices-table")).to_contain_text("Hochwasser")
    await screenshot(page, "closures-admin", full_page=True)

    await page.goto("/?county=07233")
    banner = page.get_by_role("region", name="Aktuelle Meldungen")
    await expect(banner).to_contain_text(
        "Vulkaneifel – Achtung: Hochwasser: Kreisverwaltung Daun nur telefonisch"
    )
    await page.keyboard.type("personalausweis daun")
    first = page.get_by_role("listbox", name="Suchergebnisse").get_by_role("option").first
    await expect(first.locator(".badge-closed")).to_contain_text("geschlossen bis")
    await page.keyboard.press("Enter")
    card = page.locator(".transfer-card").first
    await expect(card).to_contain_text("Bürgerbüro VG Daun")
    await expect(card.locator(".badge-closed")).to_contain_text("geschlossen bis")
    await expect(card).to_contain_text("geschlossen: Personalversammlung bis")
    await expect(card).to_contain_text("Öffnet wieder")
    await expect(card).to_contain_text("Achtung: Hochwasser")
    await screenshot(page, "console-closure")


async def test_a_supervisor_closes_the_115_line_for_today(page: Page, make_user, log_in, screenshot) -> None:
    await make_user("lena", "supervisor", password=PASSWORD)
    await log_in(page, "lena", PASSWORD, next_path="/statistik")
    await page.get_by_role("link", name="Routing › Leitung heute geschlossen").click()
    switch = page.locator("#today-form")
    await switch.get_by_label("Leitung").select_option(label="Leitung 115")
    await switch.get_by_label("Grund").fill("Betriebsversammlung")
    await switch.get_by_label("Ansagetext").fill("Das Servicecenter ist heute geschlossen.")
    await switch.get_by_role("button", name="Heute schließen").click()
    closures = page.locator("#line-closures")
    await expect(closures).to_contain_text("Leitung 115 · geschlossen: Betriebsversammlung bis 24:00")
    await screenshot(page, "routing-closed-today", full_page=True)

    await page.get_by_label("Angerufene Nummer").fill("115")
    await page.get_by_label("Zeitpunkt").fill(_local(dt.datetime.now(BERLIN)))
    await page.get_by_role("button", name="Anruf simulieren").click()
    decision = page.locator("#decision")
    await expect(decision).to_contain_text("geschlossen: Betriebsversammlung")
    await expect(decision).to_contain_text("Ansage: „Das Servicecenter ist heute geschlossen.“")

    page.on("dialog", lambda dialog: dialog.accept())
    await closures.get_by_role("button", name="Wieder öffnen: Leitung 115, Betriebsversammlung").click()
    await expect(page.locator("main")).to_contain_text("Keine Leitung und kein Kreis geschlossen.")
