"""The admin pages in a real browser: login, the start page, editing a unit, conflicts, history."""

import re

from playwright.async_api import Page, expect

PASSWORD = "Eifel-Mosel-2026!"
DAUN = "vg-daun-buergerbuero"


async def _unit(page: Page, unit_id: str) -> dict:
    response = await page.request.get(f"/api/v1/units/{unit_id}")
    assert response.ok
    return await response.json()


async def test_county_editor_changes_opening_hours_and_the_console_shows_them(
    page: Page, make_user, screenshot
) -> None:
    await make_user("dora", "county_editor", county="07233", password=PASSWORD)
    await page.goto("/verwaltung")
    await expect(page).to_have_url(re.compile(r"/anmelden\?next=/verwaltung$"))
    await expect(page.get_by_label("Benutzername")).to_be_focused()
    await screenshot(page, "admin-login")
    await page.get_by_label("Benutzername").fill("dora")
    await page.get_by_label("Passwort").fill(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"/verwaltung$"))
    await expect(page.locator(".account")).to_contain_text("dora")
    await expect(page.locator(".account")).to_contain_text("Kreisredaktion · Vulkaneifel")
    units = page.get_by_role("region", name=re.compile("Stellen"))
    await expect(units.get_by_role("link", name="Bürgerbüro VG Daun", exact=True)).to_be_visible()
    await expect(units).not_to_contain_text("Cochem")
    await screenshot(page, "admin-start", full_page=True)

    await units.get_by_role("link", name="Bürgerbüro VG Daun", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Bürgerbüro VG Daun")
    await page.get_by_label("Montag, 1. Zeitraum von").fill("07:15")
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.get_by_role("status")).to_contain_text("Gespeichert – jetzt Version 2")
    assert (await _unit(page, DAUN))["hours"]["mon"] == ["07:15-12:00", "14:00-16:00"]

    await page.goto("/?county=07233")
    await page.keyboard.type("personalausweis daun")
    await expect(
        page.get_by_role("listbox", name="Suchergebnisse").get_by_role("option").first
    ).to_contain_text("Personalausweis")
    await page.keyboard.press("Enter")
    card = page.locator(".transfer-card").first
    await expect(card).to_contain_text("Bürgerbüro VG Daun")
    await expect(card.locator(".hours")).to_contain_text("Mo 07:15–12:00, 14:00–16:00")


async def test_another_countys_unit_is_refused_without_a_form(page: Page, make_user, log_in) -> None:
    await make_user("dora", "county_editor", county="07233", password=PASSWORD)
    await log_in(page, "dora", PASSWORD)
    response = await page.goto("/verwaltung/stellen/kv-cochem-zell-zulassung")
    assert response is not None and response.status == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kein Zugriff")
    await expect(page.locator("main")).to_contain_text("Cochem-Zell")
    assert await page.locator("main form").count() == 0
    response = await page.goto("/verwaltung/leistungen/personalausweis-beantragen")
    assert response is not None and response.status == 403
    assert await page.locator("main form").count() == 0


async def test_validation_messages_appear_next_to_their_fields(
    page: Page, make_user, log_in, screenshot
) -> None:
    await make_user("dora", "county_editor", county="07233", password=PASSWORD)
    await log_in(page, "dora", PASSWORD, next_path=f"/verwaltung/stellen/{DAUN}")
    await page.get_by_label("PLZ").fill("5455")
    await page.get_by_label("Mittwoch, 1. Zeitraum bis").fill("07:00")
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.get_by_role("alert")).to_contain_text("Bitte prüfen Sie die markierten Angaben")
    postcode = page.get_by_label("PLZ")
    await expect(postcode).to_have_attribute("aria-invalid", "true")
    await expect(postcode).to_be_focused()
    await expect(page.locator("#unit-postcode-error")).to_have_text(
        "Bitte genau fünf Ziffern eingeben, z. B. 54550."
    )
    await expect(page.locator("#unit-hours-wed-error")).to_have_text("Das Ende liegt vor dem Beginn.")
    await expect(page.get_by_label("Mittwoch, 1. Zeitraum von")).to_have_attribute("aria-invalid", "true")
    assert (await _unit(page, DAUN))["version"] == 1
    await screenshot(page, "admin-edit-validation", full_page=True)


async def test_a_save_after_someone_else_saved_is_a_conflict_and_overwrites_nothing(
    page: Page, make_user, log_in, screenshot
) -> None:
    await make_user("dora", "county_editor", county="07233", password=PASSWORD)
    await log_in(page, "dora", PASSWORD, next_path=f"/verwaltung/stellen/{DAUN}")
    other = await page.context.new_page()
    await other.goto(f"/verwaltung/stellen/{DAUN}")

    await other.get_by_label("Durchwahl").fill("4711")
    await other.get_by_role("button", name="Speichern").click()
    await expect(other.get_by_role("status")).to_contain_text("Gespeichert")

    await page.get_by_label("Telefon").fill("+49 6592 939-999")
    await page.get_by_role("button", name="Speichern").click()
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("Jemand anderes hat diesen Eintrag inzwischen gespeichert")
    unit = await _unit(page, DAUN)
    assert (unit["extension"], unit["phone"], unit["version"]) == ("4711", "+49 6592 939-110", 2)
    await screenshot(page, "admin-edit-conflict")

    await alert.get_by_role("button", name="Aktuelle Fassung laden").click()
    await expect(page.get_by_label("Durchwahl")).to_have_value("4711")
    await expect(page.get_by_label("Telefon")).to_have_value("+49 6592 939-110")


async def test_history_shows_the_change_and_restores_an_earlier_version(
    page: Page, make_user, log_in, screenshot
) -> None:
    await make_user("carl", "catalogue_editor", password=PASSWORD)
    await log_in(page, "carl", PASSWORD, next_path="/verwaltung/leistungen/personalausweis-beantragen")
    await page.get_by_label("Bezeichnung").fill("Personalausweis beantragen oder verlängern")
    await page.get_by_label("Suchbegriffe").fill("Perso\nAusweis\nPA")
    await page.get_by_role("button", name="Speichern").click()
    await expect(page.get_by_role("status")).to_contain_text("Version 2")

    await page.get_by_role("link", name="Verlauf ansehen").click()
    latest = page.locator(".version").first
    await expect(latest.get_by_role("heading")).to_contain_text("Version 2")
    await expect(latest).to_contain_text("Geändert von carl")
    await expect(latest.get_by_role("row", name=re.compile("Bezeichnung"))).to_contain_text(
        "Personalausweis beantragenPersonalausweis beantragen oder verlängern"
    )
    await screenshot(page, "admin-history", full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name="Version 1 wiederherstellen").click()
    await expect(page.get_by_role("status")).to_contain_text("Version 1 wurde wiederhergestellt")
    await expect(page.locator(".version").first).to_contain_text("Wiederhergestellt von carl")
    service = await (await page.request.get("/api/v1/services/personalausweis-beantragen")).json()
    assert (service["title"], service["version"]) == ("Personalausweis beantragen", 3)
    assert "Ausweis verlängern" in service["synonyms"]


async def test_wrong_password_then_throttling_then_logout(page: Page, make_user, log_in) -> None:
    await make_user("dora", "county_editor", county="07233", password=PASSWORD)
    await page.goto("/anmelden")
    await page.get_by_label("Benutzername").fill("dora")
    for _ in range(5):
        await page.get_by_label("Passwort").fill("falsch")
        await page.get_by_role("button", name="Anmelden").click()
        await expect(page.locator("#login-password-error")).to_have_text(
            "Benutzername oder Passwort stimmt nicht."
        )
    await page.get_by_label("Passwort").fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()
    await expect(page.get_by_role("alert")).to_contain_text("Zu viele fehlgeschlagene Anmeldungen")

    await make_user("erik", "admin", password=PASSWORD)
    await log_in(page, "erik", PASSWORD)
    await expect(page.locator(".account")).to_contain_text("Administration")
    await page.get_by_role("button", name="Abmelden").click()
    await expect(page).to_have_url(re.compile(r"/anmelden\?abgemeldet=1$"))
    await expect(page.get_by_role("status")).to_contain_text("Sie sind abgemeldet")
    await page.goto("/verwaltung")
    await expect(page).to_have_url(re.compile(r"/anmelden\?next="))


async def test_county_editor_changes_adds_and_removes_a_responsibility(page: Page, make_user, log_in) -> None:
    await make_user("dora", "county_editor", county="07233", password=PASSWORD)
    path = "/verwaltung/leistungen/personalausweis-beantragen/zustaendigkeiten"
    await log_in(page, "dora", PASSWORD, next_path=path)
    county = page.get_by_role("region", name="Vulkaneifel")
    existing = county.locator("form[data-entry-url]").first
    await existing.get_by_label("Hinweis für die Auskunft").fill("Termin online buchen")
    await existing.get_by_role("button", name="Speichern").click()
    await expect(existing.get_by_role("status")).to_contain_text("Gespeichert")

    new = county.get_by_role("form", name="Neue Zuständigkeit in Vulkaneifel")
    await new.get_by_role("button", name="Anlegen").click()
    await expect(new.get_by_label("Zuständige Stelle")).to_have_attribute("aria-invalid", "true")
    await expect(new.locator(".field-error").filter(has_text="Bitte ausfüllen.")).to_be_visible()


async def test_login_with_a_tab_in_next_stays_on_this_site(page: Page, make_user, base_url: str) -> None:
    """`/%09/evil.example`: the browser drops the tab and would go to //evil.example after login."""
    await make_user("erik", "admin", password=PASSWORD)
    await page.goto("/anmelden?next=/%09/evil.example")
    await page.get_by_label("Benutzername").fill("erik")
    await page.get_by_label("Passwort").fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()
    await page.wait_for_url(lambda url: not url.startswith(f"{base_url}/anmelden"))
    assert page.url == f"{base_url}/verwaltung"
