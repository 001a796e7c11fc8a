"""The agent console in a real browser: search as you type, keyboard, detail, call context."""

import datetime as dt
import json
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


RESULTS = "Suchergebnisse"


async def _results(page: Page):
    options = page.get_by_role("listbox", name=RESULTS).get_by_role("option")
    await expect(options.first).to_be_visible()
    return options


async def test_without_county_or_place_the_results_name_no_office_and_no_number(page: Page, axe) -> None:
    await page.goto("/")
    await page.keyboard.type("personalausweis")
    options = await _results(page)
    first = options.first.locator(".result-meta")
    await expect(first).to_have_text(re.compile(r"^\d+ Stellen – Ort erfragen$"))
    listing = await page.get_by_role("listbox", name=RESULTS).inner_text()
    assert "+49" not in listing and "Bürgerbüro" not in listing
    await expect(page.locator("#search-status")).to_contain_text("Ort erfragen")
    await axe(page)

    await page.keyboard.type(" daun")
    await expect(options.first.locator(".result-meta")).to_contain_text("Bürgerbüro VG Daun")
    await expect(options.first.locator(".result-meta")).to_contain_text("+49 6592 939-110")


async def test_a_county_without_a_place_asks_for_the_place_when_several_units_serve_it(page: Page) -> None:
    await page.goto("/?county=07233")
    await page.keyboard.type("personalausweis")
    options = await _results(page)
    await expect(options.first.locator(".result-meta")).to_have_text(
        re.compile(r"^\d+ Stellen in Vulkaneifel – Ort erfragen$")
    )


async def test_the_transfer_card_shows_address_today_and_the_week_grouped(
    page: Page, axe, screenshot
) -> None:
    await page.goto("/?county=07233")
    await page.keyboard.type("personalausweis daun")
    await _results(page)
    await expect(page.locator("#search-status")).to_contain_text("Ort erkannt: Daun")
    await page.keyboard.press("Enter")
    card = page.locator(".transfer-card")
    await expect(card.get_by_role("heading", level=3)).to_have_text("Bürgerbüro VG Daun")
    await expect(card.locator(".address")).to_have_text("Besuchsadresse Leopoldstraße 29, 54550 Daun")
    await expect(card.locator(".hours-today")).to_contain_text("Heute: ")
    await expect(card.locator(".hours-block .hours")).to_contain_text("Do 08:00–12:00, 14:00–18:00")
    await expect(page.locator("#search-status")).to_have_text(re.compile(r"^Angezeigt: Personalausweis"))
    await axe(page)
    await screenshot(page, "console-transfer-card", full_page=True)


async def test_a_closed_unit_says_when_it_opens_again(page: Page, make_user) -> None:
    """The unit's only hours are two days ahead: closed today, whatever the time of the test."""
    admin = await make_user("admin", "admin")
    unit = "vg-daun-buergerbuero"
    current = await page.request.get(f"/api/v1/units/{unit}")
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(dt.date.today().weekday() + 2) % 7]
    changed = await page.request.patch(
        f"/api/v1/units/{unit}",
        data=json.dumps({"hours": {day: ["08:00-09:00"]}}),
        headers={**admin, "If-Match": current.headers["etag"], "Content-Type": "application/json"},
    )
    assert changed.ok, await changed.text()
    await page.goto("/?county=07233&q=personalausweis+daun")
    await _results(page)
    await page.keyboard.press("Enter")
    today = page.locator(".transfer-card .hours-today")
    await expect(today).to_contain_text("Heute: geschlossen")
    await expect(today).to_contain_text(re.compile(r"Öffnet wieder \w\w\., \d\d\.\d\d\., 08:00 Uhr"))
    await expect(page.locator(".transfer-card .hours-block .hours .badge")).to_have_text("Jetzt geschlossen")


async def test_a_unit_without_a_phone_offers_its_website_instead_of_a_transfer(page: Page, axe) -> None:
    await page.goto("/?county=07135")
    await page.keyboard.type("Schwerbehindertenausweis beantragen")
    options = await _results(page)
    await expect(options.first).to_contain_text("Schwerbehindertenausweis beantragen")
    await page.keyboard.press("Enter")
    card = page.locator(".transfer-card")
    await expect(card).to_contain_text("Keine Rufnummer – nicht weiterverbinden. Stattdessen:")
    await expect(card.get_by_role("link", name="https://lsjv.rlp.de")).to_have_attribute(
        "href", "https://lsjv.rlp.de"
    )
    await expect(card.locator(".ways")).to_contain_text("Besuchsadresse Koblenz")
    assert await card.locator(".transfer-main").count() == 0
    await axe(page)


async def test_escape_twice_starts_a_new_conversation(page: Page) -> None:
    await page.goto("/?county=07233")
    search = page.get_by_role("combobox", name="Anliegen oder Leistung")
    await page.keyboard.type("hundesteuer gerolstein")
    await _results(page)
    await expect(page.locator("#search-status")).to_contain_text("Gerolstein")
    await page.keyboard.press("Enter")
    await expect(page.locator(".transfer-card")).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(search).to_have_value("")
    await expect(page.locator(".transfer-card")).to_be_visible()  # the first Esc only clears the search
    await page.keyboard.press("Escape")
    await expect(page.locator("#detail h2")).to_have_text("Noch keine Leistung gewählt")
    await expect(page.locator("#search-status")).to_have_text("Neues Gespräch – Suche ist leer.")
    await expect(page.get_by_label("Kreis", exact=True)).to_have_value("")
    await expect(search).to_be_focused()
    assert page.url.endswith("/")


async def test_the_new_conversation_button_keeps_the_calls_county(page: Page) -> None:
    await page.goto("/?called=115&caller=%2B49%202671%20555123")
    await page.keyboard.type("wunschkennzeichen")
    await _results(page)
    await page.keyboard.press("Enter")
    await page.get_by_role("button", name="Neues Gespräch").click()
    await expect(page.locator("#detail h2")).to_have_text("Noch keine Leistung gewählt")
    await expect(page.get_by_label("Kreis", exact=True)).to_have_value("07135")


async def test_the_status_line_is_never_clipped(page: Page) -> None:
    await page.set_viewport_size({"width": 1280, "height": 420})
    await page.goto("/")
    await page.keyboard.type("hundesteuer gerolstein")
    await _results(page)
    await expect(page.locator("#search-status")).to_contain_text("Gerolstein")
    await page.keyboard.press("Enter")
    status = page.locator("#search-status")
    await expect(status).to_have_text(re.compile("^Angezeigt: "))
    sizes = await status.evaluate(
        """(node) => {
          const box = node.getBoundingClientRect();
          const results = document.getElementById("results").getBoundingClientRect();
          return {scroll: [node.scrollHeight, node.clientHeight, node.scrollWidth, node.clientWidth],
                  bottom: box.bottom, resultsTop: results.top, height: box.height,
                  line: parseFloat(getComputedStyle(node).lineHeight)};
        }"""
    )
    scroll_height, client_height, scroll_width, client_width = sizes["scroll"]
    assert scroll_height <= client_height + 1 and scroll_width <= client_width + 1, sizes
    assert sizes["bottom"] <= sizes["resultsTop"] + 1 and sizes["height"] + 0.5 >= sizes["line"], sizes


async def test_an_unmatched_screen_pop_greets_neutrally_and_shows_the_numbers(
    page: Page, axe, screenshot
) -> None:
    response = await page.goto("/?called=%2B49%2030%201234567&caller=0301234567")
    assert response is not None and response.status == 200
    banner = page.locator(".call-banner")
    await expect(banner.locator(".greeting")).to_have_text("„Servicecenter Eifel-Mosel-Hunsrück, guten Tag“")
    await expect(banner).to_contain_text("+49 30 1234567")
    await expect(banner).to_contain_text("0301234567")
    await expect(page).to_have_url(re.compile(r"/$"))  # the numbers leave the address bar
    await axe(page)
    await screenshot(page, "console-unmatched-call")


async def test_the_screen_pop_says_where_the_county_came_from(page: Page, axe) -> None:
    await page.goto("/?called=115&caller=%2B49%202671%20555123")
    await expect(page.locator(".county-source")).to_have_text("Vorwahl 02671 → VG Cochem")
    await axe(page)


async def test_the_console_works_by_keyboard_alone(page: Page) -> None:
    await page.goto("/")
    await page.keyboard.type("wunschkennzeichen")
    await _results(page)
    await page.keyboard.press("Tab")  # to the county
    await expect(page.get_by_label("Kreis", exact=True)).to_be_focused()
    await page.keyboard.type("Vulk")
    await expect(page.get_by_label("Kreis", exact=True)).to_have_value("07233")
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowUp")
    await page.keyboard.press("Enter")
    card = page.locator(".transfer-card")
    await expect(card).to_contain_text("Vulkaneifel")
    stops = []
    for _ in range(4):  # the county, "Neues Gespräch", the result list (it scrolls), the detail
        await page.keyboard.press("Tab")
        stops.append(await page.evaluate("document.activeElement.id || document.activeElement.textContent"))
    assert stops[:3] == ["county", "new-conversation", "results"], stops
    assert await page.evaluate("document.activeElement.closest('#detail') !== null"), stops
    await page.keyboard.press("Escape")
    await page.keyboard.press("Escape")
    await expect(page.locator("#detail h2")).to_have_text("Noch keine Leistung gewählt")
