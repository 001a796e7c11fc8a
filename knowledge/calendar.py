"""Service hours in Berlin time: weekly opening hours, RLP public holidays and local closing days.

Every time is judged in Europe/Berlin whatever offset it arrived with, so DST changes and UTC input
need no special handling by callers.
"""

from __future__ import annotations

import datetime as dt
import functools
from functools import cached_property
from itertools import pairwise
from zoneinfo import ZoneInfo

import holidays
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES_DE = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")

__all__ = ["BERLIN", "WEEKDAYS", "ServiceCalendar", "WeeklyHours", "to_berlin"]


def to_berlin(at: dt.datetime) -> dt.datetime:
    """Return `at` as Berlin wall-clock time; a naive time already means Berlin time."""
    if at.tzinfo is None:
        return at.replace(tzinfo=BERLIN)
    return at.astimezone(BERLIN)


def _parse_range(text: str) -> tuple[dt.time, dt.time]:
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"expected 'HH:MM-HH:MM', got {text!r}")
    opens, closes = dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())
    if closes <= opens:
        raise ValueError(f"{text!r} closes before it opens")
    return opens, closes


class WeeklyHours(BaseModel):
    """Opening hours per weekday as 'HH:MM-HH:MM' ranges, e.g. {"mon": ["08:00-12:00", "14:00-16:00"]}."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mon: list[str] = Field(default_factory=list)
    tue: list[str] = Field(default_factory=list)
    wed: list[str] = Field(default_factory=list)
    thu: list[str] = Field(default_factory=list)
    fri: list[str] = Field(default_factory=list)
    sat: list[str] = Field(default_factory=list)
    sun: list[str] = Field(default_factory=list)
    note: str | None = None

    @model_serializer(mode="wrap")
    def _compact(self, handler: SerializerFunctionWrapHandler) -> dict:
        """Only the days that have hours (and the note if any), as stored and as the API has always sent."""
        return {key: value for key, value in handler(self).items() if value not in ([], None)}

    @field_validator(*WEEKDAYS)
    @classmethod
    def _valid_ranges(cls, ranges: list[str]) -> list[str]:
        parsed = sorted(_parse_range(r) for r in ranges)
        for (_, previous_close), (opens, _) in pairwise(parsed):
            if opens < previous_close:
                raise ValueError("time ranges overlap")
        return ranges

    @cached_property
    def _parsed(self) -> tuple[tuple[tuple[dt.time, dt.time], ...], ...]:
        return tuple(tuple(_parse_range(r) for r in getattr(self, day)) for day in WEEKDAYS)

    def ranges(self, weekday: int) -> tuple[tuple[dt.time, dt.time], ...]:
        """The (opens, closes) ranges of a weekday (0 = Monday), in order; what deadlines count on."""
        return tuple(sorted(self._parsed[weekday]))

    def covers(self, local: dt.datetime) -> bool:
        """Whether the Berlin wall-clock time `local` falls in one of the ranges of its weekday."""
        now = local.time()
        return any(opens <= now < closes for opens, closes in self._parsed[local.weekday()])

    def describe(self) -> str:
        """German one-line summary, e.g. 'Mo–Fr 08:00–18:00'."""
        return self._description

    @cached_property
    def _description(self) -> str:
        parts = []
        for name, day in zip(WEEKDAY_NAMES_DE, WEEKDAYS, strict=True):
            ranges = getattr(self, day)
            if ranges:
                parts.append(f"{name} {', '.join(r.replace('-', '–') for r in ranges)}")
        text = "; ".join(parts) or "geschlossen"
        return f"{text} ({self.note})" if self.note else text


class ServiceCalendar:
    """Which days are closed: RLP public holidays (§ 2 LFtG) plus configured local closing days."""

    def __init__(self, closing_days: list[str] | None = None) -> None:
        self._public = holidays.country_holidays("DE", subdiv="RP", language="de")
        self._closing = set(closing_days if closing_days is not None else ["12-24", "12-31"])
        # Calls ask about the same few days over and over; the answer for a day never changes.
        self.closed_because = functools.lru_cache(maxsize=1024)(self._closed_because)

    def _closed_because(self, day: dt.date) -> str | None:
        """The reason `day` is closed (holiday name or 'Schließtag'), or None on an ordinary day."""
        name = self._public.get(day)
        if name:
            return str(name)
        if day.strftime("%m-%d") in self._closing or day.isoformat() in self._closing:
            return "Schließtag"
        return None

    def is_open(self, hours: WeeklyHours, at: dt.datetime) -> bool:
        """Whether a place with `hours` is open at `at`, judged in Berlin time."""
        local = to_berlin(at)
        return self.closed_because(local.date()) is None and hours.covers(local)

    def opening(self, hours: WeeklyHours | None, at: dt.datetime) -> tuple[str | None, bool | None]:
        """Opening hours as German text and whether open at `at`; (None, None) when hours are unknown."""
        if hours is None:
            return None, None
        return hours.describe(), self.is_open(hours, at)
