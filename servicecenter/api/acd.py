"""The ACD's events: Asterisk queue_log lines in, counted once each, nothing personal kept.

A queued call's line and county come from the routing policy: the called number the dialplan put into
Queue()'s URL argument (`…?called=115`, logged as ENTERQUEUE's DATA1) names the line, and the county of a
switchboard; otherwise a county pool names its county, and else the caller's area code does. The caller
id is read for that and dropped.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import parse_qs, urlsplit

from aiohttp import web
from pydantic import BaseModel, Field

from knowledge.statistics import acd
from knowledge.statistics.queue_log import Classify, QueueLogError, parse_queue_log
from routing.errors import InvalidCall, UnknownLine
from routing.policy import Policy
from servicecenter.auth import Action, authorize
from servicecenter.keys import CALL_ROUTER, SESSIONMAKER, SETTINGS
from servicecenter.problems import Problem

__all__ = ["IngestResult", "classifier", "post_events"]

KNOWN_URLS = 1024


class IngestResult(BaseModel):
    """What a POST of queue_log lines did."""

    lines: int = Field(description="non-blank lines read")
    events: int = Field(description="lines with an event the statistics use")
    counted: int = Field(description="events counted now")
    duplicates: int = Field(description="events counted before (the line was sent already)")
    too_old: int = Field(description="events older than the dedupe window, not counted")
    ignored: int = Field(description="lines with events the statistics do not use")


def classifier(policy: Policy) -> tuple[Classify, acd.PoolDims]:
    """(line and county of a queued call, line and county of a pool alone) under `policy`."""
    pool_county = {county.pool: key for key, county in policy.rule_file.counties.items()}

    def pool_dims(pool: str) -> tuple[str, str]:
        return "", pool_county.get(pool, "")

    known: dict[str, tuple[str, str]] = {}

    def called_line(url: str) -> tuple[str, str]:
        """The line (and a switchboard's county) of the URL's `called`; the few URLs a dialplan writes are
        remembered."""
        found = known.get(url)
        if found is not None:
            return found
        found = "", ""
        if "called=" in url:
            try:
                line = policy.lines.identify(parse_qs(urlsplit(url).query)["called"][0])
                found = line.kind, line.county or ""
            except (ValueError, KeyError, InvalidCall, UnknownLine):
                pass
        if len(known) < KNOWN_URLS:
            known[url] = found
        return found

    def classify(pool: str, url: str, caller: str) -> tuple[str, str]:
        line, county = called_line(url)
        county = county or pool_county.get(pool, "")
        if not county and caller:
            origin = policy.directory.resolve(caller).county
            county = origin if origin in policy.members else ""
        return line, county

    return classify, pool_dims


def _malformed(error: QueueLogError) -> Problem:
    numbers = ", ".join(str(n) for n, _ in error.problems[:10])
    more = " …" if len(error.problems) > 10 else ""
    return Problem(
        422,
        f"malformed queue_log line(s) {numbers}{more}; nothing was stored",
        title="Malformed queue_log",
        errors=[{"loc": ["body", n], "line": n, "msg": message} for n, message in error.problems],
    )


async def post_events(request: web.Request) -> web.Response:
    """POST /api/v1/acd/events: queue_log lines (text/plain), each event counted exactly once (pbx, admin)."""
    await authorize(request, Action.ingest_acd_events)
    if request.content_type != "text/plain":
        raise Problem(415, "send queue_log lines as text/plain")
    try:
        text = (await request.read()).decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "the body is not UTF-8 text") from None
    classify, pool_dims = classifier(request.app[CALL_ROUTER].policy)
    try:
        events, lines, ignored = await asyncio.to_thread(
            parse_queue_log, text, now=time.time(), classify=classify
        )
    except QueueLogError as error:
        raise _malformed(error) from None
    window_s = request.app[SETTINGS].acd_dedupe_days * 86_400
    async with request.app[SESSIONMAKER].begin() as session:
        report = await acd.ingest(session, events, window_s=window_s, pool_dims=pool_dims)
    report.lines, report.ignored = lines, ignored
    return web.json_response(IngestResult.model_validate(report, from_attributes=True).model_dump())
