"""Routing's live state shared by the instances on one PostgreSQL database: pool reports and decisions.

Routing answers from memory and never waits on the database; sharing happens beside it:
- a pool report (`PUT /api/v1/pools/{id}/state`) takes effect here at once, then is written behind the
  request (newest report wins) and announced on the live channel with the report itself; the other
  instances merge it by its time, so a late or repeated message never replaces a newer report, and a
  (re)connected listener reloads the table;
- every decision is written behind the request, in batches (one INSERT per batch): any instance answers
  `GET /api/v1/decisions/{id}` from memory, else from the table. A decision made a moment ago elsewhere
  (its id carries its time) may still be in its batch, so it is waited for briefly instead of a 404.
  Decisions hold no caller number and are kept `retention`, then pruned.
While the database is down routing carries on with the state it knew: the newest unsaved report per pool
is kept and written when the database is back, unsaved decisions up to PENDING_DECISIONS (the oldest
dropped beyond that; this instance still has them in memory). With SQLite (a single instance) nothing
is shared: memory only, as before.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import deque

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.live import store
from knowledge.live.models import PoolStateRecord
from routing.decision_ids import decided_at
from routing.models import Answer, Decision, PoolState
from servicecenter.call_router import CallRouter
from servicecenter.live_channel import LiveChannel, Message
from servicecenter.metrics import Metrics
from servicecenter.outages import is_database_outage

__all__ = ["LiveState"]

log = structlog.get_logger(__name__)

POOL_TOPIC = "pool_state"
PENDING_DECISIONS = 20_000
BATCH_WAIT_S = 0.1
"""After the first unsaved decision, how long to gather more into the same batch (pool reports, a few a
second, are written and announced at once)."""
RETRY_S = 1.0
PRUNE_EVERY_S = 3600.0
FRESH_S = 2.0
"""A decision younger than this that is not in the table yet is waited for: its batch may be on its way."""
FRESH_POLL_S = 0.05


class LiveState:
    """This instance's share of the live state: writes behind, merges what others announce, looks up."""

    def __init__(
        self,
        router: CallRouter,
        sessionmaker: async_sessionmaker[AsyncSession],
        metrics: Metrics,
        *,
        channel: LiveChannel | None,
        origin: str,
        retention: dt.timedelta,
    ) -> None:
        self.router = router
        self.channel = channel
        """How other instances' changes arrive (PostgreSQL); None: a single instance (SQLite)."""
        self.shared = channel is not None
        self._sessionmaker = sessionmaker
        self._metrics = metrics
        self._origin = origin
        self._retention = retention
        self._decisions: deque[tuple[str, bytes]] = deque(maxlen=PENDING_DECISIONS)
        """Unsaved decisions as (id, JSON): nothing the garbage collector walks, however many pile up while
        the database is down."""
        self._pools: dict[str, PoolState] = {}
        self._wakeup = asyncio.Event()
        self._pruned = time.monotonic()
        if channel is not None:
            router.recent.on_add = self._decided
            channel.subscribe(POOL_TOPIC, self.merge_announced)
            channel.on_connect(self.catch_up)

    # -- this instance's changes ---------------------------------------------------------------------

    def _decided(self, answer: Answer) -> None:
        self._decisions.append((answer.decision.decision_id, answer.body))
        self._wakeup.set()

    def report_pool_state(self, pool_id: str, state: PoolState) -> PoolState:
        """The ACD's report for one pool: in force here now, shared behind the request; raises UnknownPool."""
        stamped = self.router.report_pool_state(pool_id, state)
        if self.shared:
            self._pools[pool_id] = stamped
            self._wakeup.set()
        return stamped

    # -- what other instances announce ---------------------------------------------------------------

    def merge_announced(self, message: Message) -> None:
        """A `pool_state` notification: merged by its time unless it is this instance's own."""
        if message.get("origin") == self._origin:
            return
        try:
            state = PoolState.model_validate(message["state"])
            pool_id = str(message["pool"])
        except (KeyError, ValueError) as error:
            log.warning("pool_state_message_invalid", error=type(error).__name__)
            return
        self.router.merge_pool_state(pool_id, state)
        if isinstance(sent := message.get("sent_at"), float | int):
            self._metrics.live_lag.labels(POOL_TOPIC).observe(max(0.0, time.time() - sent))

    async def catch_up(self) -> None:
        """Merge every stored pool report (at start and after the listener reconnected)."""
        async with self._sessionmaker() as session:
            rows = await store.pool_states(session)
        for row in rows:
            state = PoolState(
                agents_available=row.agents_available,
                calls_waiting=row.calls_waiting,
                longest_wait_s=row.longest_wait_s,
                updated_at=row.updated_at,
            )
            self.router.merge_pool_state(row.pool_id, state)

    # -- lookups -------------------------------------------------------------------------------------

    async def decision(self, decision_id: str) -> Decision | None:
        """A decision by id: from memory, else (shared) from the table, waiting briefly for one made a
        moment ago on another instance; None when unknown or forgotten. Raises the database's error
        when the table cannot be read."""
        found = self.router.recent.get(decision_id)
        made = decided_at(decision_id)
        if found is not None or not self.shared or made is None:
            return found
        while True:
            async with self._sessionmaker() as session:
                record = await store.get_decision(session, decision_id=decision_id)
            if record is not None:
                return Decision.model_validate_json(record.body)
            if time.time() - made > FRESH_S:
                return None
            await asyncio.sleep(FRESH_POLL_S)

    async def decision_for_page(self, decision_id: str) -> Decision | None:
        """As `decision`, but None also while the table cannot be read: a page that pops a call renders
        without it (and says the call is unknown here) instead of failing."""
        try:
            return await self.decision(decision_id)
        except Exception as error:
            if not is_database_outage(error):
                raise
            return None

    # -- writing behind --------------------------------------------------------------------------------

    async def run(self) -> None:
        """Write what is unsaved, in batches, until cancelled; an outage is waited out."""
        while True:
            await self._wakeup.wait()
            if not self._pools:  # a pool report goes at once; decisions gather into a batch
                await asyncio.sleep(BATCH_WAIT_S)
            self._wakeup.clear()
            try:
                await self.flush()
            except (SQLAlchemyError, OSError) as error:
                log.warning(
                    "live_state_write_failed", error=type(error).__name__, unsaved=len(self._decisions)
                )
                self._metrics.live_write_failures.inc()
                await asyncio.sleep(RETRY_S)
                self._wakeup.set()

    async def flush(self) -> None:
        """Write every unsaved pool report (announcing each) and decision in one transaction; what could not
        be written stays unsaved."""
        pools, decisions = self._pools, list(self._decisions)
        self._pools = {}
        self._decisions.clear()
        try:
            await self._write(pools, decisions)
        except BaseException:
            for pool_id, state in pools.items():
                self._pools.setdefault(pool_id, state)  # a newer report that came meanwhile stays
            self._decisions = deque(
                [*decisions, *self._decisions], maxlen=PENDING_DECISIONS
            )  # oldest dropped
            raise
        if self._pruned + PRUNE_EVERY_S < time.monotonic():
            await self._prune()

    async def _write(self, pools: dict[str, PoolState], decisions: list[tuple[str, bytes]]) -> None:
        if not pools and not decisions:
            return
        now = dt.datetime.now(dt.UTC)
        records = [PoolStateRecord(pool_id=pool_id, **state.model_dump()) for pool_id, state in pools.items()]
        sent_at = time.time()
        announcements = [
            {
                "topic": POOL_TOPIC,
                "origin": self._origin,
                "pool": pool_id,
                "state": state.model_dump(mode="json"),
                "sent_at": sent_at,
            }
            for pool_id, state in pools.items()
        ]
        rows = [(decision_id, _time_of(decision_id) or now, body.decode()) for decision_id, body in decisions]
        async with self._sessionmaker.begin() as session:
            await store.save_pool_states(session, states=records)
            await store.save_decisions(session, decisions=rows)
            await store.notify(session, payloads=announcements)

    async def _prune(self) -> None:
        self._pruned = time.monotonic()
        async with self._sessionmaker.begin() as session:
            pruned = await store.prune_decisions(session, before=dt.datetime.now(dt.UTC) - self._retention)
        if pruned:
            log.info("decisions_pruned", decisions=pruned)


def _time_of(decision_id: str) -> dt.datetime | None:
    made = decided_at(decision_id)
    return dt.datetime.fromtimestamp(made, dt.UTC) if made is not None else None
