"""Rule reload on SIGHUP for `servicecenter serve`: edit the rule file, `kill -HUP PID`, no restart.

A valid file replaces the policy in one step (pool states of the pools it keeps survive); a file with
any problem is refused as a whole, every problem is logged, and the running policy stays.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator

import structlog
from aiohttp import web

from routing.errors import RuleFileError
from routing.policy import load_policy
from servicecenter.keys import CALL_ROUTER, SETTINGS

__all__ = ["reload_rules", "reload_rules_on_sighup"]

log = structlog.get_logger(__name__)


async def reload_rules(app: web.Application) -> bool:
    """Load the configured rule file again; True if it is now active, False if it was refused."""
    path = app[SETTINGS].rules_file
    router = app[CALL_ROUTER]
    try:
        # Reading and checking take CPU time: off the event loop, so calls keep being routed meanwhile.
        policy = await asyncio.get_running_loop().run_in_executor(
            None, load_policy, path, router.policy.directory
        )
    except RuleFileError as error:
        for problem in error.problems:
            log.error("rules_problem", problem=str(problem))
        log.error("rules_reload_refused", file=str(path), problems=len(error.problems))
        return False
    router.replace(policy)  # on the loop, so no pool report between snapshot and swap is lost
    log.info("rules_reloaded", file=str(path), rules=len(policy.rule_file.rules))
    return True


async def reload_rules_on_sighup(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: SIGHUP reloads the rules while the application runs."""
    loop = asyncio.get_running_loop()
    pending: set[asyncio.Task[bool]] = set()

    def on_sighup() -> None:
        task = loop.create_task(reload_rules(app))
        pending.add(task)
        task.add_done_callback(pending.discard)

    loop.add_signal_handler(signal.SIGHUP, on_sighup)
    yield
    loop.remove_signal_handler(signal.SIGHUP)
    for task in pending:
        task.cancel()
