"""The application factory: settings in, a wired aiohttp application out, nothing at import time."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import os
import socket
from collections.abc import AsyncIterator

import structlog
from aiohttp import web
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from knowledge.search.index import SearchIndex
from knowledge.search.places import PlaceWords
from knowledge.search.ranking import warm
from knowledge.search.sync import ensure_index
from knowledge.storage.db import create_engine, create_sessionmaker
from servicecenter.bootstrap import open_database
from servicecenter.catalogue_follower import CatalogueFollower
from servicecenter.concurrency import PerClientLimit
from servicecenter.keys import (
    CALL_ROUTER,
    CATALOGUE_FOLLOWER,
    ENGINE,
    KNOWN_TOKENS,
    LIVE_STATE,
    METRICS,
    POLICY_SERVICE,
    SEARCH_INDEX,
    SEARCH_LIMIT,
    SESSIONMAKER,
    SETTINGS,
    STATS_RECORDER,
    TICKET_WORKER,
    WORKER,
)
from servicecenter.known_tokens import KnownTokens
from servicecenter.live_channel import LiveChannel, asyncpg_dsn
from servicecenter.live_state import LiveState
from servicecenter.metrics import Metrics
from servicecenter.middleware import (
    compression_middleware,
    error_middleware,
    request_context_middleware,
)
from servicecenter.policy_service import PolicyService
from servicecenter.routes import setup_routes
from servicecenter.settings import Settings
from servicecenter.stats_recorder import StatisticsRecorder
from servicecenter.ticket_worker import TicketWorker
from servicecenter.ui import setup_templates
from servicecenter.worker_slot import WorkerSlot

__all__ = ["create_app", "frozen_startup_ctx"]

log = structlog.get_logger(__name__)

MAX_BODY_BYTES = 8 * 1024 * 1024
WORKER_STOP_S = 40
"""How long shutting down waits for the ticket worker's round in progress (an SMTP attempt takes up to 30 s)."""
LIVE_FLUSH_AT_STOP_S = 5


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """Engine and sessions on a migrated database (with the demo catalogue on a first start)."""
    app[ENGINE], app[SESSIONMAKER] = await open_database(app[SETTINGS])
    yield
    await app[ENGINE].dispose()


async def search_ctx(app: web.Application) -> AsyncIterator[None]:
    """The search index, rebuilt first if it is missing, damaged or behind the database, then kept current
    (by the one process that writes it); its read workers start with the application (not in a routing
    worker, which searches nothing), are warmed up on every generation of the index, and stop with it."""
    settings = app[SETTINGS]
    slot = app[WORKER]
    index = SearchIndex(settings.index_dir, read_workers=settings.search_workers)
    try:
        if slot.writes_index:
            await ensure_index(index, app[SESSIONMAKER])
        if not slot.routing_only:  # a routing worker only follows the catalogue for routing's sake
            await index.start_readers(warm)
        follower = CatalogueFollower(
            index,
            app[SESSIONMAKER],
            app[POLICY_SERVICE],
            place_words=PlaceWords.load(settings.place_words_file),
            metrics=app[METRICS],
            channel=app[LIVE_STATE].channel,
            writes_index=slot.writes_index,
        )
        await follower.start()
        app[SEARCH_INDEX], app[CATALOGUE_FOLLOWER] = index, follower
        following = asyncio.create_task(follower.run(), name="catalogue-follower")
        yield
        following.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await following
    finally:
        index.close()


async def routing_ctx(app: web.Application) -> AsyncIterator[None]:
    """The routing policy in memory: the active stored rules version, else the rules file."""
    app[POLICY_SERVICE], app[CALL_ROUTER] = await PolicyService.start(
        app[SESSIONMAKER], rules_file=app[SETTINGS].rules_file
    )
    yield


async def live_ctx(app: web.Application) -> AsyncIterator[None]:
    """Live state shared with the other instances on PostgreSQL (memory only on SQLite): pool reports and
    decisions written behind the requests, the last of them written at shutdown."""
    settings = app[SETTINGS]
    shared = make_url(settings.database).get_backend_name() == "postgresql"
    live = LiveState(
        app[CALL_ROUTER],
        app[SESSIONMAKER],
        app[METRICS],
        channel=LiveChannel(asyncpg_dsn(settings.database)) if shared else None,
        origin=f"{socket.gethostname()}-{os.getpid()}-{id(app):x}",
        retention=dt.timedelta(hours=settings.decision_retention_hours),
    )
    app[LIVE_STATE] = live
    writing = None
    if shared:
        try:
            await live.catch_up()
        except (SQLAlchemyError, OSError) as error:  # the channel catches up once the database is back
            log.warning("pool_states_not_loaded", error=type(error).__name__)
        writing = asyncio.create_task(live.run(), name="live-state-writer")
    yield
    if writing is not None:
        writing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writing
        try:
            async with asyncio.timeout(LIVE_FLUSH_AT_STOP_S):
                await live.flush()
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            log.warning("live_state_lost_at_shutdown", error=type(error).__name__)


async def listen_ctx(app: web.Application) -> AsyncIterator[None]:
    """Listening for the other instances' changes, once every part has subscribed to its topics."""
    channel = app[LIVE_STATE].channel
    listening = asyncio.create_task(channel.run(), name="live-channel") if channel is not None else None
    yield
    if listening is not None:
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening


async def statistics_ctx(app: web.Application) -> AsyncIterator[None]:
    """Statistics counted in memory and flushed in the background; the last counts flushed at shutdown."""
    settings = app[SETTINGS]
    recorder = StatisticsRecorder(
        app[SESSIONMAKER],
        app[CALL_ROUTER],
        flush_s=settings.stats_flush_seconds,
        dedupe_window_s=settings.acd_dedupe_days * 86_400,
    )
    app[STATS_RECORDER] = recorder
    flushing = asyncio.create_task(recorder.run(), name="statistics-recorder")
    yield
    flushing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await flushing
    try:
        await recorder.flush(settle=True)
    except (SQLAlchemyError, OSError) as error:
        log.warning("statistics_lost_at_shutdown", error=type(error).__name__)


async def tickets_ctx(app: web.Application) -> AsyncIterator[None]:
    """Ticket mails, deadline checks and retention in a background task (unless switched off).

    The task has its own small connection pool: it never takes the requests' connections, and an outage
    or a disposed request pool leaves it to fail and retry on its own.
    """
    settings = app[SETTINGS]
    engine = create_engine(settings.database, pool_size=2)
    worker = TicketWorker(create_sessionmaker(engine), settings)
    app[TICKET_WORKER] = worker
    runs_here = settings.ticket_worker and app[WORKER].runs_ticket_worker
    working = asyncio.create_task(worker.run(), name="ticket-worker") if runs_here else None
    yield
    if working is not None:
        worker.stop()  # let the round in progress finish: a cancelled database call can leak its connection
        try:
            await asyncio.wait_for(asyncio.shield(working), WORKER_STOP_S)
        except TimeoutError:
            working.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await working
    await engine.dispose()


async def frozen_startup_ctx(app: web.Application) -> AsyncIterator[None]:
    """Once everything is loaded, the objects of start-up (modules, schemas, the policy) leave the garbage
    collector's view: a full collection then walks only what requests made since (a few thousand objects,
    milliseconds) instead of stopping the event loop, and every routing decision waiting on it, for hundreds
    of milliseconds on a busy machine. For the serving process only (`servicecenter serve`), not for a
    process that starts many applications, as the tests do."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


def create_app(settings: Settings, *, worker: WorkerSlot | None = None) -> web.Application:
    """The whole service for `settings`; resources open and close with the application. `worker` says
    which of `serve --workers N` this process is (default: the only one)."""
    app = web.Application(
        middlewares=[
            request_context_middleware,
            compression_middleware,
            error_middleware,
        ],
        client_max_size=MAX_BODY_BYTES,
    )
    app[SETTINGS] = settings
    app[WORKER] = worker or WorkerSlot()
    app[METRICS] = Metrics()
    app[KNOWN_TOKENS] = KnownTokens()
    app[SEARCH_LIMIT] = PerClientLimit(settings.search_max_concurrent_per_client, "anonymous searches")
    app.cleanup_ctx.extend(
        [database_ctx, routing_ctx, live_ctx, statistics_ctx, search_ctx, tickets_ctx, listen_ctx]
    )
    setup_templates(app)
    setup_routes(app)
    return app
