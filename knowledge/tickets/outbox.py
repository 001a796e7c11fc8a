"""The mail outbox: mails to units written in the transaction of the ticket change that calls for them,
claimed by one sender at a time, retried with backoff until sent, and never lost on a restart.

A sender claims a row with a conditional UPDATE (`claimed_until` empty or past); of several instances
claiming at once exactly one matches. A sender that dies mid-delivery leaves a claim that runs out after
its lease, and another sender retries the mail (so a mail may arrive twice after a crash, never zero
times; its Message-ID is the same each time, so mail clients can tell).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from knowledge.catalogue.models import Unit
from knowledge.tickets.models import MailPurpose, OutboxMail, Ticket

__all__ = [
    "BACKOFF_MAX",
    "backoff",
    "claim_due",
    "enqueue",
    "enqueue_for_unit",
    "mails_of",
    "mark_dropped",
    "mark_failed",
    "mark_sent",
]

BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(minutes=30)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, doubling, at most 30 minutes."""
    return min(BACKOFF_FIRST * 2 ** min(attempts - 1, 16), BACKOFF_MAX)


async def enqueue(
    session: AsyncSession, *, ticket_id: str, purpose: MailPurpose, recipient: str, now: dt.datetime
) -> OutboxMail:
    """Add a mail to the caller's transaction; it is sent once that transaction has committed."""
    mail = OutboxMail(
        ticket_id=ticket_id, purpose=purpose, recipient=recipient, created_at=now, next_attempt_at=now
    )
    session.add(mail)
    await session.flush()
    return mail


async def enqueue_for_unit(
    session: AsyncSession, *, ticket: Ticket, purpose: MailPurpose, now: dt.datetime
) -> OutboxMail | None:
    """Queue a mail to the ticket's unit at its e-mail address; None when it has no unit or no address."""
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    if unit is None or not unit.email:
        return None
    return await enqueue(session, ticket_id=ticket.id, purpose=purpose, recipient=unit.email, now=now)


def _pending(now: dt.datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        col(OutboxMail.sent_at).is_(None),
        col(OutboxMail.dropped).is_(None),
        col(OutboxMail.next_attempt_at) <= now,
        or_(col(OutboxMail.claimed_until).is_(None), col(OutboxMail.claimed_until) < now),
    )


async def claim_due(
    session: AsyncSession, *, now: dt.datetime, sender: str, lease: dt.timedelta, limit: int = 20
) -> list[OutboxMail]:
    """Claim up to `limit` mails that are due for `sender`, oldest first; those another sender claimed
    meanwhile are skipped. The caller commits, then delivers."""
    candidates = (
        await session.scalars(
            select(col(OutboxMail.id))
            .where(*_pending(now))
            .order_by(col(OutboxMail.next_attempt_at))
            .limit(limit)
        )
    ).all()
    claimed = []
    for mail_id in candidates:
        result: CursorResult = await session.execute(  # type: ignore[assignment]
            update(OutboxMail)
            .where(col(OutboxMail.id) == mail_id, *_pending(now))
            .values(claimed_by=sender, claimed_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(mail_id)
    if not claimed:
        return []
    return list((await session.scalars(select(OutboxMail).where(col(OutboxMail.id).in_(claimed)))).all())


async def _finish(session: AsyncSession, mail_id: int, sender: str, **values: object) -> bool:
    result: CursorResult = await session.execute(  # type: ignore[assignment]
        update(OutboxMail)
        .where(col(OutboxMail.id) == mail_id, col(OutboxMail.claimed_by) == sender)
        .values(claimed_by=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def mark_sent(
    session: AsyncSession, *, mail_id: int, sender: str, now: dt.datetime, attempts: int
) -> bool:
    """Record a delivery; False if the claim had run out and another sender took the mail over."""
    return await _finish(session, mail_id, sender, sent_at=now, attempts=attempts, last_error=None)


async def mark_failed(
    session: AsyncSession, *, mail_id: int, sender: str, now: dt.datetime, attempts: int, error: str
) -> bool:
    """Record a failed attempt (no secret in `error`) and when to try again."""
    return await _finish(
        session,
        mail_id,
        sender,
        attempts=attempts,
        last_error=error[:500],
        next_attempt_at=now + backoff(attempts),
    )


async def mark_dropped(session: AsyncSession, *, mail_id: int, sender: str, reason: str) -> bool:
    """Give a mail up for a reason that will not change (the ticket was closed, the unit has no address)."""
    return await _finish(session, mail_id, sender, dropped=reason)


async def mails_of(session: AsyncSession, *, ticket_id: str) -> Sequence[OutboxMail]:
    """Every mail of a ticket, oldest first: what the ticket page shows about delivery."""
    return (
        await session.scalars(
            select(OutboxMail).where(col(OutboxMail.ticket_id) == ticket_id).order_by(col(OutboxMail.id))
        )
    ).all()
