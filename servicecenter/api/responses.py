"""The JSON bodies the API returns where a handler builds a dict, as pydantic models for the OpenAPI
description. The schemathesis run (tests/servicecenter/test_openapi_live.py) checks real responses
against them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from knowledge.catalogue.models import PlaceBase, ResponsibilityBase, ServiceBase, UnitBase
from knowledge.closures.schemas import ClosureView, NoticeView
from knowledge.directory.models import PersonBase
from knowledge.search.results import Responsible, SearchResult

__all__ = [
    "Change",
    "Health",
    "ImportResult",
    "PersonState",
    "PlaceState",
    "Readiness",
    "ResponsibilityState",
    "Responsible",
    "RtJson",
    "SearchResult",
    "ServiceState",
    "ServiceView",
    "UnitState",
    "UnitStatus",
    "UnitView",
]


class Health(BaseModel):
    status: Literal["ok"]


class ReadinessChecks(BaseModel):
    database: Literal["ok", "unreachable"]
    search_index: Literal["ok", "missing"]


class RoutingReadiness(BaseModel):
    rules: int = Field(description="rules in the policy in force")


class WorkerInfo(BaseModel):
    index: int = Field(description="which process of `serve --workers N` answered, from 0")
    count: int = Field(description="N")
    routing_only: bool = Field(
        default=False,
        description="the routing process of `serve --route-port`, which answers nothing but routing",
    )


class Readiness(BaseModel):
    """Ready, or degraded while routing answers from memory."""

    status: Literal["ready", "degraded"]
    checks: ReadinessChecks
    routing: RoutingReadiness
    worker: WorkerInfo
    detail: str | None = Field(default=None, description="present when degraded")


class ServiceView(ServiceBase):
    """A service as agents read it, with every county's responsibility."""

    revision: int
    version: int
    notices: list[NoticeView] = Field(description="notices in force for this service and for everyone")
    responsible: list[Responsible]


class UnitStatus(BaseModel):
    """How a unit stands now: its hours in German, open now, today, next opening, closure and notices."""

    hours_text: str | None
    open_now: bool | None = Field(description="false within a closure; null when the hours are unknown")
    hours_today: str | None = Field(description="today's hours in German, holidays and closures considered")
    opens_next: dt.datetime | None = Field(
        description="while closed: when it opens next (closures, holidays)"
    )
    closure: ClosureView | None = Field(description="the closure of the unit or its county in force now")
    notices: list[NoticeView] = Field(description="notices in force for the unit and its county")


class UnitView(UnitBase, UnitStatus):
    """A unit with its hours as German text, whether it is open now, and its closure and notices."""

    version: int


class ServiceState(ServiceBase):
    """A service's editable state, as PATCH and restore return it."""

    version: int


class UnitState(UnitBase):
    version: int


class PlaceState(PlaceBase):
    version: int


class PersonState(PersonBase):
    """A person of the switchboard directory; `internal_note` is null for anonymous readers."""

    version: int


class ResponsibilityState(ResponsibilityBase):
    id: int
    service: str
    version: int


class Change(BaseModel):
    """One entry of a history: who changed what when, before and after."""

    version: int
    action: str = Field(description="create, update, restore or delete")
    actor: str
    at: dt.datetime
    before: dict | None
    after: dict | None


class RtJsonHeaders(BaseModel):
    extra: str


class RtJsonRoute(BaseModel):
    uri: str
    headers: RtJsonHeaders


class RtJson(BaseModel):
    """Kamailio's rtjson routing document: the target, then each fallback."""

    version: Literal["1.0"]
    routing: Literal["serial"]
    routes: list[RtJsonRoute]


class SectionCounts(BaseModel):
    created: int
    updated: int
    unchanged: int


class ImportResult(BaseModel):
    dry_run: bool
    changed: bool
    summary: dict[str, SectionCounts] = Field(description="per section: counties, places, units, services")
    created: dict[str, list[str]] = Field(description="ids per section")
    updated: dict[str, list[str]] = Field(description="ids per section")
