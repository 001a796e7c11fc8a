"""Admin pages for running the center: users and tokens, routing rule versions, catalogue import, pools.

Each was API- or CLI-only before. The pages are thin: they show the current state read through the same
stores the API uses (knowledge/accounts.py, knowledge/rule_versions.py, the call router) and their
script (`static/manage.js`) sends every change to the JSON API with the session's CSRF token, so the
API's checks decide every write. These handlers decide only who sees a page (servicecenter/ui/access.py).
"""

from __future__ import annotations

import datetime as dt
import difflib

from aiohttp import web

from knowledge import accounts, rule_versions
from knowledge.accounts import Role
from knowledge.calendar import to_berlin
from servicecenter.auth import Action
from servicecenter.keys import CALL_ROUTER, SESSIONMAKER, SETTINGS
from servicecenter.ui.access import ROLE_NAMES, Refused, county_name, member_counties, require
from servicecenter.ui.rendering import Message, admin_page, render

__all__ = ["import_page", "pools_page", "rules_page", "rules_version_page", "user_page", "users_page"]

DONE = {
    "angelegt": "Der Benutzer wurde angelegt.",
    "geaendert": "Die Änderung wurde gespeichert.",
    "passwort": "Das neue Passwort gilt ab sofort; der Benutzer wurde überall abgemeldet.",
    "gesperrt": "Der Benutzer ist gesperrt: keine Anmeldung, keine Tokens.",
    "entsperrt": "Der Benutzer ist wieder freigeschaltet.",
    "widerrufen": "Das Token wurde widerrufen und gilt ab sofort nicht mehr.",
    "gespeichert": "Die Regeln wurden geprüft und als neue Version gespeichert.",
    "aktiviert": "Die Version ist jetzt in Kraft; neue Anrufe werden nach ihr verteilt.",
    "pool": "Der Stand des Pools wurde gesetzt.",
}
NO_USER = "Diesen Benutzer gibt es nicht."
NO_VERSION = "Diese Version der Routing-Regeln gibt es nicht."


def _done(request: web.Request) -> list[Message]:
    """The success notice a page shows after its script reloaded it (`?ok=KEY`)."""
    text = DONE.get(request.query.get("ok", ""))
    return [Message("success", text)] if text else []


def when(at: dt.datetime | None) -> str:
    """A stored time as people read it: '24.12.2026 09:30'."""
    if at is None:
        return "–"
    return f"{to_berlin(at if at.tzinfo else at.replace(tzinfo=dt.UTC)):%d.%m.%Y %H:%M}"


@admin_page
async def users_page(request: web.Request) -> web.Response:
    """GET /verwaltung/benutzer: every user, and a form for a new one."""
    await require(request, Action.manage_users)
    async with request.app[SESSIONMAKER]() as session:
        users = await accounts.list_users(session)
        counts = await accounts.token_counts(session)
    rows = [
        {
            "name": user.name,
            "role": ROLE_NAMES.get(user.role, user.role),
            "county": county_name(request, user.county) or "–",
            "disabled": user.disabled_at is not None,
            "tokens": counts.get(user.id or 0, 0),
            "created": when(user.created_at),
        }
        for user in users
    ]
    return await render(
        "users.html",
        request,
        {
            "users": rows,
            "roles": list(ROLE_NAMES.items()),
            "counties": list(member_counties(request).items()),
            "min_password": accounts.MIN_PASSWORD_LENGTH,
            "messages": _done(request),
        },
    )


@admin_page
async def user_page(request: web.Request) -> web.Response:
    """GET /verwaltung/benutzer/{name}: role and county, a new password, disabling, API tokens."""
    identity = await require(request, Action.manage_users)
    async with request.app[SESSIONMAKER]() as session:
        user = await accounts.get_user(session, name=request.match_info["name"])
        if user is None:
            raise Refused(404, "Nicht gefunden", NO_USER)
        tokens = await accounts.list_tokens(session, user=user)
    return await render(
        "user.html",
        request,
        {
            "user": user,
            "role_name": ROLE_NAMES.get(user.role, user.role),
            "county": county_name(request, user.county),
            "disabled": user.disabled_at is not None,
            "disabled_since": when(user.disabled_at),
            "is_self": user.name == identity.name,
            "tokens": [(token_id, when(created)) for token_id, created in tokens],
            "roles": list(ROLE_NAMES.items()),
            "county_editor": Role.county_editor.value,
            "counties": list(member_counties(request).items()),
            "min_password": accounts.MIN_PASSWORD_LENGTH,
            "messages": _done(request),
        },
    )


async def _text_in_force(request: web.Request) -> tuple[int | None, str]:
    """(active version or None for the rules file, its text)."""
    async with request.app[SESSIONMAKER]() as session:
        active = await rule_versions.active_version(session)
    if active is not None:
        return active.version, active.text
    return None, request.app[SETTINGS].rules_file.read_text(encoding="utf-8")


@admin_page
async def rules_page(request: web.Request) -> web.Response:
    """GET /verwaltung/routing: the stored rule versions, which is in force, and a form for a new one."""
    await require(request, Action.manage_routing_rules)
    async with request.app[SESSIONMAKER]() as session:
        versions = await rule_versions.list_versions(session)
    active, text = await _text_in_force(request)
    return await render(
        "rules_versions.html",
        request,
        {
            "versions": [
                {"number": v.version, "author": v.author, "created": when(v.created_at), "active": v.active}
                for v in versions
            ],
            "active": active,
            "rules_file": request.app[SETTINGS].rules_file.name,
            "text": text,
            "messages": _done(request),
        },
    )


@admin_page
async def rules_version_page(request: web.Request) -> web.Response:
    """GET /verwaltung/routing/versionen/{n}: one version, compared line by line with the rules in force
    (or with `?gegen=M`), and the button that makes it the rules in force."""
    await require(request, Action.manage_routing_rules)
    number, against = _number(request.match_info["n"]), _number(request.query.get("gegen", ""))
    async with request.app[SESSIONMAKER]() as session:
        version = await rule_versions.get_version(session, version=number) if number else None
        if version is None:
            raise Refused(404, "Nicht gefunden", NO_VERSION)
        other = await rule_versions.get_version(session, version=against) if against else None
    active, active_text = await _text_in_force(request)
    if other is not None:
        base_name, base_text = f"Version {other.version}", other.text
    else:
        base_name = f"Version {active} (in Kraft)" if active is not None else "Regeldatei (in Kraft)"
        base_text = active_text
    diff = list(
        difflib.unified_diff(
            base_text.splitlines(),
            version.text.splitlines(),
            base_name,
            f"Version {version.version}",
            lineterm="",
        )
    )
    return await render(
        "rules_version.html",
        request,
        {
            "version": version,
            "created": when(version.created_at),
            "base_name": base_name,
            "diff": [(_diff_kind(line), line) for line in diff[2:]],
            "older": active is not None and (version.version or 0) < active,
            "active": active,
        },
    )


def _number(text: str) -> int | None:
    """A version number from the URL; None for anything else (or beyond a database integer)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _diff_kind(line: str) -> str:
    return {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")


@admin_page
async def import_page(request: web.Request) -> web.Response:
    """GET /verwaltung/import: upload a catalogue document, see what a dry run would change, then import."""
    await require(request, Action.import_catalogue)
    return await render("import.html", request, {})


@admin_page
async def pools_page(request: web.Request) -> web.Response:
    """GET /verwaltung/pools: the agent pools with the load the ACD reported, and a form to set one."""
    await require(request, Action.report_pool_state)
    router = request.app[CALL_ROUTER]
    pools = [
        {
            "id": pool.id,
            "name": pool.name,
            "county": county_name(request, pool.county) or "alle Kreise",
            "state": pool.state,
            "updated": when(pool.state.updated_at) if pool.state else "–",
        }
        for pool in router.pools()
    ]
    return await render("pools.html", request, {"pools": pools, "messages": _done(request)})
