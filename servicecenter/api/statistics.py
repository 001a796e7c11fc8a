"""Call statistics over HTTP: the agent's wrap-up of a call, the figures (JSON or CSV), search insights.

Only counts leave or enter here: nothing per agent, nothing per caller.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from knowledge.calendar import BERLIN
from knowledge.catalogue import store
from knowledge.statistics import report, searches
from knowledge.statistics.report import OUTCOME_NAMES, Bucket, Figures, Report, Scope
from servicecenter.api.params import parse_json, parse_query
from servicecenter.auth import Action, authorize
from servicecenter.keys import LIVE_STATE, SESSIONMAKER, STATS_RECORDER
from servicecenter.problems import Problem

__all__ = [
    "InsightsQuery",
    "OutcomeRecorded",
    "OutcomeReport",
    "StatsQuery",
    "csv_text",
    "get_insights",
    "get_stats",
    "post_outcome",
]

Outcome = Literal["solved", "forwarded", "transferred", "callback", "misrouted"]
CountyKey = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]
PoolId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
MAX_DAYS = 731
MAX_HOURLY_DAYS = 93
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


class OutcomeReport(BaseModel):
    """The agent's wrap-up of a call; `service_id` is the service shown, if any."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    service_id: str | None = Field(default=None, min_length=1, max_length=200)


class OutcomeRecorded(BaseModel):
    decision_id: str
    outcome: Outcome
    service_id: str | None
    replaced: bool = Field(description="an earlier wrap-up of this call was corrected")


def _today() -> dt.date:
    return dt.datetime.now(BERLIN).date()


class _Range(BaseModel):
    """Berlin dates `from` to `to`, both included; by default the last seven days."""

    model_config = ConfigDict(extra="forbid")

    from_: dt.date | None = Field(
        default=None,
        alias="from",
        ge=EARLIEST,
        le=LATEST,
        description="first day (Berlin); default: `to` − 6 days",
    )
    to: dt.date | None = Field(
        default=None, ge=EARLIEST, le=LATEST, description="last day (Berlin), included; default today"
    )

    def days(self) -> tuple[dt.date, dt.date]:
        """(first, last) with the defaults filled in."""
        last = self.to or _today()
        return self.from_ or last - dt.timedelta(days=6), last

    @model_validator(mode="after")
    def _ordered(self) -> _Range:
        first, last = self.days()
        if first > last:
            raise ValueError("`from` lies after `to`")
        if (last - first).days >= MAX_DAYS:
            raise ValueError(f"at most {MAX_DAYS} days at once")
        return self


class StatsQuery(_Range):
    by: Bucket = "day"
    county: CountyKey | None = None
    line: Literal["115", "switchboard"] | None = None
    pool: PoolId | None = None
    format: Literal["json", "csv"] = "json"

    @model_validator(mode="after")
    def _hours_bounded(self) -> StatsQuery:
        first, last = self.days()
        if self.by == "hour" and (last - first).days >= MAX_HOURLY_DAYS:
            raise ValueError(f"by=hour covers at most {MAX_HOURLY_DAYS} days")
        return self


class InsightsQuery(_Range):
    county: CountyKey | None = None
    limit: int = Field(default=50, ge=1, le=500)


async def post_outcome(request: web.Request) -> web.Response:
    """POST /api/v1/decisions/{id}/outcome: the agent's wrap-up of a call (agent, supervisor, admin)."""
    await authorize(request, Action.record_outcome)
    body = await parse_json(request, OutcomeReport)
    decision_id = request.match_info["id"]
    decision = await request.app[LIVE_STATE].decision(decision_id)
    if decision is None:
        raise Problem(404, f"no recent decision {decision_id!r}")
    if body.service_id is not None:
        async with request.app[SESSIONMAKER]() as session:
            if await store.get_service(session, service_id=body.service_id) is None:
                raise Problem(
                    422,
                    f"no service {body.service_id!r}",
                    title="Validation failed",
                    errors=[{"loc": ["body", "service_id"], "msg": "no such service"}],
                )
    replaced = request.app[STATS_RECORDER].record_outcome(
        decision, body.outcome, body.service_id, epoch=time.time()
    )
    recorded = OutcomeRecorded(
        decision_id=decision_id, outcome=body.outcome, service_id=body.service_id, replaced=replaced
    )
    return web.json_response(recorded.model_dump())


CSV_FIELDS = [
    name if name != "outcomes" else f"outcome_{outcome}"
    for name in Figures.model_fields
    for outcome in (OUTCOME_NAMES if name == "outcomes" else (None,))
]


def csv_text(stats: Report) -> str:
    """The report as CSV: a header, one row per period, and a last row `total`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["start", *CSV_FIELDS])
    for start, figures in [*((p.start, p) for p in stats.series), ("total", stats.totals)]:
        values = figures.model_dump()
        outcomes = values.pop("outcomes")
        values.pop("start", None)
        row = {**values, **{f"outcome_{name}": outcomes.get(name, 0) for name in OUTCOME_NAMES}}
        writer.writerow([start, *("" if row[f] is None else row[f] for f in CSV_FIELDS)])
    return out.getvalue()


async def get_stats(request: web.Request) -> web.Response:
    """GET /api/v1/stats: figures per period and totals, JSON or CSV (supervisor, admin)."""
    await authorize(request, Action.read_statistics)
    query = parse_query(request, StatsQuery)
    first, last = query.days()
    scope = Scope(first, last, county=query.county, line=query.line, pool=query.pool)
    async with request.app[SESSIONMAKER]() as session:
        stats = await report.report(session, scope, query.by)
    if query.format == "csv":
        return web.Response(
            text=csv_text(stats),
            content_type="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="statistik_{first}_{last}_{query.by}.csv"'
            },
        )
    return web.Response(text=stats.model_dump_json(by_alias=True), content_type="application/json")


async def get_insights(request: web.Request) -> web.Response:
    """GET /api/v1/search/insights: frequent queries and those without a hit (catalogue_editor, admin)."""
    await authorize(request, Action.read_search_insights)
    query = parse_query(request, InsightsQuery)
    first, last = query.days()
    async with request.app[SESSIONMAKER]() as session:
        found = await searches.insights(
            session, first=first, last=last, county=query.county, limit=query.limit
        )
    return web.Response(text=found.model_dump_json(by_alias=True), content_type="application/json")
