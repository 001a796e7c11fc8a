"""People of the switchboard directory in /verwaltung, in a real browser: a county editor adds a person,
marks them away with a deputy, and removes someone who left; a deputy is not removed."""

import datetime as dt

from playwright.async_api import Page, expect

PASSWORD = "ein langes Passwort"


async def test_a_county_editor_adds_marks_away_and_removes_a_person(
    page: Page, make_user, log_in, screenshot
) -> None:
    await make_user("dora", "county_editor", county="07233", password=PASSWORD)
    await log_in(page, "dora", PASSWORD)
    people = page.get_by_role("region", name="Personen im Telefonverzeichnis")
    await expect(people.get_by_role("link", name="Katrin Meyer", exact=True)).to_be_visible()
    await expect(people).not_to_contain_text("Thomas Müller")  # another county's people are not listed
    await people.get_by_role("link", name="Person hinzufügen").click()

    form = page.locator("#person-form")
    await form.get_by_label("Name").fill("Jonas Beispiel")
    await form.get_by_label("Funktion").fill("Sachbearbeitung Kita-Gebühren")
    await form.get_by_label("Stelle").select_option(label="Jugendamt (Landkreis Vulkaneifel)")
    await form.get_by_label("Durchwahl").fill("55-7")
    await form.get_by_role("button", name="Person anlegen").click()
    await expect(form.locator('[data-field="extension"] .field-error')).to_have_text(
        "Nur Ziffern, höchstens sechs."
    )
    await form.get_by_label("Durchwahl").fill("557")
    await form.get_by_role("button", name="Person anlegen").click()
    await page.wait_for_url("**/verwaltung/personen/07233-jonas-beispiel?gespeichert=neu")
    await expect(page.get_by_role("status").filter(has_text="Die Person wurde angelegt")).to_be_visible()

    until = dt.date.today() + dt.timedelta(days=5)
    await form.get_by_label("Abwesend bis einschließlich").fill(until.isoformat())
    await form.get_by_label("Vertretung").select_option(
        label="Paul Klein (Stellvertretende Leitung des Jugendamts)"
    )
    await form.get_by_role("button", name="Speichern").click()
    await expect(form.locator(".form-status")).to_contain_text("jetzt Version 2")
    await screenshot(page, "admin-person")

    page.once("dialog", lambda dialog: dialog.accept())
    await form.get_by_role("button", name="Person entfernen").click()
    await page.wait_for_url("**/verwaltung?entfernt=1")
    await expect(
        page.get_by_role("status").filter(has_text="aus dem Telefonverzeichnis entfernt")
    ).to_be_visible()
    await expect(page.get_by_role("link", name="Jonas Beispiel", exact=True)).to_have_count(0)


async def test_a_deputy_is_not_removed(page: Page, make_user, log_in) -> None:
    await make_user("dora", "county_editor", county="07233", password=PASSWORD)
    await log_in(page, "dora", PASSWORD, next_path="/verwaltung/personen/dau-klein")
    page.once("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name="Person entfernen").click()
    await expect(page.get_by_role("alert")).to_contain_text("Vertretung eingetragen für: Katrin Meyer")
    await page.goto("/verwaltung/personen/bit-mueller")
    await expect(page.get_by_role("heading", name="Kein Zugriff")).to_be_visible()
