"""Tickets: questions not answered in the call — callbacks, questions forwarded to a unit, switchboard
messages — with their deadline, the answer links sent to units, and the mails waiting to go out.

Contact data lives in its own columns so that it can be blanked on its own and is never part of the
audit trail (see `knowledge.tickets.store.TICKET_KIND`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = [
    "ACTIVE_STATES",
    "AnswerToken",
    "Channel",
    "MailPurpose",
    "OutboxMail",
    "Ticket",
    "TicketKind",
    "TicketState",
    "may_move",
]


class TicketKind(StrEnum):
    """What is to be done: call the citizen back, have a unit answer, or pass a message to a unit."""

    callback = "callback"
    forward = "forward"
    message = "message"


class TicketState(StrEnum):
    """open → forwarded → answered → closed; a ticket only moves forward, and closed is final."""

    open = "open"
    forwarded = "forwarded"
    answered = "answered"
    closed = "closed"


ACTIVE_STATES = (TicketState.open, TicketState.forwarded, TicketState.answered)
"""States in which the promise still runs."""


def may_move(current: TicketState, new: TicketState) -> bool:
    """Whether a ticket in `current` may be set to `new`: forward only (or stay), never out of closed."""
    order = tuple(TicketState)
    return current is not TicketState.closed and order.index(new) >= order.index(current)


class Channel(StrEnum):
    """How the citizen wants the answer."""

    phone = "phone"
    email = "email"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Ticket(SQLModel, table=True):
    """One question that must be answered within 24 service hours."""

    __table_args__ = (
        UniqueConstraint("created_by", "idempotency_key", name="uq_ticket_idempotency"),
        # the worklist: one state (or each active state), a county or unit, due first; id breaks ties
        Index("ix_ticket_worklist", "state", "county", "due_at", "id"),
        Index("ix_ticket_unit_worklist", "unit_id", "state", "due_at", "id"),
        Index("ix_ticket_state_due", "state", "due_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=32)
    kind: TicketKind
    state: TicketState = TicketState.open
    county: str | None = Field(default=None, foreign_key="county.key")
    service_id: str | None = Field(default=None, foreign_key="service.id", ondelete="SET NULL")
    unit_id: str | None = Field(default=None, foreign_key="unit.id", ondelete="SET NULL")
    summary: str
    decision_id: str | None = None
    note: str | None = Field(default=None, description="what the agent did")
    answer: str | None = Field(default=None, description="the unit's answer through its link")
    answered_at: dt.datetime | None = None
    consent: bool = False
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    contact_channel: Channel | None = None
    contact_erased_at: dt.datetime | None = None
    created_by: str
    created_at: dt.datetime = Field(default_factory=_now)
    warn_at: dt.datetime = Field(description="80 % of the service time used")
    due_at: dt.datetime = Field(description="24 service hours after creation")
    warned_at: dt.datetime | None = Field(default=None, description="when the deadline check saw the warning")
    overdue_at: dt.datetime | None = Field(default=None, description="when the deadline check saw it overdue")
    closed_at: dt.datetime | None = Field(default=None, index=True)
    idempotency_key: str | None = Field(default=None, max_length=255)
    request_hash: str | None = Field(default=None, description="SHA-256 of the creating request's body")
    version: int = Field(default=1, description="grows with every change; the ETag of the ticket")


class AnswerToken(SQLModel, table=True):
    """A link a unit answers through without an account; only the SHA-256 of the token is stored."""

    __tablename__ = "ticket_answer_token"

    token_hash: str = Field(primary_key=True, description="SHA-256 of the token, hex")
    ticket_id: str = Field(foreign_key="ticket.id", index=True, ondelete="CASCADE")
    created_at: dt.datetime = Field(default_factory=_now)


class MailPurpose(StrEnum):
    """Why a mail is sent to a unit."""

    forward = "forward"
    reminder = "reminder"


class OutboxMail(SQLModel, table=True):
    """A mail to send, written in the transaction of the ticket change that calls for it.

    The text is rendered when it is sent, from the ticket as it is then; a sender claims a row with a
    conditional UPDATE (`claimed_until`), so several instances never send one row twice at once.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_pending", "sent_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id", index=True, ondelete="CASCADE")
    purpose: MailPurpose
    recipient: str
    created_at: dt.datetime = Field(default_factory=_now)
    next_attempt_at: dt.datetime = Field(default_factory=_now)
    attempts: int = 0
    last_error: str | None = None
    claimed_by: str | None = None
    claimed_until: dt.datetime | None = None
    sent_at: dt.datetime | None = None
    dropped: str | None = Field(default=None, description="why it was not sent, e.g. the ticket was closed")
