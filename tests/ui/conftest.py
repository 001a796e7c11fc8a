"""Browser tests: the real app on 127.0.0.1, driven in Debian's headless Chromium through Playwright.

Playwright never downloads a browser here: it starts the `chromium` that `.ci/run` installs from
Debian's packages. Pages are looked at in German at 1280×800 and in a narrow window; screenshots of
the main pages go to build/screenshots/ for review. `axe` runs axe-core (vendored in tests/ui/vendor,
see its README) in a page and fails on any violation of its default rules (WCAG 2.x A/AA and best practices).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from servicecenter.app import create_app

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
AXE_SOURCE = (Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js").read_text(
    encoding="utf-8"
)
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
  }));
}"""
EXPECT_TIMEOUT_MS = 15_000
"""How long an expectation waits for the page to show what it expects (Playwright's default is 5 s). The
suite runs beside other work; a save and a reload once took longer than 5 s there. Only the wait is longer:
a page that never shows it still fails."""
expect.set_options(timeout=EXPECT_TIMEOUT_MS)

WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 400, "height": 800}


@pytest.fixture
async def browser(system_tool) -> AsyncIterator[Browser]:
    """Headless Chromium from the system (no sandbox: tests may run as root in CI containers)."""
    executable = system_tool("chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--lang=de-DE"]
        )
        yield browser
        await browser.close()


@pytest.fixture
async def base_url(aiohttp_server, settings) -> str:
    """The real application served on 127.0.0.1."""
    server = await aiohttp_server(create_app(settings), host="127.0.0.1")
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
async def page(browser: Browser, base_url: str) -> AsyncIterator[Page]:
    """A German page at 1280×800 that may use the clipboard; script errors fail the test."""
    context = await browser.new_context(
        viewport=WIDE, locale="de-DE", timezone_id="Europe/Berlin", base_url=base_url
    )
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    await context.close()
    assert errors == []


@pytest.fixture
def log_in():
    """A function that logs `page` in through the login form and waits for the page it leads to."""

    async def log_in(page: Page, name: str, password: str, *, next_path: str = "/verwaltung") -> None:
        await page.goto(f"/anmelden?next={next_path}")
        await page.get_by_label("Benutzername").fill(name)
        await page.get_by_label("Passwort").fill(password)
        await page.get_by_role("button", name="Anmelden").click()
        await page.wait_for_url(lambda url: urlsplit(url).path == next_path)

    return log_in


@pytest.fixture
def axe():
    """A function that runs axe-core in `page` as it is now and fails with every violation it finds."""

    async def check(page: Page) -> None:
        if not await page.evaluate("typeof axe !== 'undefined'"):
            await page.evaluate(AXE_SOURCE)
        violations = await page.evaluate(AXE_RUN)
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations
        )
        assert violations == [], f"axe on {page.url}:\n{report}"

    return check


@pytest.fixture
def screenshot():
    """A function that saves the page at 1280×800 and at 400 px wide, as NAME-wide/-narrow.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    async def shoot(page: Page, name: str, *, full_page: bool = False) -> None:
        await page.screenshot(path=SCREENSHOTS / f"{name}-wide.png", full_page=full_page)
        await page.set_viewport_size(NARROW)
        await page.screenshot(path=SCREENSHOTS / f"{name}-narrow.png", full_page=True)
        await page.set_viewport_size(WIDE)

    return shoot
