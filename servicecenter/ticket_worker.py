"""The background work of tickets, off the request path: deliver queued mails with retries, mark warnings
and overdue tickets (one reminder mail at 80 %), erase contact data after the retention period.

`TicketWorker.step(now)` does one round of everything and is what tests drive with a chosen `now`;
`run()` repeats it while the service runs. Every change is a conditional UPDATE, so several instances may
run workers against one database: a mail is claimed by one sender, a warning marked (and its reminder
queued) by one instance.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import socket
import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.catalogue.models import County, Service, Unit
from knowledge.errors import StaleVersion
from knowledge.tickets import outbox, store
from knowledge.tickets.models import MailPurpose, OutboxMail, TicketKind, TicketState
from servicecenter.mail import DELIVERY_ERRORS, Mailer
from servicecenter.settings import Settings
from servicecenter.ticket_mail import MailFacts, compose

__all__ = ["StepReport", "TicketWorker"]

log = structlog.get_logger(__name__)

POLL_S = 5.0
"""How often queued mails are looked for without a wake-up (retries, other instances' tickets)."""
CHECK_EVERY = dt.timedelta(minutes=1)
ERASE_EVERY = dt.timedelta(hours=1)
LEASE = dt.timedelta(minutes=2)
"""How long a claimed mail is reserved for its sender (longer than one SMTP attempt may take)."""
SYSTEM = "system"


@dataclass(frozen=True)
class StepReport:
    """What one round did."""

    sent: int = 0
    failed: int = 0
    dropped: int = 0
    warned: int = 0
    overdue: int = 0
    erased: int = 0


class TicketWorker:
    """Delivers ticket mails and keeps deadlines and retention, for one service instance."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = sessionmaker
        self._mailer = Mailer(settings)
        self._public = settings.public_base
        self._sender = settings.mail_from
        self._retention = dt.timedelta(days=settings.ticket_retention_days)
        self._name = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._checked: dt.datetime | None = None
        self._erased: dt.datetime | None = None

    def wake(self) -> None:
        """Deliver soon: a request just queued a mail."""
        self._wakeup.set()

    def stop(self) -> None:
        """End `run()` after the round in progress, so no database work is cut off halfway."""
        self._stopping = True
        self._wakeup.set()

    async def run(self) -> None:
        """Rounds until stopped; a failing round (database down) is logged and retried later."""
        while not self._stopping:
            now = dt.datetime.now(dt.UTC)
            try:
                if self._checked is None or now - self._checked >= CHECK_EVERY:
                    await self.check_deadlines(now)
                    self._checked = now
                await self.deliver_due(now)
                if self._erased is None or now - self._erased >= ERASE_EVERY:
                    await self.erase_expired(now)
                    self._erased = now
            except Exception as error:  # the loop must outlive any one round
                log.warning("ticket_worker_round_failed", error=type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), POLL_S)
            self._wakeup.clear()

    async def step(self, now: dt.datetime) -> StepReport:
        """One round of everything at `now`: deadline marks and reminders, deliveries, erasure."""
        warned, overdue = await self.check_deadlines(now)
        sent, failed, dropped = await self.deliver_due(now)
        erased = await self.erase_expired(now)
        return StepReport(sent, failed, dropped, warned, overdue, erased)

    async def deliver_due(self, now: dt.datetime) -> tuple[int, int, int]:
        """Send every mail due at `now` that this worker can claim: (sent, failed, dropped)."""
        async with self._sessions.begin() as session:
            claimed = await outbox.claim_due(session, now=now, sender=self._name, lease=LEASE)
        counts = {"sent": 0, "failed": 0, "dropped": 0}
        for mail in claimed:
            counts[await self._deliver(mail, now)] += 1
        return counts["sent"], counts["failed"], counts["dropped"]

    async def _deliver(self, mail: OutboxMail, now: dt.datetime) -> str:
        mail_id = mail.id
        assert mail_id is not None
        async with self._sessions() as session:
            ticket = await store.get_ticket(session, ticket_id=mail.ticket_id)
            assert ticket is not None  # the outbox row goes with its ticket (ON DELETE CASCADE)
            unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
            service = await session.get(Service, ticket.service_id) if ticket.service_id else None
            county = await session.get(County, ticket.county) if ticket.county else None
        reason = None
        if ticket.state is TicketState.closed:
            reason = "Vorgang abgeschlossen"
        elif mail.purpose is MailPurpose.reminder and ticket.state is TicketState.answered:
            reason = "bereits beantwortet"
        if reason is not None:
            async with self._sessions.begin() as session:
                await outbox.mark_dropped(session, mail_id=mail_id, sender=self._name, reason=reason)
            return "dropped"
        async with self._sessions.begin() as session:
            token = await store.issue_answer_token(session, ticket_id=ticket.id)
        facts = MailFacts(
            unit=unit.name if unit else None,
            service=service.title if service else None,
            county=county.name if county else None,
            link=f"{self._public}/anliegen/{token}",
        )
        message = compose(
            ticket,
            facts,
            purpose=mail.purpose,
            sender=self._sender,
            recipient=mail.recipient,
            mail_id=mail_id,
        )
        attempts = mail.attempts + 1
        try:
            await self._mailer.send(message, name=f"ticket-{ticket.id}-{mail.id}")
        except DELIVERY_ERRORS as error:
            async with self._sessions.begin() as session:
                await outbox.mark_failed(
                    session,
                    mail_id=mail_id,
                    sender=self._name,
                    now=now,
                    attempts=attempts,
                    error=f"{type(error).__name__}: {error}",
                )
            log.warning(
                "ticket_mail_failed",
                mail=mail.id,
                ticket=ticket.id,
                attempts=attempts,
                error=type(error).__name__,
                via=self._mailer.describe(),
            )
            return "failed"
        async with self._sessions.begin() as session:
            await outbox.mark_sent(session, mail_id=mail_id, sender=self._name, now=now, attempts=attempts)
        if mail.purpose is MailPurpose.forward:
            await self._note_forwarded(ticket.id)
        log.info(
            "ticket_mail_sent",
            mail=mail.id,
            ticket=ticket.id,
            purpose=mail.purpose.value,
            via=self._mailer.describe(),
        )
        return "sent"

    async def _note_forwarded(self, ticket_id: str) -> None:
        """An open ticket whose mail reached the unit is `forwarded` (audited, by `system`)."""
        for _ in range(3):  # an agent's change in between makes the version stale: read again and retry
            try:
                async with self._sessions.begin() as session:
                    ticket = await store.get_ticket(session, ticket_id=ticket_id)
                    if ticket is None or ticket.state is not TicketState.open:
                        return
                    await store.update_ticket(
                        session,
                        ticket=ticket,
                        changes={"state": TicketState.forwarded},
                        actor=SYSTEM,
                        action="forward",
                    )
                    return
            except StaleVersion:
                continue

    async def check_deadlines(self, now: dt.datetime) -> tuple[int, int]:
        """Mark warnings (queueing one reminder to the unit of a forward or message) and overdue tickets."""
        async with self._sessions.begin() as session:
            warned = await store.mark_warnings(session, now=now)
            for ticket_id, kind in warned:
                if kind is TicketKind.callback:
                    continue
                ticket = await store.get_ticket(session, ticket_id=ticket_id)
                if ticket is not None:
                    await outbox.enqueue_for_unit(
                        session, ticket=ticket, purpose=MailPurpose.reminder, now=now
                    )
            overdue = await store.mark_overdue(session, now=now)
        if warned or overdue:
            log.info("ticket_deadlines", warned=len(warned), overdue=overdue)
            self.wake()
        return len(warned), overdue

    async def erase_expired(self, now: dt.datetime) -> int:
        """Erase the contact data of tickets closed longer ago than the retention period."""
        async with self._sessions.begin() as session:
            erased = await store.erase_contacts(session, now=now, retention=self._retention)
        if erased:
            log.info("ticket_contacts_erased", tickets=len(erased))
        return len(erased)
