"""The agent console in a real browser: search as you type, keyboard, detail, call context."""

import re

from playwright.async_api import Page, expect


async def test_typing_shows_results_and_enter_opens_the_responsible_unit(page: Page, screenshot) -> None:
    await page.goto("/")
    search = page.get_by_role("combobox", name="Anliegen oder Leistung")
    await expect(search).to_be_focused()
    await page.keyboard.type("hundesteuer gerolstein")
    options = page.get_by_role("listbox", name="Suchergebnisse").get_by_role("option")
    await expect(options.first).to_contain_text("Hundesteuer")
    await expect(page.locator("#search-status")).to_contain_text("Gerolstein")
    await screenshot(page, "console-results")

    await page.keyboard.press("ArrowDown")
    await expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    await page.keyboard.press("ArrowUp")
    await expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    first_title = await options.nth(0).locator(".result-title").inner_text()
    await page.keyboard.press("Enter")

    detail = page.locator("#detail")
    await expect(detail.get_by_role("heading", level=2)).to_have_text(first_title)
    card = detail.locator(".transfer-card")
    await expect(card).to_contain_text("VG Gerolstein")
    await expect(card.locator(".transfer-main .transfer-number")).to_have_text(re.compile(r"^\+49 6591 "))
    await expect(search).to_be_focused()
    await screenshot(page, "console-detail", full_page=True)


async def test_copy_button_puts_the_transfer_number_on_the_clipboard(page: Page) -> None:
    await page.goto("/?q=hundesteuer+gerolstein")
    await expect(
        page.get_by_role("listbox", name="Suchergebnisse").get_by_role("option").first
    ).to_be_visible()
    await page.keyboard.press("Enter")
    number = await page.locator(".transfer-main .transfer-number").inner_text()
    await page.locator(".transfer-main").get_by_role("button").click()
    await expect(page.locator(".transfer-main").get_by_role("button")).to_have_text("Kopiert ✓")
    assert await page.evaluate("navigator.clipboard.readText()") == number


async def test_the_county_selector_narrows_who_is_responsible(page: Page) -> None:
    await page.goto("/")
    await page.get_by_label("Kreis", exact=True).select_option("07135")
    await page.get_by_role("combobox", name="Anliegen oder Leistung").fill("Wunschkennzeichen")
    await expect(
        page.get_by_role("listbox", name="Suchergebnisse").get_by_role("option").first
    ).to_be_visible()
    await page.get_by_role("combobox", name="Anliegen oder Leistung").press("Enter")
    await expect(page.locator(".transfer-card")).to_contain_text("Cochem-Zell")
    assert "county=07135" in page.url


async def test_call_context_shows_the_greeting_and_preselects_the_county(page: Page, screenshot) -> None:
    await page.goto("/?called=115&caller=%2B49%202671%20555123")
    await expect(page).to_have_url(re.compile(r"/\?call=[0-9a-f]+$"))
    banner = page.locator(".call-banner")
    await expect(banner.locator(".greeting")).to_have_text(re.compile("Behördennummer 115"))
    await expect(banner).to_contain_text("Cochem-Zell")
    await expect(page.get_by_label("Kreis", exact=True)).to_have_value("07135")
    assert "555123" not in await page.content()
    await page.keyboard.type("personalausweis")
    await expect(
        page.get_by_role("listbox", name="Suchergebnisse").get_by_role("option").first
    ).to_be_visible()
    await screenshot(page, "console-call")
