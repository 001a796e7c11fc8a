"""Closures and notices in the UI: the management page for county editors and admins, and the closure rows
the routing page shows with the supervisors' "heute geschlossen" switch.

`/verwaltung/schliessungen` lists the closures and notices in force and to come (a county editor's county,
an admin's all), with forms to add one and a button to delete one. The lists come from the memory routing
and search use, the forms write through the JSON API (`static/closures.js`), so the API's checks alone
decide a write; these handlers decide only who sees a form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aiohttp import web

from knowledge.accounts import Role
from knowledge.calendar import BERLIN, ClosedPeriod
from knowledge.catalogue import store
from knowledge.closures.board import PostedNotice
from servicecenter.api.closures import within_today
from servicecenter.auth import Action, Identity, may, may_close_line
from servicecenter.keys import CALL_ROUTER, CATALOGUE_FOLLOWER, SESSIONMAKER
from servicecenter.ui.access import county_name, current, member_counties, require
from servicecenter.ui.rendering import Message, admin_page, render

__all__ = ["ClosureRow", "closure_rows", "closures_admin", "routing_closures"]

LINE_NAMES = {"115": "Leitung 115", "switchboard": "Telefonzentralen der Kreise"}
SAVED = {
    "schliessung": "Die Schließung ist gespeichert. Anrufverteilung und Auskunft berücksichtigen sie ab sofort.",
    "meldung": "Die Meldung ist gespeichert und erscheint ab ihrem Beginn in der Auskunft.",
    "geloescht": "Der Eintrag ist gelöscht.",
}


@dataclass(frozen=True)
class ClosureRow:
    """A closure as a table row: what, when, why, and whether the viewer may delete it."""

    id: int
    what: str
    starts: str
    ends: str
    reason: str
    announcement: str | None
    in_force: bool
    text: str
    deletable: bool


def _moment(at: dt.datetime) -> str:
    return f"{at.astimezone(BERLIN):%d.%m.%Y, %H:%M} Uhr"


def _what(request: web.Request, kind: str, key: str | None, unit_names: dict[str, str]) -> str:
    if kind == "line":
        return LINE_NAMES.get(key or "", key or "")
    if kind == "county":
        return f"Kreis {county_name(request, key)}"
    if kind == "unit":
        return f"Stelle: {unit_names.get(key or '', key)}"
    if kind == "service":
        return f"Leistung: {key}"
    return "alle"


def _may_delete(identity: Identity | None, period: ClosedPeriod) -> bool:
    if identity is None:
        return False
    if period.scope == "line":
        return may_close_line(
            identity, within_today=within_today(period.start, period.end, dt.datetime.now(dt.UTC))
        )
    return may(identity, Action.manage_closures, period.county)


def closure_rows(
    request: web.Request,
    identity: Identity | None,
    periods: list[ClosedPeriod],
    unit_names: dict[str, str],
) -> list[ClosureRow]:
    """`periods` as rows for the viewer, with German times and texts."""
    now = dt.datetime.now(BERLIN)
    return [
        ClosureRow(
            id=period.id or 0,
            what=_what(request, period.scope, period.key, unit_names),
            starts=_moment(period.start),
            ends=_moment(period.end),
            reason=period.reason,
            announcement=period.announcement,
            in_force=period.covers(now),
            text=period.text(now),
            deletable=_may_delete(identity, period),
        )
        for period in periods
    ]


def _notice_row(request: web.Request, notice: PostedNotice, unit_names: dict[str, str]) -> dict:
    return {
        "id": notice.id,
        "what": _what(request, notice.scope, notice.key, unit_names),
        "text": notice.text,
        "warning": notice.severity == "warning",
        "starts": _moment(notice.valid_from),
        "ends": _moment(notice.valid_until),
        "in_force": notice.in_force(dt.datetime.now(BERLIN)),
    }


@admin_page
async def closures_admin(request: web.Request) -> web.Response:
    """GET /verwaltung/schliessungen: closures and notices of the viewer's county (admins: all), to add and
    delete."""
    identity = await require(request, Action.manage_closures)
    county = identity.county if identity.role is Role.county_editor else None
    now = dt.datetime.now(dt.UTC)
    async with request.app[SESSIONMAKER]() as session:
        units = [
            u
            for u in await store.list_units(session, county=county, limit=5000)
            if u.county == county or not county
        ]
    unit_names = {u.id: u.name for u in units}
    periods = [
        p
        for p in request.app[CALL_ROUTER].policy.calendar.closures
        if p.end > now and (county is None or p.county == county)
    ]
    notices = [
        _notice_row(request, n, unit_names)
        for n in request.app[CATALOGUE_FOLLOWER].notices
        if n.valid_until > now and (county is None or n.county == county)
    ]
    counties = list(member_counties(request).items())
    saved = SAVED.get(request.query.get("gespeichert", ""))
    return await render(
        "closures.html",
        request,
        {
            "closures": closure_rows(request, identity, periods, unit_names),
            "notices": notices,
            "units": [(u.id, u.name, county_name(request, u.county) or "überregional") for u in units],
            "counties": [(key, name) for key, name in counties if county is None or key == county],
            "everything": county is None,
            "scope_text": (
                f"Schließungen und Meldungen für den Kreis {county_name(request, county)} und seine Stellen."
                if county
                else "Schließungen und Meldungen für alle Kreise, ihre Stellen, die Leitungen und alle Leistungen."
            ),
            "now": dt.datetime.now(BERLIN).strftime("%Y-%m-%dT%H:%M"),
            "messages": [Message("success", saved)] if saved else [],
        },
    )


async def routing_closures(request: web.Request) -> dict:
    """What the routing page shows of closures: those of lines and counties in force or later, and whether
    the viewer may close a line for today (supervisors, admins)."""
    identity = await current(request)
    now = dt.datetime.now(dt.UTC)
    periods = [
        p
        for p in request.app[CALL_ROUTER].policy.calendar.closures
        if p.end > now and p.scope in ("line", "county")
    ]
    saved = SAVED.get(request.query.get("gespeichert", ""))
    return {
        "closures": closure_rows(request, identity, periods, {}),
        "can_close_line": identity is not None and may_close_line(identity, within_today=True),
        "line_names": LINE_NAMES,
        "messages": [Message("success", saved)] if saved else [],
    }
