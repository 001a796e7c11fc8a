"""The switchboard lookup in a real browser: find a unit, copy the number to transfer to."""

from playwright.async_api import Page, expect


async def test_lookup_finds_a_unit_and_enter_copies_its_number(page: Page, screenshot) -> None:
    await page.goto("/vermittlung")
    search = page.get_by_role("combobox", name="Stelle oder Thema")
    await expect(search).to_be_focused()
    await page.keyboard.type("kfz zulassung cochem")
    first = page.get_by_role("listbox", name="Gefundene Stellen").get_by_role("option").first
    await expect(first).to_contain_text("Kfz-Zulassungsstelle (Landkreis Cochem-Zell)")
    await expect(first).to_contain_text("DW 300")
    await expect(first).to_have_attribute("aria-selected", "true")
    await page.keyboard.press("Enter")
    await expect(page.locator("#unit-status")).to_contain_text("kopiert")
    assert await page.evaluate("navigator.clipboard.readText()") == "+49 2671 61-300"
    await search.fill("Führerschein")
    await expect(page.get_by_role("listbox", name="Gefundene Stellen").get_by_role("option")).to_have_count(4)
    await screenshot(page, "switchboard")
