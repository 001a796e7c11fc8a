"""The routing view in a real browser: readable rules and "Anruf simulieren"."""

import re

from playwright.async_api import Page, expect

ENGLISH = re.compile(
    r"\b(rule|rules|match|county|caller|route|schedule|line|saturated|unknown|free|wait|none|open|closed|"
    r"topic|pool is|service|switchboard|area code)\b"
)
"""Words the English trace and rule ids used; the routing page must show none of them."""


async def test_simulated_call_shows_the_decision_and_its_trace(page: Page, screenshot) -> None:
    await page.goto("/routing")
    await expect(page.locator("#rule-115-by-caller-area")).to_contain_text("Kreis des Anrufs ist bekannt")
    await expect(page.locator("#rule-115-by-caller-area .rule-head")).to_have_text(
        "4 Regel 4 „115 an den Pool des Kreises aus der Vorwahl“"
    )
    await expect(page.locator(".schedules")).to_contain_text("24.12., 31.12.")
    await page.get_by_label("Angerufene Nummer").fill("115")
    await page.get_by_label("Anrufende Nummer").fill("02671 123456")
    await page.get_by_label("Zeitpunkt").fill("2026-11-23T09:30")
    await page.get_by_role("button", name="Anruf simulieren").click()

    decision = page.locator("#decision")
    await expect(decision).to_be_visible()
    await expect(decision).to_contain_text("EMH Cochem-Zell")
    await expect(decision).to_contain_text("Regel 4 „115 an den Pool des Kreises aus der Vorwahl“")
    await expect(decision.locator(".trace-match")).to_contain_text("trifft zu")
    await expect(decision.locator(".trace li").nth(1)).to_contain_text(
        "Anrufer: Vorwahl 02671 gehört zu Cochem-Zell ("
    )
    await expect(decision.locator(".trace li").nth(3)).to_contain_text("Mo 23.11.2026 09:30 Uhr")
    assert await decision.locator(".trace li").count() >= 5
    text = await page.locator("main").inner_text()
    assert not ENGLISH.search(text), ENGLISH.search(text)
    assert not any(rule_id in text for rule_id in ("115-by-caller-area", "115-closed", "department-by-topic"))
    assert "07135" not in await decision.inner_text()  # the call's county by name
    await screenshot(page, "routing-simulation", full_page=True)


async def test_a_number_that_is_no_line_gets_a_message_at_the_field(page: Page) -> None:
    await page.goto("/routing")
    await page.get_by_label("Angerufene Nummer").fill("+49 30 1234567")
    await page.get_by_role("button", name="Anruf simulieren").click()
    await expect(page.get_by_role("alert")).to_contain_text("keine Leitung")
    await expect(page.get_by_label("Angerufene Nummer")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#decision")).to_be_hidden()


async def test_a_busy_pool_in_the_simulator_shows_the_overflow(page: Page, axe) -> None:
    await page.goto("/routing")
    await page.get_by_label("Angerufene Nummer").fill("02671 61-0")
    await page.get_by_label("Zeitpunkt").fill("2026-11-23T09:30")
    await page.get_by_label("EMH Cochem-Zell").select_option("saturated")
    await page.get_by_role("button", name="Anruf simulieren").click()
    decision = page.locator("#decision")
    await expect(decision).to_contain_text("Regel 7 „Überlauf in den gemeinsamen Pool“")
    await expect(decision.locator("dd").first).to_contain_text("EMH alle Kreise")
    await expect(decision.locator(".trace")).to_contain_text(
        "Pool „EMH Cochem-Zell“ ist ausgelastet (0 frei, längste Wartezeit 3600 s, Grenze 30 s)"
    )
    pools = await (await page.request.get("/api/v1/pools")).json()
    assert all(pool["state"] is None for pool in pools)  # the simulation reported nothing
    text = await page.locator("main").inner_text()
    assert not ENGLISH.search(text), ENGLISH.search(text)
    await axe(page)


async def test_the_simulator_works_by_keyboard_alone(page: Page) -> None:
    await page.goto("/routing")
    await page.get_by_label("Angerufene Nummer").focus()
    await page.keyboard.press("Control+a")
    await page.keyboard.type("115")
    await page.keyboard.press("Tab")
    await page.keyboard.type("06592 1234")
    await page.keyboard.press("Enter")
    decision = page.locator("#decision")
    await expect(decision).to_be_focused()
    await expect(decision.locator(".decision-facts")).to_contain_text(
        "Vulkaneifel"
    )  # the Kreis, whatever the hour
