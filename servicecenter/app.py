"""The application factory: settings in, a wired aiohttp application out, nothing at import time."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator

import structlog
from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from knowledge.search.index import SearchIndex
from knowledge.search.places import PlaceWords
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
    POLICY_SERVICE,
    SEARCH_INDEX,
    SEARCH_LIMIT,
    SESSIONMAKER,
    SETTINGS,
    STATS_RECORDER,
    TICKET_WORKER,
)
from servicecenter.known_tokens import KnownTokens
from servicecenter.middleware import (
    error_middleware,
    header_encoding_middleware,
    nul_path_middleware,
    request_context_middleware,
)
from servicecenter.policy_service import PolicyService
from servicecenter.routes import setup_routes
from servicecenter.settings import Settings
from servicecenter.stats_recorder import StatisticsRecorder
from servicecenter.ticket_worker import TicketWorker
from servicecenter.ui import setup_templates

__all__ = ["create_app", "frozen_startup_ctx"]

log = structlog.get_logger(__name__)

MAX_BODY_BYTES = 8 * 1024 * 1024
WORKER_STOP_S = 40
"""How long shutting down waits for the ticket worker's round in progress (an SMTP attempt takes up to 30 s)."""


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """Engine and sessions on a migrated database (with the demo catalogue on a first start)."""
    app[ENGINE], app[SESSIONMAKER] = await open_database(app[SETTINGS])
    yield
    await app[ENGINE].dispose()


async def search_ctx(app: web.Application) -> AsyncIterator[None]:
    """The search index, rebuilt first if it is missing, damaged or behind the database, then kept current;
    its read workers start with the application and stop with it."""
    settings = app[SETTINGS]
    index = SearchIndex(settings.index_dir, read_workers=settings.search_workers)
    try:
        await ensure_index(index, app[SESSIONMAKER])
        await index.start_readers()
        follower = CatalogueFollower(
            index,
            app[SESSIONMAKER],
            app[POLICY_SERVICE],
            place_words=PlaceWords.load(settings.place_words_file),
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
    working = asyncio.create_task(worker.run(), name="ticket-worker") if settings.ticket_worker else None
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


def create_app(settings: Settings) -> web.Application:
    """The whole service for `settings`; resources open and close with the application."""
    app = web.Application(
        middlewares=[
            request_context_middleware,
            error_middleware,
            header_encoding_middleware,
            nul_path_middleware,
        ],
        client_max_size=MAX_BODY_BYTES,
    )
    app[SETTINGS] = settings
    app[KNOWN_TOKENS] = KnownTokens()
    app[SEARCH_LIMIT] = PerClientLimit(settings.search_max_concurrent_per_client, "anonymous searches")
    app.cleanup_ctx.extend([database_ctx, routing_ctx, statistics_ctx, search_ctx, tickets_ctx])
    setup_templates(app)
    setup_routes(app)
    return app
