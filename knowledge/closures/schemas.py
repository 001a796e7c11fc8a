"""Closures and notices on the wire: what clients send, and how they are shown (alone, and on units, search
hits and responsible units).

A scope is an object with one key, as in the contract: `{"unit": ID}`, `{"county": KEY}`,
`{"line": "115" | "switchboard"}` for closures; `{"unit": ID}`, `{"county": KEY}`, `{"service": ID}`,
`{"all": true}` for notices. Times without offset mean Berlin time; answers carry Berlin time. Messages
of the checks here are German, as agents and editors read them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from itertools import chain
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
)

from knowledge.calendar import BERLIN, ClosedPeriod, ServiceCalendar, WeeklyHours, scopes_of, to_berlin
from knowledge.closures.board import NoticeBoard, PostedNotice, service_scopes, unit_scopes
from knowledge.counties import CountyKey

__all__ = [
    "AllScope",
    "AnyScope",
    "ClosureCreate",
    "ClosureScope",
    "ClosureView",
    "CountyScope",
    "LineScope",
    "NoticeCreate",
    "NoticeScope",
    "NoticeView",
    "ServiceScope",
    "UnitScope",
    "closure_view",
    "notice_view",
    "office_status",
    "scope_model",
    "scope_parts",
    "service_notices",
]

MAX_LENGTH = dt.timedelta(days=366)
"""A closure or notice lasts at most a year; longer is a unit's hours, not a closure."""

Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Announcement = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
NoticeText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class _Scope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitScope(_Scope):
    unit: Key = Field(description="a unit's id (`GET /api/v1/units`)")


class CountyScope(_Scope):
    county: CountyKey


class LineScope(_Scope):
    line: Literal["115", "switchboard"] = Field(description="the 115 line, or all county switchboards")


class ServiceScope(_Scope):
    service: Key = Field(description="a service's id")


class AllScope(_Scope):
    all: Literal[True]


AnyScope = UnitScope | CountyScope | LineScope | ServiceScope | AllScope


def _scope_kind(value: Any) -> str | None:
    """The one key of a scope object, which says its kind; None when there is not exactly one."""
    if isinstance(value, _Scope):
        return next(iter(type(value).model_fields))
    if isinstance(value, dict) and len(value) == 1:
        return str(next(iter(value)))
    return None


ClosureScope = Annotated[
    Annotated[UnitScope, Tag("unit")]
    | Annotated[CountyScope, Tag("county")]
    | Annotated[LineScope, Tag("line")],
    Discriminator(
        _scope_kind,
        custom_error_type="scope_kind",
        custom_error_message="Genau eine Angabe: unit, county oder line",
    ),
]
NoticeScope = Annotated[
    Annotated[UnitScope, Tag("unit")]
    | Annotated[CountyScope, Tag("county")]
    | Annotated[ServiceScope, Tag("service")]
    | Annotated[AllScope, Tag("all")],
    Discriminator(
        _scope_kind,
        custom_error_type="scope_kind",
        custom_error_message="Genau eine Angabe: unit, county, service oder all",
    ),
]


def scope_parts(scope: AnyScope) -> tuple[str, str | None]:
    """(kind, key) as stored: ("unit", ID), ("county", KEY), ("line", "115"), ("service", ID), ("all", None)."""
    ((kind, value),) = scope.model_dump().items()
    return kind, None if kind == "all" else value


def scope_model(kind: str, key: str | None) -> AnyScope:
    """The wire scope of a stored (kind, key)."""
    if kind == "all":
        return AllScope(all=True)
    models: dict[str, type[AnyScope]] = {
        "unit": UnitScope,
        "county": CountyScope,
        "line": LineScope,
        "service": ServiceScope,
    }
    return models[kind].model_validate({kind: key})


def _representable(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None:
        try:
            to_berlin(value).astimezone(dt.UTC)
        except OverflowError:
            raise ValueError("Dieser Zeitpunkt liegt außerhalb des Kalenders") from None
    return value


def _check_period(start: dt.datetime | None, end: dt.datetime, what: str) -> None:
    """Shared checks of a period sent by a client: it ends after it starts, not in the past, within a year."""
    now = dt.datetime.now(dt.UTC)
    begin = to_berlin(start).astimezone(dt.UTC) if start is not None else now
    until = to_berlin(end).astimezone(dt.UTC)
    if until <= begin:
        raise ValueError(f"{what} muss nach dem Beginn liegen")
    if until <= now:
        raise ValueError(f"{what} liegt in der Vergangenheit")
    if until - begin > MAX_LENGTH:
        raise ValueError("Höchstens ein Jahr lang")


class ClosureCreate(BaseModel):
    """A new closure: what is closed, from when (default: now) until when, why, and what callers hear."""

    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True)

    scope: ClosureScope
    starts_at: dt.datetime | None = Field(
        default=None, alias="from", description="default: now; a time without offset is Berlin time"
    )
    until: dt.datetime = Field(
        description="the end (exclusive); after `from`, not in the past, within a year"
    )
    reason: Reason = Field(description="German, e.g. 'Personalversammlung'; shown to agents and in traces")
    announcement: Announcement | None = Field(
        default=None, description="what the after-hours announcement should say, if the PBX plays text"
    )

    @field_validator("starts_at")
    @classmethod
    def _in_calendar(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _representable(value)

    @field_validator("until")
    @classmethod
    def _period(cls, until: dt.datetime, info: ValidationInfo) -> dt.datetime:
        _representable(until)
        _check_period(info.data.get("starts_at"), until, "Das Ende")
        return until


class NoticeCreate(BaseModel):
    """A new Info-Meldung: its text, how urgent, for whom, from when (default: now) until when."""

    model_config = ConfigDict(extra="forbid")

    text: NoticeText
    severity: Literal["info", "warning"] = "info"
    scope: NoticeScope
    valid_from: dt.datetime | None = Field(
        default=None, description="default: now; without offset Berlin time"
    )
    valid_until: dt.datetime = Field(description="when it disappears by itself")

    @field_validator("valid_from")
    @classmethod
    def _in_calendar(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _representable(value)

    @field_validator("valid_until")
    @classmethod
    def _period(cls, until: dt.datetime, info: ValidationInfo) -> dt.datetime:
        _representable(until)
        _check_period(info.data.get("valid_from"), until, "Das Ende der Gültigkeit")
        return until


class ClosureView(BaseModel):
    """A stored closure as clients see it."""

    model_config = ConfigDict(validate_by_name=True, serialize_by_alias=True)

    id: int
    scope: ClosureScope
    starts_at: dt.datetime = Field(alias="from")
    until: dt.datetime
    reason: str
    announcement: str | None
    in_force: bool
    text: str = Field(description="German, e.g. 'geschlossen: Personalversammlung bis 14:00'")
    badge: str | None = Field(
        description="while in force: 'heute geschlossen' or 'geschlossen bis …' for a badge; else null"
    )


class NoticeView(BaseModel):
    """A stored notice as clients see it."""

    id: int
    text: str
    severity: Literal["info", "warning"]
    scope: NoticeScope
    valid_from: dt.datetime
    valid_until: dt.datetime
    in_force: bool


def closure_view(period: ClosedPeriod, now: dt.datetime) -> ClosureView:
    """How a closure in memory is shown at `now`."""
    assert period.id is not None, "a stored closure has its id"
    in_force = period.covers(now)
    return ClosureView(
        id=period.id,
        scope=scope_model(period.scope, period.key),
        starts_at=period.start.astimezone(BERLIN),
        until=period.end.astimezone(BERLIN),
        reason=period.reason,
        announcement=period.announcement,
        in_force=in_force,
        text=period.text(now),
        badge=period.badge(now) if in_force else None,
    )


def notice_view(notice: PostedNotice, now: dt.datetime) -> NoticeView:
    """How a notice in memory is shown at `now`."""
    return NoticeView(
        id=notice.id,
        text=notice.text,
        severity="warning" if notice.severity == "warning" else "info",
        scope=scope_model(notice.scope, notice.key),
        valid_from=notice.valid_from.astimezone(BERLIN),
        valid_until=notice.valid_until.astimezone(BERLIN),
        in_force=notice.in_force(now),
    )


STATUSES_KEPT = 4096
"""Office statuses kept (see `office_status`): the offices a busy hour of searches names, many times over."""
_statuses: OrderedDict[tuple, tuple[dt.datetime, dt.datetime, dict[str, Any]]] = OrderedDict()
_statuses_lock = threading.Lock()


def office_status(
    calendar: ServiceCalendar,
    notices: NoticeBoard,
    *,
    hours: WeeklyHours | None,
    unit: str,
    county: str | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """What agents see of an office's hours at `now`, as the fields units and responsible entries carry:
    `hours` (German), `open_now`, `hours_today`, `opens_next`, the `closure` in force and the `notices`
    in force for the unit and its county.

    Working it out costs the calendar about half a millisecond, and a page of search hits names up to fifty
    offices, so a status is kept and given again for as long as it stays the same: within its minute (hours
    and every text are to the minute) until the next start or end of a closure or notice of the office,
    for the same calendar and notice board (a change of closures or notices swaps in new ones)."""
    moment = to_berlin(now).astimezone(dt.UTC)
    key = (calendar, calendar.closures, notices, hours.key if hours is not None else None, unit, county)
    with _statuses_lock:
        kept = _statuses.get(key)
        if kept is not None and kept[0] <= moment < kept[1]:
            _statuses.move_to_end(key)
            return dict(kept[2])
    status = _office_status(calendar, notices, hours=hours, unit=unit, county=county, now=now)
    since = moment.replace(second=0, microsecond=0)
    until = since + dt.timedelta(minutes=1)
    changes = chain(
        calendar.closures.changes(scopes_of(county=county, unit=unit)),
        notices.changes(unit_scopes(unit, county)),
    )
    for change in changes:
        if since < change <= moment:
            since = change
        elif moment < change < until:
            until = change
    with _statuses_lock:
        _statuses[key] = (since, until, status)
        _statuses.move_to_end(key)
        if len(_statuses) > STATUSES_KEPT:
            _statuses.popitem(last=False)
    return dict(status)


def _office_status(
    calendar: ServiceCalendar,
    notices: NoticeBoard,
    *,
    hours: WeeklyHours | None,
    unit: str,
    county: str | None,
    now: dt.datetime,
) -> dict[str, Any]:
    available = calendar.availability(hours, now, county=county, unit=unit)
    return {
        "hours": available.hours,
        "open_now": available.open_now,
        "hours_today": available.hours_today,
        "opens_next": available.opens_next,
        "closure": closure_view(available.closure, now) if available.closure is not None else None,
        "notices": [notice_view(n, now) for n in notices.in_force(now, unit_scopes(unit, county))],
    }


def service_notices(notices: NoticeBoard, service: str, now: dt.datetime) -> list[NoticeView]:
    """The notices in force for a service hit: the service's own and those for everyone."""
    return [notice_view(n, now) for n in notices.in_force(now, service_scopes(service))]
