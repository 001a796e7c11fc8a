"""How much is waiting, for the operators' metrics: tickets by state, overdue tickets, unsent mails.

Counts only: nothing about a ticket's content or contact reaches the metrics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from knowledge.tickets.models import ACTIVE_STATES, OutboxMail, Ticket

__all__ = ["Backlog", "backlog"]


@dataclass(frozen=True)
class Backlog:
    """Tickets whose promise still runs, by state; those past due; mails neither sent nor given up."""

    tickets: dict[str, int]
    overdue: int
    unsent_mails: int


async def backlog(session: AsyncSession, *, now: dt.datetime) -> Backlog:
    """The backlog at `now`, in three counting queries."""
    active = col(Ticket.state).in_(ACTIVE_STATES)
    counted = await session.execute(select(Ticket.state, func.count()).where(active).group_by(Ticket.state))
    by_state: dict[str, int] = {str(state): count for state, count in counted.all()}
    overdue = await session.scalar(select(func.count()).where(active, col(Ticket.due_at) < now)) or 0
    unsent = await session.scalar(
        select(func.count()).where(col(OutboxMail.sent_at).is_(None), col(OutboxMail.dropped).is_(None))
    )
    return Backlog(
        tickets={str(state): by_state.get(str(state), 0) for state in ACTIVE_STATES},
        overdue=overdue,
        unsent_mails=unsent or 0,
    )
