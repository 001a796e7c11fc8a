"""Who is asking, and may they: identities from tokens or session cookies, and one permission table.

Every write handler calls `authorize(request, action)` before it touches anything, and
`check_county(identity, action, county)` once it knows which county the entry belongs to. Nothing else
in the service decides permissions.

A bearer token is checked against the database on every request. While the database is unreachable, a
token it confirmed within the last `outage_token_grace_minutes` is still known (servicecenter/known_tokens.py):
the PBX keeps reporting pool state through an outage, which is when overflow matters most.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from knowledge import accounts
from knowledge.accounts import Role, User
from servicecenter.keys import KNOWN_TOKENS, SESSIONMAKER, SETTINGS
from servicecenter.outages import is_database_outage
from servicecenter.problems import Problem

__all__ = [
    "Action",
    "CSRF_HEADER",
    "Identity",
    "SESSION_COOKIE",
    "authorize",
    "authorize_any",
    "check_county",
    "check_line_closure",
    "csrf_token",
    "hash_password",
    "identify",
    "may",
    "may_close_line",
    "verify_password",
]

SESSION_COOKIE = "sc_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Action(StrEnum):
    """Everything that needs more than an anonymous read."""

    edit_service = "edit_service"
    edit_unit = "edit_unit"
    edit_person = "edit_person"
    read_internal_notes = "read_internal_notes"
    edit_responsibility = "edit_responsibility"
    edit_place = "edit_place"
    read_history = "read_history"
    manage_routing_rules = "manage_routing_rules"
    import_catalogue = "import_catalogue"
    report_pool_state = "report_pool_state"
    create_callback = "create_callback"
    create_ticket = "create_ticket"
    read_tickets = "read_tickets"
    read_contact = "read_contact"
    edit_ticket = "edit_ticket"
    ingest_acd_events = "ingest_acd_events"
    record_outcome = "record_outcome"
    read_statistics = "read_statistics"
    read_search_insights = "read_search_insights"
    edit_synonyms = "edit_synonyms"
    manage_closures = "manage_closures"
    close_line_today = "close_line_today"
    manage_notices = "manage_notices"
    manage_users = "manage_users"


PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.edit_service: frozenset({Role.catalogue_editor, Role.admin}),
    Action.edit_unit: frozenset({Role.county_editor, Role.admin}),
    Action.edit_person: frozenset({Role.county_editor, Role.admin}),
    Action.read_internal_notes: frozenset({Role.agent, Role.supervisor, Role.county_editor, Role.admin}),
    Action.edit_responsibility: frozenset({Role.county_editor, Role.admin}),
    Action.edit_place: frozenset({Role.admin}),
    Action.read_history: frozenset({Role.county_editor, Role.catalogue_editor, Role.admin}),
    Action.manage_routing_rules: frozenset({Role.admin}),
    Action.import_catalogue: frozenset({Role.admin}),
    Action.report_pool_state: frozenset({Role.pbx, Role.admin}),
    Action.create_callback: frozenset({Role.agent, Role.supervisor, Role.admin, Role.pbx}),
    Action.create_ticket: frozenset({Role.agent, Role.supervisor, Role.admin}),
    Action.read_tickets: frozenset({Role.agent, Role.supervisor, Role.county_editor, Role.admin}),
    Action.read_contact: frozenset({Role.agent, Role.supervisor, Role.admin}),
    Action.edit_ticket: frozenset({Role.agent, Role.supervisor, Role.admin}),
    Action.ingest_acd_events: frozenset({Role.pbx, Role.admin}),
    Action.record_outcome: frozenset({Role.agent, Role.supervisor, Role.admin}),
    Action.read_statistics: frozenset({Role.supervisor, Role.admin}),
    Action.read_search_insights: frozenset({Role.catalogue_editor, Role.admin}),
    Action.edit_synonyms: frozenset({Role.catalogue_editor, Role.admin}),
    Action.manage_closures: frozenset({Role.county_editor, Role.admin}),
    Action.close_line_today: frozenset({Role.supervisor, Role.admin}),
    Action.manage_notices: frozenset({Role.county_editor, Role.admin}),
    Action.manage_users: frozenset({Role.admin}),
}
"""The roles that may do each action at all. A supervisor may do what an agent may, read statistics, and
close a line for the rest of the day. People's internal notes (for the operators) are shown to the
center's staff, never to anonymous readers."""

COUNTY_SCOPED = frozenset(
    {
        Action.edit_unit,
        Action.edit_person,
        Action.edit_responsibility,
        Action.read_tickets,
        Action.manage_closures,
        Action.manage_notices,
    }
)
"""Actions a county editor may do only in their own county: for closures and notices, those of the county
and of its units; one of a line, a service or everyone (no county) is the admin's."""


@dataclass(frozen=True, slots=True)
class Identity:
    """An authenticated user; `csrf_token` is set when the request came with a session cookie."""

    name: str
    role: Role
    county: str | None
    csrf_token: str | None = None


_IDENTITY = web.RequestKey("identity", object)


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _decoy_hash() -> str:
    """Verified against for unknown names, so a login takes as long whether or not the name exists."""
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash to store."""
    return _hasher().hash(password)


async def verify_password(user: User | None, password: str) -> bool:
    """Whether `password` is `user`'s, in a worker thread (argon2 is slow on purpose)."""

    def verify() -> bool:
        try:
            return (
                _hasher().verify(user.password_hash if user else _decoy_hash(), password) and user is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def _identity(user: User, csrf: str | None = None) -> Identity:
    return Identity(name=user.name, role=user.role, county=user.county, csrf_token=csrf)


async def _check_csrf(request: web.Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        field = (await request.post()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if not isinstance(sent, str) or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise Problem(
            403,
            f"a form sent with a session cookie needs its CSRF token ({CSRF_HEADER})",
            title="CSRF token missing or wrong",
        )


async def identify(request: web.Request) -> Identity | None:
    """The caller, from `Authorization: Bearer` or the session cookie; None when anonymous.

    A bearer token that is unknown is a 401, not an anonymous request. A cookie-authenticated request that
    changes something must carry the session's CSRF token.
    """
    if _IDENTITY in request:
        return request[_IDENTITY]  # type: ignore[return-value]
    identity: Identity | None = None
    header = request.headers.get("Authorization")
    cookie = request.cookies.get(SESSION_COOKIE)
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("use Authorization: Bearer TOKEN")
        identity = await _identity_for_token(request, token.strip())
    elif cookie:
        async with request.app[SESSIONMAKER]() as session:
            found = await accounts.user_for_session(session, session_id=cookie)
        if found is not None:
            identity = _identity(*found)
            if request.method not in SAFE_METHODS:
                await _check_csrf(request, found[1])
    request[_IDENTITY] = identity
    return identity


async def _identity_for_token(request: web.Request, token: str) -> Identity:
    """The token's user from the database; during an outage the identity it confirmed lately, if any."""
    known, token_hash = request.app[KNOWN_TOKENS], accounts.hash_secret(token)
    try:
        async with request.app[SESSIONMAKER]() as session:
            user = await accounts.user_for_token(session, token=token)
    except Exception as error:
        grace = dt.timedelta(minutes=request.app[SETTINGS].outage_token_grace_minutes)
        if not is_database_outage(error) or (recalled := known.recall(token_hash, grace)) is None:
            raise
        return recalled
    if user is None:
        known.refused(token_hash)
        raise _unauthorized("unknown token")
    identity = _identity(user)
    known.confirmed(token_hash, identity)
    return identity


def _unauthorized(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="servicecenter"'})


async def authorize(request: web.Request, action: Action) -> Identity:
    """The caller if their role may do `action` at all: 401 without credentials, 403 with the wrong role."""
    identity = await identify(request)
    if identity is None:
        raise _unauthorized("log in or send Authorization: Bearer TOKEN")
    if identity.role not in PERMISSIONS[action]:
        raise Problem(403, f"role {identity.role} may not {action.replace('_', ' ')}")
    return identity


async def authorize_any(request: web.Request, *actions: Action) -> Identity:
    """The caller if their role may do at least one of `actions`: 401 without credentials, 403 otherwise."""
    identity = await identify(request)
    if identity is None:
        raise _unauthorized("log in or send Authorization: Bearer TOKEN")
    if not any(identity.role in PERMISSIONS[action] for action in actions):
        raise Problem(403, f"role {identity.role} may not {actions[0].replace('_', ' ')}")
    return identity


def may(identity: Identity, action: Action, county: str | None) -> bool:
    """The one permission rule: the role may do `action`, and a county editor only in their own county.

    The API (`authorize`, `check_county`) and the admin pages (`servicecenter.ui.access`) both ask this.
    """
    if identity.role not in PERMISSIONS[action]:
        return False
    return not (identity.role is Role.county_editor and action in COUNTY_SCOPED and county != identity.county)


def check_county(identity: Identity, action: Action, county: str | None) -> None:
    """403 when a county editor reaches for an entry outside their county."""
    if not may(identity, action, county):
        raise Problem(403, f"{identity.name} edits entries of county {identity.county} only")


def may_close_line(identity: Identity, *, within_today: bool) -> bool:
    """Whether `identity` may close a line (or reopen it): an admin at any time, a supervisor for a closure
    that lies within today (Berlin time), the "heute geschlossen" switch."""
    if may(identity, Action.manage_closures, None):
        return True
    return within_today and may(identity, Action.close_line_today, None)


def check_line_closure(identity: Identity, *, within_today: bool) -> None:
    """403 unless `may_close_line`; said in German, as the routing page shows it."""
    if not may_close_line(identity, within_today=within_today):
        detail = (
            "Die Teamleitung schließt eine Leitung nur für den heutigen Tag; längere Schließungen legt die "
            "Administration an."
            if identity.role in PERMISSIONS[Action.close_line_today]
            else "Schließungen einer ganzen Leitung legt die Administration an."
        )
        raise Problem(403, detail)


async def csrf_token(request: web.Request) -> str | None:
    """The CSRF token a server-rendered form must carry (field `csrf_token`), or None when not logged in."""
    identity = await identify(request) if request.method in SAFE_METHODS else request.get(_IDENTITY)
    return identity.csrf_token if isinstance(identity, Identity) else None
