"""The one URL map of the service, grouped by audience."""

from __future__ import annotations

from aiohttp import web

from servicecenter.api import catalogue, edits, entries, exchange, health, routing, rules, session
from servicecenter.ui import STATIC_DIR, account, admin, history, pages

__all__ = ["setup_routes"]


def setup_routes(app: web.Application) -> None:
    """Register every route on `app`."""
    # Operations
    app.router.add_get("/healthz", health.healthz)
    app.router.add_get("/readyz", health.readyz)

    # Call-center agents and the switchboard
    app.router.add_get("/api/v1/search", catalogue.search_services)
    app.router.add_get("/api/v1/services/{id}", catalogue.get_service)
    app.router.add_get("/api/v1/units", catalogue.list_units)
    app.router.add_get("/api/v1/units/{id}", catalogue.get_unit)

    # PBX and ACD
    app.router.add_get("/api/v1/route", routing.route)
    app.router.add_post("/api/v1/route", routing.route)
    app.router.add_get("/api/v1/decisions/{id}", routing.get_decision)
    app.router.add_get("/api/v1/pools", routing.list_pools)
    app.router.add_put("/api/v1/pools/{id}/state", routing.put_pool_state)

    # Agent and switchboard UI (HTML, German)
    app.router.add_get("/", pages.console, name="console")
    app.router.add_get("/vermittlung", pages.switchboard, name="switchboard")
    app.router.add_get("/routing", pages.routing_view, name="routing")
    app.router.add_static("/static/", STATIC_DIR, name="static", append_version=True)

    # Admin UI (HTML, German; writes go through the JSON API below)
    app.router.add_get("/anmelden", account.login_page, name="login")
    app.router.add_get("/verwaltung", admin.start, name="admin")
    app.router.add_get("/verwaltung/stellen/{id}", admin.edit_unit, name="edit_unit")
    app.router.add_get("/verwaltung/leistungen/{id}", admin.edit_service, name="edit_service")
    app.router.add_get("/verwaltung/leistungen/{id}/zustaendigkeiten", admin.responsibilities,
                       name="edit_responsibilities")
    app.router.add_get("/verwaltung/{section:stellen|leistungen|zustaendigkeiten}/{id}/verlauf",
                       history.history_page, name="history")

    # Catalogue editing (permissions in servicecenter/auth.py)
    editable = "{collection:services|units|places|responsibilities}/{id}"
    app.router.add_get("/api/v1/{collection:places|responsibilities}/{id}", edits.get_entry)
    app.router.add_patch(f"/api/v1/{editable}", entries.patch)
    app.router.add_get(f"/api/v1/{editable}/history", entries.history)
    app.router.add_post(f"/api/v1/{editable}/history/{{version}}/restore", entries.restore)
    app.router.add_get("/api/v1/services/{id}/responsibilities", edits.list_responsibilities)
    app.router.add_post("/api/v1/services/{id}/responsibilities", edits.create_responsibility)
    app.router.add_delete("/api/v1/responsibilities/{id}", edits.delete_responsibility)

    # Routing rules (admins)
    app.router.add_get("/api/v1/routing/rules", rules.get_rules)
    app.router.add_put("/api/v1/routing/rules", rules.put_rules)
    app.router.add_get("/api/v1/routing/rules/versions", rules.list_versions)
    app.router.add_get("/api/v1/routing/rules/versions/{version}", rules.get_version)
    app.router.add_post("/api/v1/routing/rules/versions/{version}/activate", rules.activate_version)

    # Web login
    app.router.add_post("/api/v1/session", session.log_in)
    app.router.add_get("/api/v1/session", session.current_session)
    app.router.add_delete("/api/v1/session", session.log_out)

    # Catalogue exchange
    app.router.add_get("/api/v1/export", catalogue.export)
    app.router.add_post("/api/v1/import", exchange.import_catalogue)
