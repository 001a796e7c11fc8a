"""Ticket pages: the agents' worklist (`/anliegen`), one ticket beside the service's answer text
(`/anliegen/vorgang/{id}`), and the page a unit answers on through the link in its mail (`/anliegen/{token}`,
no account: the long random token is the credential, valid for its one ticket until it is closed).

Agents change tickets through the JSON API (static/ticket.js, If-Match and CSRF); the answer page is a
plain form that works without script.
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from knowledge import audit
from knowledge.accounts import Role
from knowledge.calendar import to_berlin
from knowledge.catalogue import store as catalogue
from knowledge.catalogue.models import Service, Unit
from knowledge.errors import StaleVersion
from knowledge.tickets import outbox, store
from knowledge.tickets.models import ACTIVE_STATES, Ticket, TicketKind, TicketState, may_move
from servicecenter.api.tickets import ticket_view
from servicecenter.auth import Action, may
from servicecenter.keys import SESSIONMAKER
from servicecenter.ui.access import Refused, county_name, member_counties, require
from servicecenter.ui.rendering import Message, admin_page, render

__all__ = ["answer_page", "submit_answer", "ticket_page", "worklist"]

KIND_NAMES = {
    TicketKind.callback: "Rückruf",
    TicketKind.forward: "Weiterleitung",
    TicketKind.message: "Nachricht",
}
STATE_NAMES = {
    TicketState.open: "offen",
    TicketState.forwarded: "weitergeleitet",
    TicketState.answered: "beantwortet",
    TicketState.closed: "abgeschlossen",
}
DELIVERY_NAMES = {
    "pending": "wird gesendet",
    "retrying": "Zustellung fehlgeschlagen – neuer Versuch folgt",
    "sent": "zugestellt",
    "dropped": "nicht gesendet",
}
ACTIONS = {
    "create": "aufgenommen",
    "update": "geändert",
    "forward": "an die Stelle zugestellt",
    "answer": "von der Stelle beantwortet",
    "erase_contact": "Kontaktdaten gelöscht",
}
PAGE = 100
ANSWER_MAX = 4000
DIRECTLY = "Direkt beantwortet (die Stelle hat die anfragende Person selbst informiert)."
NOT_FOUND = "Diesen Vorgang gibt es nicht."


def _when(at: str | None) -> str | None:
    return f"{dt.datetime.fromisoformat(at):%d.%m.%Y, %H:%M} Uhr" if at else None


def _row(view: dict, units: dict[str, str], request: web.Request) -> dict:
    return view | {
        "kind_name": KIND_NAMES[view["kind"]],
        "state_name": STATE_NAMES[view["state"]],
        "due": _when(view["due_at"]),
        "county_name": county_name(request, view["county"]),
        "unit_name": units.get(view["unit_id"] or "", view["unit_id"]),
    }


@admin_page
async def worklist(request: web.Request) -> web.Response:
    """GET /anliegen: open tickets due first; overdue and nearly due marked in words and colour."""
    identity = await require(request, Action.read_tickets)
    query = request.query
    counties = list(member_counties(request).items())
    fixed_county = identity.role is Role.county_editor
    county = (
        identity.county
        if fixed_county
        else query.get("county")
        if query.get("county") in dict(counties)
        else None
    )
    state = TicketState(query["state"]) if query.get("state") in set(TicketState) else None
    kind = TicketKind(query["kind"]) if query.get("kind") in set(TicketKind) else None
    offset = int(query["offset"]) if query.get("offset", "").isdigit() and len(query["offset"]) < 7 else 0
    async with request.app[SESSIONMAKER]() as session:
        units = {u.id: u.name for u in await catalogue.list_units(session, limit=10_000)}
        unit = query.get("unit") if query.get("unit") in units else None
        found = await store.list_tickets(
            session,
            states=(state,) if state else ACTIVE_STATES,
            county=county,
            unit_id=unit,
            kind=kind,
            limit=PAGE + 1,
            offset=offset,
        )
    now = dt.datetime.now(dt.UTC)
    rows = [_row(ticket_view(t, now=now, contact=False), units, request) for t in found[:PAGE]]
    filters = {"county": county or "", "unit": unit or "", "kind": kind or "", "state": state or ""}
    return await render(
        "tickets.html",
        request,
        {
            "rows": rows,
            "counties": counties,
            "fixed_county": fixed_county,
            "units": sorted(units.items(), key=lambda item: item[1]),
            "kinds": KIND_NAMES,
            "states": STATE_NAMES,
            "filters": filters,
            "next_offset": offset + PAGE if len(found) > PAGE else None,
            "prev_offset": max(offset - PAGE, 0) if offset else None,
        },
    )


FIELD_NAMES = {"state": "Status", "unit_id": "Stelle", "note": "Vermerk", "answer": "Antwort"}


def _shown(name: str, value: object) -> str:
    if value is None or value == "":
        return "—"
    return STATE_NAMES[TicketState(str(value))] if name == "state" else str(value)


def _changes(change: audit.Change) -> list[tuple[str, str, str]]:
    """(field, before, after) of the fields an agent cares about, in German."""
    before, after = change.before or {}, change.after or {}
    return [
        (label, _shown(name, before.get(name)), _shown(name, after.get(name)))
        for name, label in FIELD_NAMES.items()
        if before.get(name) != after.get(name) and (change.action != "create" or after.get(name))
    ]


@admin_page
async def ticket_page(request: web.Request) -> web.Response:
    """GET /anliegen/vorgang/{id}: the question beside the service's answer text, what was done, history."""
    await require(request, Action.read_tickets)
    async with request.app[SESSIONMAKER]() as session:
        ticket = await store.get_ticket(session, ticket_id=request.match_info["id"][:32])
        if ticket is None:
            raise Refused(404, "Nicht gefunden", NOT_FOUND)
        identity = await require(request, Action.read_tickets, county=ticket.county, scoped=True)
        service = await session.get(Service, ticket.service_id) if ticket.service_id else None
        unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
        mails = await outbox.mails_of(session, ticket_id=ticket.id)
        changes = await audit.history(session, entity=store.TICKET_KIND.name, entry_id=ticket.id)
    view = ticket_view(ticket, now=dt.datetime.now(dt.UTC), contact=may(identity, Action.read_contact, None))
    deliveries = [
        {
            "purpose": "Erinnerung" if mail.purpose == "reminder" else "Anfrage",
            "recipient": mail.recipient,
            "state": DELIVERY_NAMES[
                "sent"
                if mail.sent_at
                else "dropped"
                if mail.dropped
                else "retrying"
                if mail.attempts
                else "pending"
            ],
            "attempts": mail.attempts,
            "error": mail.last_error,
            "sent": f"{to_berlin(mail.sent_at):%d.%m.%Y, %H:%M} Uhr" if mail.sent_at else None,
        }
        for mail in mails
    ]
    history = [
        {
            "version": c.version,
            "what": ACTIONS.get(c.action, c.action),
            "actor": c.actor,
            "when": f"{to_berlin(c.at):%d.%m.%Y, %H:%M} Uhr",
            "changes": _changes(c),
        }
        for c in changes
    ]
    return await render(
        "ticket.html",
        request,
        {
            "ticket": _row(view, {unit.id: unit.name} if unit else {}, request),
            "service": service,
            "unit": unit,
            "deliveries": deliveries,
            "history": history,
            "state_options": [(s, n) for s, n in STATE_NAMES.items() if may_move(ticket.state, s)],
            "may_edit": may(identity, Action.edit_ticket, None) and ticket.state is not TicketState.closed,
            "answered": _when(view["answered_at"]),
            "closed": _when(view["closed_at"]),
            "created": _when(view["created_at"]),
        },
    )


async def _by_token(request: web.Request) -> Ticket:
    token = request.match_info["token"]
    async with request.app[SESSIONMAKER]() as session:
        ticket = await store.ticket_for_token(session, token=token) if 20 <= len(token) <= 100 else None
    if ticket is None:
        raise Refused(
            404,
            "Link ungültig",
            "Dieser Link ist ungültig. Bitte nutzen Sie den Link aus der E-Mail vollständig.",
        )
    if ticket.state is TicketState.closed:
        raise Refused(
            410,
            "Vorgang abgeschlossen",
            "Dieser Vorgang ist abgeschlossen; der Link gilt nicht mehr. Vielen Dank.",
        )
    return ticket


async def _answer_form(
    request: web.Request, ticket: Ticket, *, messages: list[Message], text: str = "", status: int = 200
) -> web.Response:
    async with request.app[SESSIONMAKER]() as session:
        service = await session.get(Service, ticket.service_id) if ticket.service_id else None
        unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    view = ticket_view(ticket, now=dt.datetime.now(dt.UTC), contact=False)
    return await render(
        "answer.html",
        request,
        {
            "ticket": view,
            "service": service,
            "unit": unit,
            "due": _when(view["due_at"]),
            "answered": _when(view["answered_at"]),
            "text": text,
            "messages": messages,
            "answer_max": ANSWER_MAX,
        },
        status=status,
    )


async def _refusal(request: web.Request, refused: Refused) -> web.Response:
    return await render(
        "answer_refused.html", request, {"title": refused.title, "text": refused.text}, status=refused.status
    )


async def answer_page(request: web.Request) -> web.Response:
    """GET /anliegen/{token}: the question for the unit, and a form to answer it."""
    try:
        ticket = await _by_token(request)
    except Refused as refused:
        return await _refusal(request, refused)
    thanks = [Message("success", "Vielen Dank – Ihre Antwort ist beim Servicecenter eingegangen.")]
    return await _answer_form(request, ticket, messages=thanks if request.query.get("beantwortet") else [])


async def submit_answer(request: web.Request) -> web.Response:
    """POST /anliegen/{token}: the unit's answer text, or "direkt beantwortet"; the ticket becomes answered."""
    try:
        ticket = await _by_token(request)
    except Refused as refused:
        return await _refusal(request, refused)
    form = await request.post()
    text = str(form.get("answer", "")).strip()
    direct = form.get("action") == "direct"
    if not direct and not text:
        error = Message("error", "Bitte tragen Sie die Antwort ein – oder wählen Sie „Direkt beantwortet“.")
        return await _answer_form(request, ticket, messages=[error], status=422)
    if len(text) > ANSWER_MAX or "\x00" in text:
        error = Message("error", f"Die Antwort darf höchstens {ANSWER_MAX} Zeichen lang sein.")
        return await _answer_form(request, ticket, messages=[error], text=text[:ANSWER_MAX], status=422)
    answer = f"{DIRECTLY}\n{text}".strip() if direct else text
    now = dt.datetime.now(dt.UTC)
    changes: dict = {"answer": answer, "answered_at": now, "state": TicketState.answered}
    actor = f"Link an {ticket.unit_id or 'die Stelle'}"
    for _ in range(3):  # an agent's change in between makes the version stale: read again and retry
        try:
            async with request.app[SESSIONMAKER].begin() as session:
                current = await store.get_ticket(session, ticket_id=ticket.id)
                if current is None or current.state is TicketState.closed:
                    break
                await store.update_ticket(
                    session, ticket=current, changes=changes, actor=actor, action="answer"
                )
                break
        except StaleVersion:
            continue
    raise web.HTTPSeeOther(request.url.with_query({"beantwortet": "1"}).relative())
