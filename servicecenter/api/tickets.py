"""Tickets over HTTP: create (idempotently), the worklist, read, change with If-Match, forward, history.

Who may do what is decided in servicecenter/auth.py (`create_callback`, `create_ticket`, `read_tickets`,
`read_contact`, `edit_ticket`). Contact data is shown to roles with `read_contact` only and never logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Annotated, Literal

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge import audit
from knowledge.accounts import Role
from knowledge.calendar import to_berlin
from knowledge.catalogue.models import County, Service, Unit
from knowledge.counties import CountyKey
from knowledge.errors import NotFound, StaleVersion
from knowledge.tickets import outbox, store
from knowledge.tickets.models import (
    ACTIVE_STATES,
    Channel,
    MailPurpose,
    OutboxMail,
    Ticket,
    TicketKind,
    TicketState,
    may_move,
)
from knowledge.tickets.schemas import TicketCreate, TicketPatch
from servicecenter.api.entries import etag, if_match
from servicecenter.api.params import parse_json, parse_query
from servicecenter.api.responses import Change
from servicecenter.auth import Action, Identity, authorize, check_county, may
from servicecenter.keys import CALL_ROUTER, SESSIONMAKER, TICKET_WORKER
from servicecenter.problems import Problem
from servicecenter.ticket_clock import service_clock

__all__ = [
    "ContactView",
    "Delivery",
    "TicketDetail",
    "TicketQuery",
    "TicketView",
    "create_ticket",
    "forward_ticket",
    "get_ticket",
    "list_tickets",
    "patch_ticket",
    "ticket_history",
    "ticket_view",
]

log = structlog.get_logger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"


class ContactView(BaseModel):
    name: str | None
    phone: str | None
    email: str | None
    channel: Channel | None


class TicketView(BaseModel):
    """A ticket as the worklist shows it; `contact` only for agents and admins."""

    id: str
    kind: TicketKind
    state: TicketState
    county: str | None
    service_id: str | None
    unit_id: str | None
    summary: str
    decision_id: str | None
    note: str | None
    answer: str | None = Field(description="the unit's answer through its link")
    answered_at: dt.datetime | None
    consent: bool
    contact: ContactView | None = Field(default=None, description="agents and admins only; null once erased")
    contact_erased_at: dt.datetime | None
    created_by: str
    created_at: dt.datetime
    warn_at: dt.datetime = Field(description="when 80 % of the service time is used")
    due_at: dt.datetime = Field(description="24 service hours after creation")
    overdue: bool = Field(description="not closed and now > due_at")
    warning: bool = Field(description="not closed and at least 80 % of its service time used")
    closed_at: dt.datetime | None
    version: int


class Delivery(BaseModel):
    """One mail to the unit and how its delivery went."""

    purpose: MailPurpose
    recipient: str
    state: Literal["pending", "retrying", "sent", "dropped"]
    attempts: int
    last_error: str | None
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None
    dropped: str | None


class TicketDetail(TicketView):
    """One ticket with the mails sent about it."""

    deliveries: list[Delivery]


class TicketQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: TicketState | None = Field(default=None, description="unset: every state but closed")
    county: CountyKey | None = None
    unit: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    kind: TicketKind | None = None
    due_before: dt.datetime | None = Field(default=None, description="a time without offset is Berlin time")
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)

    @field_validator("due_before")
    @classmethod
    def _representable(cls, value: dt.datetime | None) -> dt.datetime | None:
        """Times at the edge of the calendar cannot be judged in Berlin time."""
        if value is not None:
            try:
                to_berlin(value).astimezone(dt.UTC)
            except OverflowError:
                raise ValueError("time out of range") from None
        return value


def _berlin(at: dt.datetime | None) -> dt.datetime | None:
    return to_berlin(at) if at is not None else None


def _iso(at: dt.datetime | None) -> str | None:
    return to_berlin(at).isoformat() if at is not None else None


def ticket_view(ticket: Ticket, *, now: dt.datetime, contact: bool) -> dict:
    """The JSON of a ticket at `now` (the shape of `TicketView`, built directly: the worklist builds
    a page of them per request); `contact` says whether the viewer may see contact data."""
    active = ticket.state in ACTIVE_STATES
    view: dict = {
        "id": ticket.id,
        "kind": str(ticket.kind),
        "state": str(ticket.state),
        "county": ticket.county,
        "service_id": ticket.service_id,
        "unit_id": ticket.unit_id,
        "summary": ticket.summary,
        "decision_id": ticket.decision_id,
        "note": ticket.note,
        "answer": ticket.answer,
        "answered_at": _iso(ticket.answered_at),
        "consent": ticket.consent,
        "contact_erased_at": _iso(ticket.contact_erased_at),
        "created_by": ticket.created_by,
        "created_at": _iso(ticket.created_at),
        "warn_at": _iso(ticket.warn_at),
        "due_at": _iso(ticket.due_at),
        "overdue": active and now > ticket.due_at,
        "warning": active and now >= ticket.warn_at,
        "closed_at": _iso(ticket.closed_at),
        "version": ticket.version,
    }
    if contact:
        given = any((ticket.contact_name, ticket.contact_phone, ticket.contact_email))
        view["contact"] = (
            {
                "name": ticket.contact_name,
                "phone": ticket.contact_phone,
                "email": ticket.contact_email,
                "channel": str(ticket.contact_channel) if ticket.contact_channel else None,
            }
            if given
            else None
        )
    return view


def _delivery(mail: OutboxMail) -> dict:
    if mail.sent_at is not None:
        state = "sent"
    elif mail.dropped is not None:
        state = "dropped"
    else:
        state = "retrying" if mail.attempts else "pending"
    return Delivery(
        purpose=mail.purpose,
        recipient=mail.recipient,
        state=state,
        attempts=mail.attempts,
        last_error=mail.last_error,
        next_attempt_at=_berlin(mail.next_attempt_at) if state in ("pending", "retrying") else None,
        sent_at=_berlin(mail.sent_at),
        dropped=mail.dropped,
    ).model_dump(mode="json")


async def _detail(
    request: web.Request, session: AsyncSession, ticket: Ticket, identity: Identity, *, status: int = 200
) -> web.Response:
    mails = await outbox.mails_of(session, ticket_id=ticket.id)
    body = ticket_view(ticket, now=_now(), contact=may(identity, Action.read_contact, None))
    body["deliveries"] = [_delivery(mail) for mail in mails]
    return web.json_response(body, status=status, headers={"ETag": etag(ticket.version)})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _invalid(field: str, message: str) -> Problem:
    return Problem(
        422,
        f"invalid body: {field}",
        title="Validation failed",
        errors=[{"loc": ["body", field], "msg": message}],
    )


async def _check_references(session: AsyncSession, data: TicketCreate | TicketPatch) -> None:
    """422 naming each reference to a county, service or unit that does not exist."""
    errors = []
    for field, table in (("county", County), ("service_id", Service), ("unit_id", Unit)):
        value = getattr(data, field, None)
        if value is not None and await session.get(table, value) is None:
            errors.append({"loc": ["body", field], "msg": f"unknown {field.removesuffix('_id')} {value!r}"})
    if errors:
        fields = ", ".join(e["loc"][1] for e in errors)
        raise Problem(422, f"invalid body: {fields}", title="Validation failed", errors=errors)


def _idempotency_key(request: web.Request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not (0 < len(key) <= 255 and all(0x21 <= ord(c) <= 0x7E for c in key)):
        raise Problem(
            422,
            f"invalid header: {IDEMPOTENCY_HEADER}",
            title="Validation failed",
            errors=[{"loc": ["header", IDEMPOTENCY_HEADER], "msg": "1 to 255 printable ASCII characters"}],
        )
    return key


async def _replay(
    request: web.Request, identity: Identity, key: str, request_hash: str
) -> web.Response | None:
    """The ticket created earlier with this key (200), 422 if the key came with another body, or None."""
    async with request.app[SESSIONMAKER]() as session:
        ticket = await store.find_by_idempotency_key(session, actor=identity.name, key=key)
        if ticket is None:
            return None
        if ticket.request_hash != request_hash:
            raise Problem(
                422,
                f"this {IDEMPOTENCY_HEADER} was used for another request; send a new key for a new ticket",
                title="Idempotency-Key reused",
            )
        return await _detail(request, session, ticket, identity)


async def create_ticket(request: web.Request) -> web.Response:
    """POST /api/v1/tickets: a callback, forward or message; due 24 service hours from now.

    With `Idempotency-Key`, the same key (of the same user) returns the same ticket with 200, also when
    two requests race: the database's unique constraint lets only one of them commit.
    """
    identity = await authorize(request, Action.create_callback)
    key = _idempotency_key(request)
    data = await parse_json(request, TicketCreate)
    if data.kind is not TicketKind.callback:
        await authorize(request, Action.create_ticket)
    request_hash = hashlib.sha256(data.model_dump_json().encode()).hexdigest()
    if key is not None and (replayed := await _replay(request, identity, key, request_hash)):
        return replayed
    async with request.app[SESSIONMAKER]() as session:
        await _check_references(session, data)
    now = _now()
    warn_at, due_at = service_clock(request.app[CALL_ROUTER].policy).due(now)
    try:
        async with request.app[SESSIONMAKER].begin() as session:
            ticket = await store.create_ticket(
                session,
                data=data,
                actor=identity.name,
                now=now,
                warn_at=warn_at,
                due_at=due_at,
                idempotency_key=key,
                request_hash=request_hash,
            )
            if ticket.kind in (TicketKind.forward, TicketKind.message):
                await outbox.enqueue_for_unit(session, ticket=ticket, purpose=MailPurpose.forward, now=now)
    except IntegrityError:
        if key is not None and (replayed := await _replay(request, identity, key, request_hash)):
            return replayed
        raise Problem(
            422, "the ticket refers to an entry that no longer exists", title="Validation failed"
        ) from None
    request.app[TICKET_WORKER].wake()
    log.info("ticket_created", ticket=ticket.id, kind=ticket.kind.value, county=ticket.county)
    async with request.app[SESSIONMAKER]() as session:
        response = await _detail(request, session, ticket, identity, status=201)
    response.headers["Location"] = f"/api/v1/tickets/{ticket.id}"
    return response


async def list_tickets(request: web.Request) -> web.Response:
    """GET /api/v1/tickets: the worklist, due first; a county editor sees their county's tickets."""
    identity = await authorize(request, Action.read_tickets)
    query = parse_query(request, TicketQuery)
    if query.county is not None:
        check_county(identity, Action.read_tickets, query.county)
    county = identity.county if identity.role is Role.county_editor else query.county
    states: Sequence[TicketState] = (query.state,) if query.state else ACTIVE_STATES
    async with request.app[SESSIONMAKER]() as session:
        tickets = await store.list_tickets(
            session,
            states=states,
            county=county,
            unit_id=query.unit,
            kind=query.kind,
            due_before=to_berlin(query.due_before).astimezone(dt.UTC) if query.due_before else None,
            limit=query.limit,
            offset=query.offset,
        )
    now, contact = _now(), may(identity, Action.read_contact, None)
    return web.json_response([ticket_view(t, now=now, contact=contact) for t in tickets])


async def _readable(request: web.Request, session: AsyncSession, identity: Identity) -> Ticket:
    ticket_id = request.match_info["id"]
    ticket = await store.get_ticket(session, ticket_id=ticket_id) if len(ticket_id) <= 32 else None
    if ticket is None:
        raise NotFound("ticket", ticket_id)
    check_county(identity, Action.read_tickets, ticket.county)
    return ticket


async def get_ticket(request: web.Request) -> web.Response:
    """GET /api/v1/tickets/{id}: one ticket with its deliveries and ETag."""
    identity = await authorize(request, Action.read_tickets)
    async with request.app[SESSIONMAKER]() as session:
        ticket = await _readable(request, session, identity)
        return await _detail(request, session, ticket, identity)


def _closed(ticket: Ticket) -> Problem:
    return Problem(
        409, f"ticket {ticket.id} is closed; a closed ticket does not change", title="Ticket closed"
    )


async def patch_ticket(request: web.Request) -> web.Response:
    """PATCH /api/v1/tickets/{id}: state (forward only; closed is final), note, unit; If-Match required."""
    identity = await authorize(request, Action.edit_ticket)
    expected = if_match(request)
    body = await parse_json(request, TicketPatch)
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise Problem(
            422,
            "the body names no field to change",
            title="Validation failed",
            errors=[{"loc": ["body"], "msg": "no field to change"}],
        )
    now = _now()
    async with request.app[SESSIONMAKER]() as session:
        ticket = await _readable(request, session, identity)
        await _check_references(session, body)
    if ticket.state is TicketState.closed:
        raise _closed(ticket)
    if ticket.version != expected:
        raise StaleVersion(expected, ticket.version)
    new_state = changes.get("state")
    if new_state is not None and not may_move(ticket.state, new_state):
        raise _invalid("state", f"a ticket moves forward only: {ticket.state} cannot become {new_state}")
    if new_state is TicketState.closed:
        changes["closed_at"] = now
    if new_state is TicketState.answered and ticket.answered_at is None:
        changes["answered_at"] = now
    async with request.app[SESSIONMAKER].begin() as session:
        await store.update_ticket(session, ticket=ticket, changes=changes, actor=identity.name)
    async with request.app[SESSIONMAKER]() as session:
        ticket = await _readable(request, session, identity)
        return await _detail(request, session, ticket, identity)


async def forward_ticket(request: web.Request) -> web.Response:
    """POST /api/v1/tickets/{id}/forward: e-mail the ticket (again) to its unit, with a new answer link."""
    identity = await authorize(request, Action.edit_ticket)
    async with request.app[SESSIONMAKER]() as session:
        ticket = await _readable(request, session, identity)
    if ticket.state is TicketState.closed:
        raise _closed(ticket)
    async with request.app[SESSIONMAKER].begin() as session:
        queued = await outbox.enqueue_for_unit(
            session, ticket=ticket, purpose=MailPurpose.forward, now=_now()
        )
    if queued is None:
        raise Problem(
            409,
            "the ticket has no unit with an e-mail address; set unit_id, or give the unit an e-mail address",
            title="Nowhere to send",
        )
    request.app[TICKET_WORKER].wake()
    async with request.app[SESSIONMAKER]() as session:
        return await _detail(request, session, ticket, identity, status=202)


async def ticket_history(request: web.Request) -> web.Response:
    """GET /api/v1/tickets/{id}/history: every change, newest first, without contact data."""
    identity = await authorize(request, Action.read_tickets)
    async with request.app[SESSIONMAKER]() as session:
        ticket = await _readable(request, session, identity)
        changes = await audit.history(session, entity=store.TICKET_KIND.name, entry_id=ticket.id)
    return web.json_response(
        [
            Change(
                version=c.version, action=c.action, actor=c.actor, at=c.at, before=c.before, after=c.after
            ).model_dump(mode="json")
            for c in changes
        ]
    )
