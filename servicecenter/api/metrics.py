"""GET /metrics for Prometheus: the event metrics of every worker and the state as this process sees it.

Who may read it: clients in `SERVICECENTER_METRICS_NETWORKS` (default loopback only), judged by the
client address (behind a trusted reverse proxy, the forwarded one), so a Prometheus server scrapes each
instance directly while a request through the load balancer from outside is refused. Nothing in it is
personal (see `servicecenter.metrics`), but pool load and backlogs are operational details.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from ipaddress import ip_address

from aiohttp import web
from prometheus_client.metrics_core import GaugeMetricFamily

from knowledge.catalogue import store
from knowledge.tickets.backlog import backlog
from servicecenter.clients import client_address
from servicecenter.keys import (
    CALL_ROUTER,
    CATALOGUE_FOLLOWER,
    LIVE_STATE,
    METRICS,
    SEARCH_INDEX,
    SESSIONMAKER,
    SETTINGS,
)
from servicecenter.metrics import CONTENT_TYPE, exposition
from servicecenter.problems import Problem

__all__ = ["metrics"]

DATABASE_TIMEOUT_S = 2.0


def _gauge(name: str, documentation: str, value: float | None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


async def _database_state(request: web.Request) -> list[GaugeMetricFamily]:
    """Reachability, the catalogue revision and the backlogs, read in one short session; on an outage
    only `servicecenter_database_up 0`."""
    now = dt.datetime.now(dt.UTC)
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_S), request.app[SESSIONMAKER]() as session:
            revision = await store.catalogue_revision(session)
            waiting = await backlog(session, now=now)
    except Exception:  # whatever the database does, the scrape reports it as down and answers
        return [_gauge("servicecenter_database_up", "1 while the database answers", 0)]
    tickets = GaugeMetricFamily(
        "servicecenter_tickets_backlog", "Tickets whose promise still runs, by state", labels=["state"]
    )
    for state, count in waiting.tickets.items():
        tickets.add_metric([state], count)
    return [
        _gauge("servicecenter_database_up", "1 while the database answers", 1),
        _gauge("servicecenter_catalogue_revision", "The catalogue revision in the database", revision),
        tickets,
        _gauge("servicecenter_tickets_overdue", "Tickets past their due time, not answered", waiting.overdue),
        _gauge("servicecenter_mail_outbox_backlog", "Mails neither sent nor given up", waiting.unsent_mails),
    ]


def _memory_state(request: web.Request) -> list[GaugeMetricFamily]:
    """What this process holds: pool-state age, the revisions it follows, the live channel."""
    now = dt.datetime.now(dt.UTC)
    ages = GaugeMetricFamily(
        "servicecenter_pool_state_age_seconds",
        "Seconds since the ACD last reported each pool (older than 120 s is ignored by routing)",
        labels=["pool"],
    )
    for pool_id, state in sorted(request.app[CALL_ROUTER].reported_states().items()):
        if state.updated_at is not None:
            ages.add_metric([pool_id], (now - state.updated_at).total_seconds())
    index_revision = request.app[SEARCH_INDEX].revision
    families = [
        ages,
        _gauge(
            "servicecenter_catalogue_revision_applied",
            "The catalogue revision this instance's places, synonyms and rules follow",
            request.app[CATALOGUE_FOLLOWER].revision,
        ),
        _gauge(
            "servicecenter_search_index_revision",
            "The catalogue revision the search index reflects",
            index_revision if index_revision is not None else float("nan"),
        ),
    ]
    channel = request.app[LIVE_STATE].channel
    if channel is not None:
        families.append(
            _gauge(
                "servicecenter_live_channel_up",
                "1 while this process listens for other instances' changes",
                int(channel.connected),
            )
        )
    return families


async def metrics(request: web.Request) -> web.Response:
    """GET /metrics: Prometheus text format, for the networks allowed to read it."""
    address = client_address(request)
    try:
        allowed = any(ip_address(address) in network for network in request.app[SETTINGS].metrics_networks)
    except ValueError:
        allowed = False
    if not allowed:
        raise Problem(403, "metrics are readable from the networks in SERVICECENTER_METRICS_NETWORKS only")
    state = [*await _database_state(request), *_memory_state(request)]
    body = await asyncio.to_thread(exposition, request.app[METRICS], state)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
