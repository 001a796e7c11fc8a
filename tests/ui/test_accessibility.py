"""axe-core on every page the service renders, as an admin sees it and as anybody does: no violation of
axe's default rules (WCAG 2.x A and AA, best practices). The pages' states after a search, a
simulated call or a saved form are checked in the tests of those stories."""

import json

from playwright.async_api import Page

PASSWORD = "Eifel-Mosel-2026!"
UNIT = "vg-daun-buergerbuero"
SERVICE = "personalausweis-beantragen"

ANYBODY = [
    "/",
    "/?county=07233&q=personalausweis+daun",
    "/?call=gibt-es-nicht",
    "/vermittlung",
    "/vermittlung?q=landrat",
    "/vermittlung?q=kfz+zulassung+cochem",
    "/routing",
    "/anmelden",
    "/anliegen/" + "x" * 43,
]
ADMIN = [
    "/verwaltung",
    f"/verwaltung/stellen/{UNIT}",
    f"/verwaltung/stellen/{UNIT}/verlauf",
    f"/verwaltung/leistungen/{SERVICE}",
    f"/verwaltung/leistungen/{SERVICE}/verlauf",
    f"/verwaltung/leistungen/{SERVICE}/zustaendigkeiten",
    "/verwaltung/stellen/gibt-es-nicht",
    "/verwaltung/suchanfragen",
    "/verwaltung/synonyme",
    "/statistik",
    "/anliegen",
    "/verwaltung/benutzer",
    "/verwaltung/benutzer/chefin",
    "/verwaltung/routing",
    "/verwaltung/routing/versionen/1",
    "/verwaltung/import",
    "/verwaltung/pools",
    "/verwaltung/schliessungen",
    "/verwaltung/neue-person",
]


async def _violations(page: Page, axe, path: str) -> str | None:
    await page.goto(path)
    await page.wait_for_load_state("networkidle")
    try:
        await axe(page)
    except AssertionError as found:
        return str(found)
    return None


async def test_no_page_has_an_axe_violation(page: Page, make_user, log_in, axe) -> None:
    found = [report for path in ANYBODY if (report := await _violations(page, axe, path))]

    admin = await make_user("chefin", "admin", password=PASSWORD)
    rules = await (await page.request.get("/api/v1/routing/rules", headers=admin)).json()
    stored = await page.request.put(
        "/api/v1/routing/rules",
        data=json.dumps({"text": rules["text"], "activate": False}),
        headers={**admin, "Content-Type": "application/json"},
    )
    assert stored.status == 201
    ticket = await page.request.post(
        "/api/v1/tickets",
        data=json.dumps(
            {"kind": "forward", "county": "07233", "unit_id": UNIT, "summary": "Frage zur Hundesteuer"}
        ),
        headers={**admin, "Content-Type": "application/json"},
    )
    assert ticket.status == 201
    await log_in(page, "chefin", PASSWORD)
    pages = [*ADMIN, f"/anliegen/vorgang/{(await ticket.json())['id']}"]
    found += [report for path in pages if (report := await _violations(page, axe, path))]
    assert not found, "\n\n".join(found)
