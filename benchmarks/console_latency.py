"""Agent console in headless Chromium: time from the last key typed to the results on screen.

Starts the real service on a loopback port with a fresh data dir, opens `/` in Debian's chromium
through Playwright, types each query and measures in the page from the last input event to the
change of the result list (debounce + search request + rendering).

    .venv/bin/python benchmarks/console_latency.py [ROUNDS] [CHROMIUM]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

from aiohttp import web
from playwright.async_api import async_playwright

from servicecenter.app import create_app
from servicecenter.settings import Settings

QUERIES = [
    "Personalausweis",
    "perso verloren",
    "auto ummelden",
    "fuhrerschein umtausch",
    "Hundesteuer Gerolstein",
    "Wunschkennzeichen 56812",
    "Kindergeld",
    "Sperrmüll",
    "Führungszeugnis",
    "Baugenehmigung Daun",
]

PROBE = """() => {
  window.__lastInput = 0; window.__rendered = [];
  document.getElementById("q").addEventListener("input", () => { window.__lastInput = performance.now(); });
  new MutationObserver(() => window.__rendered.push(performance.now() - window.__lastInput))
    .observe(document.getElementById("results"), {childList: true});
}"""


async def main(rounds: int, chromium: str) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        runner = web.AppRunner(
            create_app(Settings(data_dir=Path(data_dir), database_url=None)), access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        timings = []
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = await (await browser.new_context(bypass_csp=True)).new_page()
            await page.goto(f"http://127.0.0.1:{port}/")
            await page.evaluate(PROBE)
            for _ in range(rounds):
                for q in QUERIES:
                    await page.fill("#q", "")
                    await page.wait_for_function("document.querySelectorAll('#results li').length === 0")
                    await page.evaluate("window.__rendered = []")
                    await page.keyboard.type(q, delay=30)
                    await page.wait_for_function("window.__rendered.length > 0")
                    await page.wait_for_timeout(200)  # a late, stale answer would show up here
                    timings.append((await page.evaluate("window.__rendered"))[-1])
            await browser.close()
        await runner.cleanup()
    timings.sort()
    print(
        f"queries {len(timings)}  last key -> results median {statistics.median(timings):.1f} ms  "
        f"p95 {timings[int(len(timings) * 0.95)]:.1f} ms  max {timings[-1]:.1f} ms"
    )


if __name__ == "__main__":
    asyncio.run(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 5,
            sys.argv[2] if len(sys.argv) > 2 else "/usr/bin/chromium",
        )
    )
