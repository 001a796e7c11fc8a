"""Rule reload on SIGHUP for `servicecenter serve`: edit the rule file, `kill -HUP PID`, no restart.

The policy service decides: a valid file replaces the policy in one step (pool states of the pools it
keeps survive); a file with any problem is refused as a whole, every problem is logged, and the running
policy stays; while a stored rules version is in force the file is not what routes, so it is left alone.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator

from aiohttp import web

from servicecenter.keys import POLICY_SERVICE

__all__ = ["reload_rules_on_sighup"]


async def reload_rules_on_sighup(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: SIGHUP reloads the rules file while the application runs."""
    loop = asyncio.get_running_loop()
    pending: set[asyncio.Task[bool]] = set()

    def on_sighup() -> None:
        task = loop.create_task(app[POLICY_SERVICE].reload_file())
        pending.add(task)
        task.add_done_callback(pending.discard)

    loop.add_signal_handler(signal.SIGHUP, on_sighup)
    yield
    loop.remove_signal_handler(signal.SIGHUP)
    for task in pending:
        task.cancel()
