"""Prometheus metrics: what operators watch across instances, nothing about any caller or person.

Two kinds:
- events counted where they happen (route decisions and their latency by line and outcome, search latency,
  the lag of live state from another instance, failed writes of it): prometheus-client metrics on a
  registry of this application. Under `serve --workers N` the supervisor sets PROMETHEUS_MULTIPROC_DIR
  before the workers start, prometheus-client then keeps these values in per-process files, and a scrape
  of any worker adds up all of them (multiprocess mode);
- state read when scraped (database reachable, pool-state age, index and catalogue revision, ticket and
  mail backlog): computed by the scraping process, which shares the state of every other worker.

Labels are closed sets (line, outcome, topic, pool id, ticket state): no number, name or query text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["CONTENT_TYPE", "MULTIPROCESS_DIR", "Metrics", "RouteOutcome", "exposition"]

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
ROUTE_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
SEARCH_BUCKETS = (0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

RouteOutcome = str
"""`routed` (to the call's own target), `overflow` (a county's call sent to another pool), `after_hours`,
`rejected` (a 4xx: an invalid call, an unknown line, no rule)."""


class Metrics:
    """The event metrics of one application."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.route_decisions = Counter(
            "servicecenter_route_decisions",
            "Routing answers to the PBX by line and outcome",
            ["line", "outcome"],
            registry=self.registry,
        )
        self.route_seconds = Histogram(
            "servicecenter_route_seconds",
            "Time to answer /api/v1/route in the service, by line and outcome",
            ["line", "outcome"],
            buckets=ROUTE_BUCKETS,
            registry=self.registry,
        )
        self.search_seconds = Histogram(
            "servicecenter_search_seconds",
            "Time to answer /api/v1/search in the service",
            buckets=SEARCH_BUCKETS,
            registry=self.registry,
        )
        self.live_lag = Histogram(
            "servicecenter_follower_lag_seconds",
            "From a change committed on one instance to this one having applied it, by topic",
            ["topic"],
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )
        self.live_write_failures = Counter(
            "servicecenter_live_write_failures",
            "Failed writes of shared live state (pool reports, decisions); retried",
            registry=self.registry,
        )
        self._route_children: dict[tuple[str, str], tuple[Counter, Histogram]] = {}

    def observe_route(self, line: str, outcome: RouteOutcome, seconds: float) -> None:
        """Count one routing answer and its time (the labelled children are kept: this is the hot path)."""
        children = self._route_children.get((line, outcome))
        if children is None:
            children = self._route_children[line, outcome] = (
                self.route_decisions.labels(line, outcome),
                self.route_seconds.labels(line, outcome),
            )
        children[0].inc()
        children[1].observe(seconds)


class _Families:
    """A collector of metric families computed before the scrape."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self._families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self._families


def exposition(metrics: Metrics, state: Iterable[GaugeMetricFamily]) -> bytes:
    """The text a scrape gets: the event metrics (of every worker in multiprocess mode), then `state`."""
    if os.environ.get(MULTIPROCESS_DIR):
        events = CollectorRegistry()
        MultiProcessCollector(events)
    else:
        events = metrics.registry
    now = CollectorRegistry(auto_describe=False)
    now.register(_Families(state))
    return generate_latest(events) + generate_latest(now)
