"""Who may see which admin page: the same permission table as the API, answered as pages.

Not logged in → a redirect to `/anmelden?next=…`; the wrong role or county → a German 403 page, so a
form is never rendered for an entry its viewer cannot change; the database unreachable (so nobody can
tell who is logged in) → a German 503 page, not the login form. The API checks again on every write.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from knowledge.accounts import Role
from servicecenter.auth import PERMISSIONS, Action, Identity, identify, may
from servicecenter.keys import CATALOGUE_FOLLOWER
from servicecenter.problems import Problem

__all__ = [
    "ROLE_NAMES",
    "LoginNeeded",
    "Refused",
    "account",
    "county_name",
    "current",
    "member_counties",
    "require",
    "safe_next",
]

ROLE_NAMES = {
    Role.agent: "Auskunft",
    Role.supervisor: "Teamleitung",
    Role.county_editor: "Kreisredaktion",
    Role.catalogue_editor: "Katalogredaktion",
    Role.admin: "Administration",
    Role.pbx: "Telefonanlage",
}
EDITOR_ROLES = frozenset({Role.county_editor, Role.catalogue_editor, Role.admin})


class Refused(Exception):
    """A page the viewer may not see (403) or an entry that does not exist (404), said in German."""

    def __init__(self, status: int, title: str, text: str) -> None:
        super().__init__(text)
        self.status, self.title, self.text = status, title, text


@dataclass(frozen=True)
class LoginNeeded(Exception):
    """Nobody is logged in; the page sends them to the login form and back."""

    path: str


async def current(request: web.Request) -> Identity | None:
    """The logged-in user, or None — also when the session store cannot be reached (pages still render)."""
    try:
        return await identify(request)
    except (Problem, SQLAlchemyError, OSError):
        return None


def member_counties(request: web.Request) -> dict[str, str]:
    """Short names of the member counties by key, alphabetical: the County table's, as the catalogue
    follower last read them (pages render while the database is down)."""
    return request.app[CATALOGUE_FOLLOWER].county_names


def county_name(request: web.Request, key: str | None) -> str | None:
    """The short German name of a county key; the key itself for a county the catalogue does not serve."""
    if key is None:
        return None
    return member_counties(request).get(key, key)


def account(request: web.Request, identity: Identity | None) -> dict | None:
    """What the header shows about the logged-in user."""
    if identity is None:
        return None
    return {
        "name": identity.name,
        "role": ROLE_NAMES.get(identity.role, identity.role),
        "county": county_name(request, identity.county),
        "editor": identity.role in EDITOR_ROLES,
        "tickets": may(identity, Action.read_tickets, identity.county),
        "statistics": identity.role in PERMISSIONS[Action.read_statistics],
        "agent": identity.role in PERMISSIONS[Action.record_outcome],
        "csrf_token": identity.csrf_token,
    }


_ACTION_TEXT = {
    Action.edit_service: "Leistungsbeschreibungen bearbeitet die Katalogredaktion.",
    Action.edit_unit: "Stellen bearbeitet die Kreisredaktion des jeweiligen Kreises.",
    Action.edit_person: "Personen im Telefonverzeichnis bearbeitet die Kreisredaktion des jeweiligen Kreises.",
    Action.edit_responsibility: "Zuständigkeiten bearbeitet die Kreisredaktion des jeweiligen Kreises.",
    Action.read_history: "Den Verlauf sehen die Redaktionen.",
    Action.read_tickets: (
        "Anliegen sehen die Auskunft, die Teamleitung, die Administration und die Kreisredaktion ihres Kreises."
    ),
    Action.read_statistics: "Die Statistik sehen die Teamleitung und die Administration.",
    Action.read_search_insights: "Suchanfragen und Synonyme pflegt die Katalogredaktion.",
    Action.edit_synonyms: "Suchanfragen und Synonyme pflegt die Katalogredaktion.",
    Action.manage_closures: (
        "Schließungen und Meldungen pflegen die Kreisredaktion für ihren Kreis und die Administration. "
        "Die Teamleitung schließt eine Leitung für heute auf der Seite Routing."
    ),
    Action.manage_users: "Benutzer und Tokens verwaltet die Administration.",
    Action.manage_routing_rules: "Die Routing-Regeln verwaltet die Administration.",
    Action.import_catalogue: "Den Katalog importiert die Administration.",
    Action.report_pool_state: "Den Stand der Pools meldet die Telefonanlage; setzen darf ihn die Administration.",
}


async def require(
    request: web.Request, action: Action, *, county: str | None = None, scoped: bool = False
) -> Identity:
    """The viewer if they may do `action` (in `county` when `scoped`); otherwise LoginNeeded or Refused.
    A database outage propagates (servicecenter.ui.rendering.admin_page says so)."""
    try:
        identity = await identify(request)
    except Problem:
        identity = None
    if identity is None:
        raise LoginNeeded(request.path_qs)
    if identity.role not in PERMISSIONS[action]:
        raise Refused(
            403, "Kein Zugriff", _ACTION_TEXT.get(action, "Ihre Rolle darf diese Seite nicht öffnen.")
        )
    if scoped and not may(identity, action, county):
        where = county_name(request, county) or "keinem Kreis"
        raise Refused(
            403,
            "Kein Zugriff",
            f"Dieser Eintrag gehört zu {where}. Sie bearbeiten nur Einträge des Kreises "
            f"{county_name(request, identity.county)}.",
        )
    return identity


def safe_next(value: str | None, default: str = "/verwaltung") -> str:
    """A path on this site to go to after login; anything that could leave the site becomes `default`.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so `/\t/evil.example`
    would be `//evil.example`, another host: a path with whitespace, control characters or backslashes is
    refused outright, and what remains must parse as a path without scheme or host.
    """
    if not value or len(value) > 500 or "\\" in value:
        return default
    if any(c.isspace() or not c.isprintable() for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return default
    return value
