"""Reading the counters back: figures per hour, day, week or month of a range of Berlin days, and totals.

`service_level = answered_within_30s / (offered − abandoned_within_5s)` (the 115 promise: 75 % within 30 s;
a caller who hangs up within 5 s was never really waiting) and `first_contact_resolution = solved / all
outcomes` (the promise: 65 %). A rate is null when nothing was counted to divide by. Hours read the
quarter-hour tables; days, weeks and months the daily ones, so a year costs a few hundred rows per table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from knowledge.calendar import BERLIN
from knowledge.statistics.counters import CALLS, DECISIONS, OUTCOMES, Family
from knowledge.statistics.models import CallMeasures, OutcomeCount
from knowledge.statistics.slots import berlin_hour_start, day_bounds

__all__ = [
    "Bucket",
    "Figures",
    "OUTCOME_NAMES",
    "Point",
    "Report",
    "Scope",
    "Sums",
    "breakdown",
    "hour_of_day_profile",
    "report",
    "top_services",
    "weekday_profile",
]

Bucket = Literal["hour", "day", "week", "month"]
OUTCOME_NAMES = ("solved", "forwarded", "transferred", "callback", "misrouted")
_CALL_MEASURES = tuple(CallMeasures.model_fields)


@dataclass(frozen=True)
class Scope:
    """Which counters: Berlin days `first` to `last` (both included), optionally one county, line, pool."""

    first: dt.date
    last: dt.date
    county: str | None = None
    line: str | None = None
    pool: str | None = None


class Figures(BaseModel):
    """The figures of one period (or of all of them)."""

    model_config = ConfigDict(extra="forbid")

    offered: int = Field(description="calls that entered a queue")
    answered: int
    answered_within_30s: int
    abandoned: int = Field(description="callers who hung up while waiting")
    abandoned_within_5s: int
    service_level: float | None = Field(description="answered_within_30s / (offered − abandoned_within_5s)")
    avg_wait_s: float | None = Field(description="mean wait of the answered calls")
    max_wait_s: int | None = Field(description="the longest wait of any call")
    outcomes: dict[str, int] = Field(
        description="agents' wrap-ups: solved, forwarded, transferred, callback, misrouted"
    )
    first_contact_resolution: float | None = Field(description="solved / all outcomes")
    tickets_created: int = Field(description="0 until tickets are counted")
    tickets_due: int = Field(description="0 until tickets are counted")
    tickets_on_time: int = Field(description="0 until tickets are counted")
    exited: int = Field(description="left the queue unanswered without hanging up (timeout, key, no agents)")
    avg_talk_s: float | None = Field(description="mean talk time of the completed calls")
    decisions: int = Field(description="routing decisions the PBX asked for")
    after_hours: int = Field(description="decisions outside service hours")
    overflow: int = Field(description="decisions that sent a known county's call to another pool")
    callbacks: int = Field(description="decisions whose target is a callback")


class Point(Figures):
    """One period of a series; `start` is its first moment in Berlin time."""

    start: str


class Report(BaseModel):
    """GET /api/v1/stats."""

    from_: dt.date = Field(alias="from")
    to: dt.date
    by: Bucket
    county: str | None
    line: str | None
    pool: str | None
    series: list[Point]
    totals: Figures


@dataclass
class Sums:
    """Raw counts of one period, added up from the three families of counters."""

    calls: list[int] = field(default_factory=lambda: [0] * len(_CALL_MEASURES))
    decisions: int = 0
    after_hours: int = 0
    overflow: int = 0
    callbacks: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOME_NAMES, 0))

    def add(self, other: Sums) -> None:
        """Add `other` into this one."""
        for i, name in enumerate(_CALL_MEASURES):
            mine, theirs = self.calls[i], other.calls[i]
            self.calls[i] = max(mine, theirs) if name in CALLS.maxima else mine + theirs
        self.decisions += other.decisions
        self.after_hours += other.after_hours
        self.overflow += other.overflow
        self.callbacks += other.callbacks
        for name, n in other.outcomes.items():
            self.outcomes[name] = self.outcomes.get(name, 0) + n

    def figures(self) -> dict:
        """The figures of these counts, rates included."""
        c = dict(zip(_CALL_MEASURES, self.calls, strict=True))
        waited = c["offered"] - c["abandoned_within_5s"]
        wrapped_up = sum(self.outcomes.values())
        ended = c["answered"] + c["abandoned"] + c["exited"]
        return {
            "offered": c["offered"],
            "answered": c["answered"],
            "answered_within_30s": c["answered_within_30s"],
            "abandoned": c["abandoned"],
            "abandoned_within_5s": c["abandoned_within_5s"],
            "service_level": _ratio(c["answered_within_30s"], waited),
            "avg_wait_s": _ratio(c["wait_answered_s"], c["answered"], 1),
            "max_wait_s": c["wait_max_s"] if ended else None,
            "outcomes": dict(self.outcomes),
            "first_contact_resolution": _ratio(self.outcomes.get("solved", 0), wrapped_up),
            "tickets_created": 0,
            "tickets_due": 0,
            "tickets_on_time": 0,
            "exited": c["exited"],
            "avg_talk_s": _ratio(c["talk_s"], c["completed"], 1),
            "decisions": self.decisions,
            "after_hours": self.after_hours,
            "overflow": self.overflow,
            "callbacks": self.callbacks,
        }


def _ratio(part: int, whole: int, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole > 0 else None


def _where(model, scope: Scope, *, daily: bool) -> list:
    if daily:
        conditions = [model.day >= scope.first, model.day <= scope.last]
    else:
        start, end = day_bounds(scope.first, scope.last)
        conditions = [model.slot >= start, model.slot < end]
    conditions += [
        getattr(model, name) == value
        for name, value in (("county", scope.county), ("line", scope.line), ("pool", scope.pool))
        if value is not None
    ]
    return conditions


def _sum_if(condition, n):
    """SUM(n) over the rows where `condition` holds (0 where none does)."""
    return func.coalesce(func.sum(case((condition, n), else_=0)), 0)


async def _group(session: AsyncSession, scope: Scope, column: str, *, daily: bool) -> dict[Hashable, Sums]:
    """Sums of all three families grouped by one column ('slot', 'hour', 'day', 'county', 'line', …): one
    query per family, one row per group."""
    sums: dict[Hashable, Sums] = {}

    def at(key: Hashable) -> Sums:
        found = sums.get(key)
        if found is None:
            found = sums[key] = Sums()
        return found

    def table(family: Family):
        return family.daily if daily else family.quarter

    calls = table(CALLS)
    aggregates = [
        (func.max if name in CALLS.maxima else func.sum)(getattr(calls, name)) for name in _CALL_MEASURES
    ]
    key = getattr(calls, column)
    rows = await session.execute(
        select(key, *aggregates).where(*_where(calls, scope, daily=daily)).group_by(key)
    )
    for group, *values in rows:
        at(group).calls = [int(v or 0) for v in values]

    decisions = table(DECISIONS)
    key = getattr(decisions, column)
    rows = await session.execute(
        select(
            key,
            func.sum(decisions.n),
            _sum_if(decisions.open.is_(False), decisions.n),
            _sum_if(decisions.overflow.is_(True), decisions.n),
            _sum_if(decisions.kind == "callback", decisions.n),
        )
        .where(*_where(decisions, scope, daily=daily))
        .group_by(key)
    )
    for group, n, after_hours, overflow, callbacks in rows:
        entry = at(group)
        entry.decisions, entry.after_hours = int(n), int(after_hours)
        entry.overflow, entry.callbacks = int(overflow), int(callbacks)

    outcomes = table(OUTCOMES)
    key = getattr(outcomes, column)
    rows = await session.execute(
        select(key, *(_sum_if(outcomes.outcome == name, outcomes.n) for name in OUTCOME_NAMES))
        .where(*_where(outcomes, scope, daily=daily))
        .group_by(key)
    )
    for group, *counts in rows:
        at(group).outcomes = {name: int(n) for name, n in zip(OUTCOME_NAMES, counts, strict=True)}
    return sums


def _day_bucket(by: Bucket, first: dt.date) -> Callable[[dt.date], dt.date]:
    """The first day of the period a day belongs to (never before `first`)."""
    if by == "week":
        return lambda day: max(first, day - dt.timedelta(days=day.weekday()))
    if by == "month":
        return lambda day: max(first, day.replace(day=1))
    return lambda day: day


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


async def report(session: AsyncSession, scope: Scope, by: Bucket) -> Report:
    """Figures per period of `by` over the scope (every period, empty ones too), and their totals."""
    buckets: dict[Hashable, Sums] = {}
    labels: dict[Hashable, str] = {}
    if by == "hour":
        start, end = day_bounds(scope.first, scope.last)
        for hour in range(start, end, 3600):
            buckets[hour], labels[hour] = Sums(), berlin_hour_start(hour).isoformat()
        for slot, sums in (await _group(session, scope, "slot", daily=False)).items():
            buckets[cast(int, slot) // 3600 * 3600].add(sums)
    else:
        bucket_of = _day_bucket(by, scope.first)
        for day in _days(scope.first, scope.last):
            start_day = bucket_of(day)
            if start_day not in buckets:
                buckets[start_day] = Sums()
                labels[start_day] = dt.datetime.combine(start_day, dt.time(), BERLIN).isoformat()
        for grouped, sums in (await _group(session, scope, "day", daily=True)).items():
            buckets[bucket_of(cast(dt.date, grouped))].add(sums)
    totals = Sums()
    for sums in buckets.values():
        totals.add(sums)
    return Report.model_validate(
        {
            "from": scope.first,
            "to": scope.last,
            "by": by,
            "county": scope.county,
            "line": scope.line,
            "pool": scope.pool,
            "series": [{"start": labels[key], **sums.figures()} for key, sums in buckets.items()],
            "totals": totals.figures(),
        }
    )


async def hour_of_day_profile(session: AsyncSession, scope: Scope) -> list[dict]:
    """Figures per Berlin hour of day (0–23) over the scope: when callers call."""
    found = await _group(session, scope, "hour", daily=False)
    return [found.get(hour, Sums()).figures() for hour in range(24)]


async def weekday_profile(session: AsyncSession, scope: Scope) -> list[dict]:
    """Figures per weekday (Monday first) over the scope."""
    weekdays = [Sums() for _ in range(7)]
    for day, sums in (await _group(session, scope, "day", daily=True)).items():
        weekdays[cast(dt.date, day).weekday()].add(sums)
    return [sums.figures() for sums in weekdays]


async def breakdown(
    session: AsyncSession, scope: Scope, column: Literal["county", "line"]
) -> dict[str, dict]:
    """Figures per county or per line over the scope ('' is unknown), largest demand first."""
    found = await _group(session, scope, column, daily=True)
    ordered = sorted(found.items(), key=lambda item: (-item[1].calls[0] - item[1].decisions, str(item[0])))
    return {str(key): sums.figures() for key, sums in ordered}


async def top_services(session: AsyncSession, scope: Scope, *, limit: int = 10) -> list[tuple[str, int]]:
    """The services most wrap-ups named, with how many (from the quarter hours: the daily counters do not
    keep the service)."""
    table = OutcomeCount
    total = func.sum(col(table.n))
    rows = await session.execute(
        select(col(table.service), total)
        .where(*_where(table, scope, daily=False), col(table.service) != "")
        .group_by(col(table.service))
        .order_by(total.desc(), col(table.service))
        .limit(limit)
    )
    return [(service, int(n)) for service, n in rows]
