"""The routing view in a real browser: readable rules and "Anruf simulieren"."""

from playwright.async_api import Page, expect


async def test_simulated_call_shows_the_decision_and_its_trace(page: Page, screenshot) -> None:
    await page.goto("/routing")
    await expect(page.locator("#rule-115-by-caller-area")).to_contain_text("Kreis des Anrufs ist bekannt")
    await page.get_by_label("Angerufene Nummer").fill("115")
    await page.get_by_label("Anrufende Nummer").fill("02671 123456")
    await page.get_by_label("Zeitpunkt").fill("2026-11-23T09:30")
    await page.get_by_role("button", name="Anruf simulieren").click()

    decision = page.locator("#decision")
    await expect(decision).to_be_visible()
    await expect(decision).to_contain_text("EMH Cochem-Zell")
    await expect(decision).to_contain_text("115-by-caller-area")
    await expect(decision.locator(".trace-match")).to_contain_text("trifft zu")
    assert await decision.locator(".trace li").count() >= 5
    await screenshot(page, "routing-simulation", full_page=True)


async def test_a_number_that_is_no_line_gets_a_message_at_the_field(page: Page) -> None:
    await page.goto("/routing")
    await page.get_by_label("Angerufene Nummer").fill("+49 30 1234567")
    await page.get_by_role("button", name="Anruf simulieren").click()
    await expect(page.get_by_role("alert")).to_contain_text("keine Leitung")
    await expect(page.get_by_label("Angerufene Nummer")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#decision")).to_be_hidden()
