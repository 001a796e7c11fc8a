"""Typed application keys: every resource the handlers use, declared in one place.

The types are named for the type checker only: a module that needs a key (auth, for one, which the
`servicecenter user add` command uses) does not load the whole service with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from knowledge.search.index import SearchIndex
    from servicecenter.call_router import CallRouter
    from servicecenter.catalogue_follower import CatalogueFollower
    from servicecenter.concurrency import PerClientLimit
    from servicecenter.known_tokens import KnownTokens
    from servicecenter.live_state import LiveState
    from servicecenter.metrics import Metrics
    from servicecenter.policy_service import PolicyService
    from servicecenter.settings import Settings
    from servicecenter.stats_recorder import StatisticsRecorder
    from servicecenter.ticket_worker import TicketWorker
    from servicecenter.worker_slot import WorkerSlot

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
ENGINE: web.AppKey[AsyncEngine] = web.AppKey("engine")
SESSIONMAKER: web.AppKey[async_sessionmaker[AsyncSession]] = web.AppKey("sessionmaker")
SEARCH_INDEX: web.AppKey[SearchIndex] = web.AppKey("search_index")
CATALOGUE_FOLLOWER: web.AppKey[CatalogueFollower] = web.AppKey("catalogue_follower")
CALL_ROUTER: web.AppKey[CallRouter] = web.AppKey("call_router")
POLICY_SERVICE: web.AppKey[PolicyService] = web.AppKey("policy_service")
TICKET_WORKER: web.AppKey[TicketWorker] = web.AppKey("ticket_worker")
SEARCH_LIMIT: web.AppKey[PerClientLimit] = web.AppKey("search_limit")
KNOWN_TOKENS: web.AppKey[KnownTokens] = web.AppKey("known_tokens")
STATS_RECORDER: web.AppKey[StatisticsRecorder] = web.AppKey("stats_recorder")
LIVE_STATE: web.AppKey[LiveState] = web.AppKey("live_state")
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
WORKER: web.AppKey[WorkerSlot] = web.AppKey("worker")
