"""The statistics counted in memory, and the background task that writes them and prunes what expires.

Routing decisions (counted by the call router), agents' wrap-ups and searches are dictionary updates
on the request path; every `flush_s` seconds one transaction adds them to the database counters. When
the database cannot be reached the counts stay in memory and go with the next flush, so a short outage
loses nothing. On shutdown the last counts are flushed. Every PRUNE_EVERY_S the ACD's dedupe hashes
older than the dedupe window and calls pending too long are deleted.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.statistics import acd
from knowledge.statistics.counters import DECISIONS, OUTCOMES, add_counts
from knowledge.statistics.searches import add_searches
from knowledge.statistics.slots import slot_of
from knowledge.statistics.tally import SearchTally, Tally
from routing.models import Decision
from servicecenter.call_router import CallRouter

__all__ = ["PRUNE_EVERY_S", "StatisticsRecorder"]

log = structlog.get_logger(__name__)

PRUNE_EVERY_S = 600.0
PRUNE_CHUNK = 5_000
RECORDED_OUTCOMES = 10_000


class StatisticsRecorder:
    """Wrap-ups and searches in memory (decisions are in the router), flushed to the database."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        router: CallRouter,
        *,
        flush_s: float,
        dedupe_window_s: int,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._router = router
        self.flush_s = flush_s
        self.dedupe_window_s = dedupe_window_s
        self.outcomes = Tally()
        self.searches = SearchTally()
        self._recorded: OrderedDict[str, tuple] = OrderedDict()
        self._last_prune = time.monotonic()

    def record_outcome(
        self, decision: Decision, outcome: str, service_id: str | None, *, epoch: float
    ) -> bool:
        """Count an agent's wrap-up of a call; a second one for the same call replaces the first (the agent
        corrected it) and returns True."""
        key = (
            slot_of(epoch),
            decision.line,
            decision.county or "",
            decision.target.id,
            service_id or "",
            outcome,
        )
        previous = self._recorded.pop(decision.decision_id, None)
        if previous is not None:
            self.outcomes.add(previous, -1)
        self.outcomes.add(key)
        self._recorded[decision.decision_id] = key
        if len(self._recorded) > RECORDED_OUTCOMES:
            self._recorded.popitem(last=False)
        return previous is not None

    def note_search(self, client: str, text: str, county: str | None, hits: int) -> None:
        """Count one search (see SearchTally: typing settles first, personal queries are dropped)."""
        self.searches.note(client, text, county, hits, epoch=time.time(), now=time.monotonic())

    async def flush(self, *, settle: bool = False) -> None:
        """Write what was counted since the last flush; `settle` counts queries still being typed too.
        On failure the counts are kept for the next flush and the error is raised."""
        self.searches.settle(time.monotonic(), everything=settle)
        decisions, outcomes = self._router.decisions.drain(), self.outcomes.drain()
        searches = self.searches.tally.drain()
        if not (decisions or outcomes or searches):
            return
        try:
            async with self._sessionmaker.begin() as session:
                await add_counts(session, DECISIONS, decisions)
                await add_counts(session, OUTCOMES, outcomes)
                await add_searches(session, searches)
        except BaseException:
            self._router.decisions.restore(decisions)
            self.outcomes.restore(outcomes)
            self.searches.tally.restore(searches)
            raise

    async def prune(self) -> None:
        """Delete dedupe hashes and pending calls that are no longer needed, PRUNE_CHUNK rows a transaction,
        so that ingests never wait long for the write lock."""
        seen = pending = 0
        while True:
            async with self._sessionmaker.begin() as session:
                more_seen, more_pending = await acd.prune(
                    session, window_s=self.dedupe_window_s, limit=PRUNE_CHUNK
                )
            seen, pending = seen + more_seen, pending + more_pending
            if max(more_seen, more_pending) < PRUNE_CHUNK:
                break
        if seen or pending:
            log.info("acd_pruned", seen_events=seen, pending_calls=pending)

    async def run(self) -> None:
        """Flush every `flush_s` and prune every PRUNE_EVERY_S until cancelled; outages are logged and
        waited out."""
        while True:
            await asyncio.sleep(self.flush_s)
            try:
                await self.flush()
                if time.monotonic() - self._last_prune >= PRUNE_EVERY_S:
                    await self.prune()
                    self._last_prune = time.monotonic()
            except (SQLAlchemyError, OSError) as error:
                log.warning("statistics_flush_failed", error=type(error).__name__)
