"""The admin pages for running the center in a real browser: users and tokens, routing rule versions,
catalogue import with a dry run, pool state — each by keyboard where it matters, each checked by axe."""

import json
import re
from pathlib import Path

from playwright.async_api import Page, expect

PASSWORD = "Eifel-Mosel-2026!"


async def _admin(page: Page, make_user, log_in, next_path: str) -> None:
    await make_user("chefin", "admin", password=PASSWORD)
    await log_in(page, "chefin", PASSWORD, next_path=next_path)


async def test_an_admin_creates_a_user_by_keyboard_who_can_then_log_in(
    page: Page, make_user, log_in, axe, screenshot, browser
) -> None:
    await _admin(page, make_user, log_in, "/verwaltung/benutzer")
    await axe(page)
    await page.get_by_label("Name").focus()
    await page.keyboard.type("dora.daun")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Kreisred")  # the role select, chosen by typing
    await page.keyboard.press("Tab")
    await page.keyboard.type("Vulk")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"/verwaltung/benutzer/dora\.daun\?ok=angelegt$"))
    await expect(page.get_by_role("status")).to_contain_text("Der Benutzer wurde angelegt.")
    await expect(page.locator(".lead")).to_contain_text("Kreisredaktion · Vulkaneifel")
    await axe(page)
    await screenshot(page, "admin-user", full_page=True)

    other = await browser.new_context(base_url=page.url.split("/verwaltung")[0], locale="de-DE")
    dora = await other.new_page()
    await log_in(dora, "dora.daun", PASSWORD)
    await expect(dora.locator(".account")).to_contain_text("Kreisredaktion · Vulkaneifel")
    await other.close()


async def test_a_role_without_its_county_is_refused_at_the_field(page: Page, make_user, log_in) -> None:
    await _admin(page, make_user, log_in, "/verwaltung/benutzer")
    await page.get_by_label("Name").fill("ed")
    await page.get_by_label("Rolle").select_option("county_editor")
    await page.get_by_label("Passwort").fill(PASSWORD)
    await page.get_by_role("button", name="Benutzer anlegen").click()
    county = page.get_by_label("Kreis")
    await expect(county).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#new-user-county-error")).to_have_text(
        "Die Kreisredaktion braucht einen Kreis; andere Rollen haben keinen."
    )
    await expect(county).to_be_focused()


async def test_disable_reset_password_and_tokens(page: Page, make_user, log_in, axe, browser) -> None:
    await make_user("anna", "agent", password=PASSWORD)
    await _admin(page, make_user, log_in, "/verwaltung/benutzer/anna")
    await page.get_by_role("button", name="Benutzer sperren").click()
    await expect(page.get_by_role("status")).to_contain_text("gesperrt")
    await expect(page.locator(".lead .badge")).to_contain_text("gesperrt seit")

    other = await browser.new_context(base_url=page.url.split("/verwaltung")[0], locale="de-DE")
    anna = await other.new_page()
    await anna.goto("/anmelden")
    await anna.get_by_label("Benutzername").fill("anna")
    await anna.get_by_label("Passwort").fill(PASSWORD)
    await anna.get_by_role("button", name="Anmelden").click()
    await expect(anna.get_by_role("alert")).to_have_text(
        "Dieses Konto ist gesperrt. Bitte wenden Sie sich an die Administration."
    )

    await page.get_by_role("button", name="Benutzer entsperren").click()
    await expect(page.get_by_role("status")).to_contain_text("wieder freigeschaltet")
    await page.get_by_role("textbox", name="Neues Passwort").fill("ein ganz neues Passwort")
    await page.get_by_role("button", name="Passwort setzen").click()
    await expect(page.get_by_role("status")).to_contain_text("Das neue Passwort gilt ab sofort")
    await anna.get_by_label("Passwort").fill("ein ganz neues Passwort")
    await anna.get_by_role("button", name="Anmelden").click()
    await expect(anna).to_have_url(re.compile(r"/verwaltung$"))
    await other.close()

    await page.get_by_role("button", name="Neues Token erstellen").click()
    shown = page.locator("#tokens-status .secret")
    await expect(shown).to_have_text(re.compile(r"^sc_"))
    token = await shown.inner_text()
    pools = await page.request.get("/api/v1/pools")
    assert pools.ok
    state = {"agents_available": 1, "calls_waiting": 0, "longest_wait_s": 0}
    answer = await page.request.put(
        "/api/v1/pools/emh-all/state", data=json.dumps(state),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    assert answer.status == 403  # an agent's token: known, but not allowed to report pools
    await axe(page)
    await page.reload()
    revoke = page.get_by_role("button", name=re.compile(r"^Token [0-9a-f]{12} widerrufen$"))
    await expect(revoke).to_have_count(2)  # make_user's and the new one
    await revoke.first.click()
    await expect(page.get_by_role("status")).to_contain_text("widerrufen")
    await expect(page.get_by_role("button", name=re.compile("widerrufen$"))).to_have_count(1)


async def test_rule_versions_save_compare_activate_and_roll_back(
    page: Page, make_user, log_in, axe, screenshot
) -> None:
    await _admin(page, make_user, log_in, "/verwaltung/routing")
    await expect(page.locator(".lead")).to_contain_text("die Regeldatei emh.yaml")
    await axe(page)
    text = page.get_by_label("Regeldatei (YAML)")
    original = await text.input_value()
    await text.fill(original.replace("title: Überlauf in den gemeinsamen Pool", "title: Überlauf zu allen"))
    await page.get_by_role("button", name="Prüfen und speichern").click()
    await expect(page.get_by_role("status")).to_contain_text("als neue Version gespeichert")
    await expect(page.locator(".lead")).to_contain_text("Version 1")

    await page.get_by_label("Regeldatei (YAML)").fill(original.replace("rules:", "regeln:"))
    await page.get_by_role("button", name="Prüfen und speichern").click()
    await expect(page.get_by_role("alert")).to_contain_text("es wurde nichts gespeichert")
    await expect(page.locator("#rules-text-error")).to_contain_text("Zeile")

    await page.get_by_label("Regeldatei (YAML)").fill(original)
    await page.get_by_label("Sofort in Kraft setzen").uncheck()
    await page.get_by_role("button", name="Prüfen und speichern").click()
    await expect(page.get_by_role("status")).to_contain_text("als neue Version gespeichert")
    await page.get_by_role("link", name="Version 2", exact=True).click()
    diff = page.locator(".diff")
    await expect(diff.locator(".diff-del")).to_have_text(["-    title: Überlauf zu allen"])
    await expect(diff.locator(".diff-add")).to_have_text(["+    title: Überlauf in den gemeinsamen Pool"])
    await axe(page)
    await screenshot(page, "admin-rules-diff", full_page=True)
    await page.get_by_role("button", name="In Kraft setzen: Version 2").click()
    await expect(page.get_by_role("status")).to_contain_text("jetzt in Kraft")
    await page.get_by_role("button", name="Zurückrollen auf Version 1").click()
    await expect(page.locator(".lead")).to_contain_text("Version 1")
    await page.goto("/routing")
    await expect(page.locator(".rule-list")).to_contain_text("Regel 7 „Überlauf zu allen“")


async def test_import_shows_a_dry_run_before_it_changes_anything(
    page: Page, make_user, log_in, axe, tmp_path: Path
) -> None:
    await _admin(page, make_user, log_in, "/verwaltung/import")
    document = await (await page.request.get("/api/v1/export")).json()
    vulkaneifel = next(c for c in document["counties"] if c["key"] == "07233")
    vulkaneifel["website"] = "https://www.vulkaneifel.de/neu"
    upload = tmp_path / "katalog.json"
    upload.write_text(json.dumps({"counties": document["counties"]}), encoding="utf-8")
    run = page.get_by_role("button", name="Importieren")
    await expect(run).to_be_disabled()
    await page.get_by_label("Katalogdokument").set_input_files(upload)
    await page.get_by_role("button", name="Probelauf").click()
    report = page.locator("#import-report")
    await expect(report).to_contain_text(
        "Probelauf: so würde sich der Katalog ändern. Gespeichert wurde nichts."
    )
    await expect(report.get_by_role("row", name=re.compile("^Kreise"))).to_have_text(
        re.compile(r"Kreise\s*0\s*1\s*3")
    )
    await axe(page)
    unchanged = await (await page.request.get("/api/v1/export")).json()
    assert next(c for c in unchanged["counties"] if c["key"] == "07233")["website"] != vulkaneifel["website"]
    await run.click()
    await expect(report).to_contain_text("Importiert: der Katalog ist geändert.")
    changed = await (await page.request.get("/api/v1/export")).json()
    assert next(c for c in changed["counties"] if c["key"] == "07233")["website"] == vulkaneifel["website"]
    await expect(run).to_be_disabled()


async def test_an_admin_sets_a_pools_state_and_routing_follows(page: Page, make_user, log_in, axe) -> None:
    await _admin(page, make_user, log_in, "/verwaltung/pools")
    await axe(page)
    form = page.locator("form", has=page.get_by_role("button", name="Stand setzen: EMH Cochem-Zell"))
    await form.get_by_label("Freie Agenten").fill("0")
    await form.get_by_label("Wartende Anrufe").fill("12")
    await form.get_by_label("Längste Wartezeit (Sekunden)").fill("95")
    await form.get_by_role("button", name="Stand setzen: EMH Cochem-Zell").click()
    await expect(page.get_by_role("status")).to_contain_text("Der Stand des Pools wurde gesetzt.")
    await expect(page.get_by_role("region", name=re.compile("EMH Cochem-Zell"))).to_contain_text(
        "0 frei, 12 wartend, längste Wartezeit 95 s"
    )
    decision = await (
        await page.request.get("/api/v1/route", params={"called": "+49 2671 61-0", "at": "2026-11-23T09:30"})
    ).json()
    assert decision["target"]["id"] == "emh-all"


async def test_the_admin_start_page_links_every_operations_page(page: Page, make_user, log_in) -> None:
    await _admin(page, make_user, log_in, "/verwaltung")
    operations = page.get_by_role("region", name="Betrieb")
    for name in ("Benutzer", "Routing-Regeln", "Katalog importieren", "Pools"):
        await expect(operations.get_by_role("link", name=name, exact=True)).to_be_visible()


async def test_other_roles_get_no_operations_page(page: Page, make_user, log_in) -> None:
    await make_user("karl", "catalogue_editor", password=PASSWORD)
    await log_in(page, "karl", PASSWORD)
    assert await page.get_by_role("region", name="Betrieb").count() == 0
    for path in ("/verwaltung/benutzer", "/verwaltung/routing", "/verwaltung/import", "/verwaltung/pools"):
        response = await page.goto(path)
        assert response is not None and response.status == 403, path
        assert await page.locator("main form").count() == 0
