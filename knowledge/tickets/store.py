"""Tickets as plain keyword-only async functions on an explicit session: create (idempotently), read, list
the worklist, change with If-Match, answer through a link, mark deadlines, erase contact data.

Changes go through the versioned writes of `knowledge.catalogue.editing` (conditional UPDATE on the version,
audit record in the same transaction). The audit trail records `AUDITED_FIELDS` only: contact data never
enters it, so erasing the ticket's columns erases it everywhere.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from knowledge.accounts import hash_secret, new_secret
from knowledge.catalogue import editing
from knowledge.catalogue.editing import Kind
from knowledge.errors import StaleVersion
from knowledge.tickets.models import ACTIVE_STATES, AnswerToken, Ticket, TicketKind, TicketState
from knowledge.tickets.schemas import TicketCreate

__all__ = [
    "AUDITED_FIELDS",
    "CONTACT_COLUMNS",
    "TICKET_KIND",
    "create_ticket",
    "erase_contacts",
    "find_by_idempotency_key",
    "get_ticket",
    "issue_answer_token",
    "list_tickets",
    "mark_overdue",
    "mark_warnings",
    "snapshot",
    "ticket_for_token",
    "update_ticket",
    "worklist_statement",
]

AUDITED_FIELDS = (
    "id",
    "kind",
    "state",
    "county",
    "service_id",
    "unit_id",
    "summary",
    "decision_id",
    "note",
    "answer",
    "answered_at",
    "consent",
    "contact_erased_at",
    "created_by",
    "created_at",
    "due_at",
    "closed_at",
)
CONTACT_COLUMNS = ("contact_name", "contact_phone", "contact_email", "contact_channel")
TICKET_KIND = Kind(
    "ticket", Ticket, AUDITED_FIELDS, lambda _: [], lambda ticket: ticket["county"], catalogue=False
)


def snapshot(ticket: Ticket) -> dict:
    """The audited state of a ticket, as JSON (no contact data)."""
    return editing.snapshot(TICKET_KIND, ticket)


async def get_ticket(session: AsyncSession, *, ticket_id: str) -> Ticket | None:
    """One ticket by id."""
    return await session.get(Ticket, ticket_id)


async def find_by_idempotency_key(session: AsyncSession, *, actor: str, key: str) -> Ticket | None:
    """The ticket `actor` created with this Idempotency-Key, if any."""
    return await session.scalar(
        select(Ticket).where(col(Ticket.created_by) == actor, col(Ticket.idempotency_key) == key)
    )


async def create_ticket(
    session: AsyncSession,
    *,
    data: TicketCreate,
    actor: str,
    now: dt.datetime,
    warn_at: dt.datetime,
    due_at: dt.datetime,
    idempotency_key: str | None = None,
    request_hash: str | None = None,
) -> Ticket:
    """Insert a ticket with its audit record in the caller's transaction.

    Two requests with the same (actor, Idempotency-Key) cannot both commit: the unique constraint
    `uq_ticket_idempotency` refuses the second with an IntegrityError.
    """
    values = data.model_dump(exclude={"contact"}) | {
        "id": uuid.uuid4().hex,
        "state": TicketState.open,
        "created_by": actor,
        "created_at": now,
        "warn_at": warn_at,
        "due_at": due_at,
        "idempotency_key": idempotency_key,
        "request_hash": request_hash,
    }
    if data.contact is not None and not data.contact.is_empty():
        values |= data.contact.columns()
    await editing.create_entry(session, kind=TICKET_KIND, values=values, actor=actor)
    ticket = await session.get(Ticket, values["id"])
    assert ticket is not None
    return ticket


def worklist_statement(
    *,
    states: Sequence[TicketState] = ACTIVE_STATES,
    county: str | None = None,
    unit_id: str | None = None,
    kind: TicketKind | None = None,
    due_before: dt.datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Select[Ticket]:
    """The worklist query: tickets in `states`, filtered, due first (ties by id, so pages are stable); the
    indexes `ix_ticket_worklist` and `ix_ticket_unit_worklist` serve it in this order."""
    state = col(Ticket.state)
    statement = select(Ticket).where(state.in_(states) if len(states) != 1 else state == states[0])
    if county is not None:
        statement = statement.where(col(Ticket.county) == county)
    if unit_id is not None:
        statement = statement.where(col(Ticket.unit_id) == unit_id)
    if kind is not None:
        statement = statement.where(col(Ticket.kind) == kind)
    if due_before is not None:
        statement = statement.where(col(Ticket.due_at) < due_before)
    return statement.order_by(col(Ticket.due_at), col(Ticket.id)).limit(limit).offset(offset)


async def list_tickets(session: AsyncSession, **filters: Any) -> Sequence[Ticket]:
    """The worklist (see `worklist_statement` for the filters)."""
    return (await session.scalars(worklist_statement(**filters))).all()


async def update_ticket(
    session: AsyncSession, *, ticket: Ticket, changes: dict, actor: str, action: str = "update"
) -> int:
    """Apply `changes` if the ticket is still at the version it was read at and return the new version;
    raises StaleVersion if it is not."""
    return await editing.update_entry(
        session,
        kind=TICKET_KIND,
        before=snapshot(ticket),
        expected=ticket.version,
        changes=changes,
        actor=actor,
        action=action,
    )


async def issue_answer_token(session: AsyncSession, *, ticket_id: str) -> str:
    """A new answer link token for a ticket; only its hash is stored, the caller puts it in one mail."""
    token = new_secret()
    session.add(AnswerToken(token_hash=hash_secret(token), ticket_id=ticket_id))
    await session.flush()
    return token


async def ticket_for_token(session: AsyncSession, *, token: str) -> Ticket | None:
    """The ticket an answer link belongs to (in any state; a closed ticket's links no longer answer)."""
    return await session.scalar(
        select(Ticket)
        .join(AnswerToken, col(AnswerToken.ticket_id) == col(Ticket.id))
        .where(col(AnswerToken.token_hash) == hash_secret(token))
    )


async def mark_warnings(session: AsyncSession, *, now: dt.datetime) -> list[tuple[str, TicketKind]]:
    """Mark tickets that reached 80 % of their service time while still waiting for the unit; each is
    marked once (a conditional UPDATE), so of several instances only one sends its reminder.
    Returns (id, kind) of those marked now that still wait for the unit (not yet answered)."""
    result: CursorResult = await session.execute(  # type: ignore[assignment]
        update(Ticket)
        .where(
            col(Ticket.warned_at).is_(None),
            col(Ticket.state).in_(ACTIVE_STATES),
            col(Ticket.warn_at) <= now,
        )
        .values(warned_at=now)
        .returning(col(Ticket.id), col(Ticket.kind), col(Ticket.state))
        .execution_options(synchronize_session=False)
    )
    return [(row.id, row.kind) for row in result if row.state is not TicketState.answered]


async def mark_overdue(session: AsyncSession, *, now: dt.datetime) -> int:
    """Mark tickets past their due time that are not closed; the number marked now."""
    result: CursorResult = await session.execute(  # type: ignore[assignment]
        update(Ticket)
        .where(
            col(Ticket.overdue_at).is_(None), col(Ticket.state).in_(ACTIVE_STATES), col(Ticket.due_at) < now
        )
        .values(overdue_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def erase_contacts(session: AsyncSession, *, now: dt.datetime, retention: dt.timedelta) -> list[str]:
    """Blank the contact data of tickets closed longer than `retention`, each as an audited change
    (`erase_contact`, without the data); the ids erased. A ticket changed meanwhile waits for the next run."""
    has_contact = or_(*(col(getattr(Ticket, column)).is_not(None) for column in CONTACT_COLUMNS))
    due = (
        await session.scalars(
            select(Ticket).where(
                and_(
                    col(Ticket.state) == TicketState.closed,
                    col(Ticket.closed_at) < now - retention,
                    has_contact,
                )
            )
        )
    ).all()
    erased = []
    for ticket in due:
        changes = dict.fromkeys(CONTACT_COLUMNS) | {"contact_erased_at": now}
        try:
            await update_ticket(
                session, ticket=ticket, changes=changes, actor="system", action="erase_contact"
            )
        except StaleVersion:
            continue
        erased.append(ticket.id)
    return erased
