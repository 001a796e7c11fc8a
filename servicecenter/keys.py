"""Typed application keys: every resource the handlers use, declared in one place."""

from __future__ import annotations

from aiohttp import web
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

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONMAKER = web.AppKey("sessionmaker", async_sessionmaker[AsyncSession])
SEARCH_INDEX = web.AppKey("search_index", SearchIndex)
CATALOGUE_FOLLOWER = web.AppKey("catalogue_follower", CatalogueFollower)
CALL_ROUTER = web.AppKey("call_router", CallRouter)
POLICY_SERVICE = web.AppKey("policy_service", PolicyService)
TICKET_WORKER = web.AppKey("ticket_worker", TicketWorker)
SEARCH_LIMIT = web.AppKey("search_limit", PerClientLimit)
KNOWN_TOKENS = web.AppKey("known_tokens", KnownTokens)
STATS_RECORDER = web.AppKey("stats_recorder", StatisticsRecorder)
LIVE_STATE = web.AppKey("live_state", LiveState)
METRICS = web.AppKey("metrics", Metrics)
WORKER = web.AppKey("worker", WorkerSlot)
