"""What other instances changed, heard at once: PostgreSQL LISTEN on one channel, with catch-up.

Instances on one PostgreSQL database tell each other about changes with NOTIFY, sent in the writing
transaction (see `knowledge.live.store`): a pool report, a catalogue revision (rules, synonyms, the
catalogue, whatever bumps it), a search index update. Each payload names its `topic`; a part of the
service subscribes a handler per topic, and registers a catch-up that reloads its state from the tables.

Notifications sent while this instance was not listening are lost, so every (re)connection first
LISTENs and then runs every catch-up: nothing changed in between goes unseen. A connection that died
quietly (a network cut sends no reset) is found by a keep-alive query. With SQLite there is no channel:
one instance, its state in memory.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Awaitable, Callable

import asyncpg
import structlog
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from knowledge.live.store import CHANNEL

__all__ = ["LiveChannel", "Message", "asyncpg_dsn"]

log = structlog.get_logger(__name__)

Message = dict
"""A notification's payload: a JSON object with at least `topic`."""
APPLICATION_NAME = "servicecenter-live"
"""How the listening connections show in pg_stat_activity."""
LOST = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    # asyncpg's protocol still busy with a failed operation (the server ended the connection mid-command,
    # e.g. while its database was being dropped): the connection is gone all the same
    asyncpg.exceptions.InternalClientError,
)
"""What ends a listening connection; the channel connects again and catches up."""
KEEPALIVE_S = 5.0
QUERY_TIMEOUT_S = 3.0
BACKOFF_S = (0.2, 0.5, 1.0, 2.0, 5.0)


def asyncpg_dsn(database_url: str) -> str:
    """The SQLAlchemy URL `postgresql+asyncpg://…` as a DSN asyncpg connects with itself."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class LiveChannel:
    """One listening connection of this process, its topic handlers and the catch-ups after a connect."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._handlers: defaultdict[str, list[Callable[[Message], None]]] = defaultdict(list)
        self._catch_ups: list[Callable[[], Awaitable[None]]] = []
        self.connected = False
        self.connects = 0
        """How many times the channel connected (each followed by the catch-ups)."""

    def subscribe(self, topic: str, handler: Callable[[Message], None]) -> None:
        """Call `handler(message)` for each notification on `topic` (on the event loop: keep it short)."""
        self._handlers[topic].append(handler)

    def on_connect(self, catch_up: Callable[[], Awaitable[None]]) -> None:
        """Run `catch_up()` after every connection, once listening: reload what may have been missed."""
        self._catch_ups.append(catch_up)

    def _dispatch(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            message = json.loads(payload)
            topic = message["topic"]
        except (ValueError, KeyError, TypeError):
            log.warning("live_message_unreadable", length=len(payload))
            return
        for handler in self._handlers.get(topic, ()):
            try:
                handler(message)
            except Exception as error:  # one bad message must not end the listening
                log.error("live_message_failed", topic=topic, error=type(error).__name__)

    async def run(self) -> None:
        """Listen until cancelled, reconnecting with backoff; every connection begins with the catch-ups."""
        failures = 0
        while True:
            try:
                await self._listen()
            except LOST as error:
                log.warning("live_channel_lost", error=type(error).__name__)
            except SQLAlchemyError as error:  # a catch-up could not read: connect and catch up again
                log.warning("live_catch_up_failed", error=type(error).__name__)
            failures = 1 if self.connected else failures + 1
            self.connected = False
            await asyncio.sleep(BACKOFF_S[min(failures, len(BACKOFF_S)) - 1])

    async def _listen(self) -> None:
        connection = await asyncpg.connect(
            self._dsn, timeout=QUERY_TIMEOUT_S, server_settings={"application_name": APPLICATION_NAME}
        )
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        try:
            await connection.add_listener(CHANNEL, self._dispatch)
            for catch_up in self._catch_ups:
                await catch_up()
            self.connected = True
            self.connects += 1
            log.info("live_channel_listening", connects=self.connects)
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), KEEPALIVE_S)
                except TimeoutError:
                    await connection.fetchval("SELECT 1", timeout=QUERY_TIMEOUT_S)
            raise ConnectionResetError("the listening connection was closed")
        finally:
            connection.terminate()
