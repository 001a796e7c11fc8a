"""Deadlines in service hours: "answered within 24 hours of service time", counted on the 115 line's calendar.

Only the line's open periods count: its weekly hours, minus RLP public holidays and closing days (the
routing policy's `ServiceCalendar`), minus closures of the line given as time intervals (the calendar's
`open_periods` cuts them out, the same cut the units' opening times use). All arithmetic
is done in UTC on the Berlin wall-clock periods, so a DST change in between moves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from knowledge.calendar import BERLIN, Interval, ServiceCalendar, WeeklyHours, to_berlin

__all__ = ["PROMISE", "WARNING_SHARE", "Interval", "ServiceClock"]

PROMISE = dt.timedelta(hours=24)
"""The 115 service promise: an answer within 24 service hours."""
WARNING_SHARE = 0.8
"""A ticket warns once this share of its service time is used."""
MAX_DAYS = 3 * 366
"""How far ahead a deadline is searched; a calendar without service hours in that span is an error."""


def _utc(at: dt.datetime) -> dt.datetime:
    return to_berlin(at).astimezone(dt.UTC)


@dataclass(frozen=True)
class ServiceClock:
    """Service time of one line: weekly hours, the calendar of closed days, and closures as intervals."""

    calendar: ServiceCalendar
    hours: WeeklyHours
    closures: Iterable[Interval] = ()
    _closed: tuple[Interval, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        closed = sorted((_utc(start), _utc(end)) for start, end in self.closures if end > start)
        object.__setattr__(self, "_closed", tuple(closed))

    def periods(self, start: dt.datetime) -> Iterator[Interval]:
        """Open periods from `start` on, in order, as UTC intervals; ValueError if none within three years."""
        begin = _utc(start)
        day = to_berlin(start).date()
        for _ in range(MAX_DAYS):
            for opens, closes in self.calendar.open_periods(self.hours, day, self._closed):
                if closes > begin:
                    yield max(opens, begin), closes
            day += dt.timedelta(days=1)
        raise ValueError(f"no service hours within {MAX_DAYS} days of {start.isoformat()}")

    def add(self, start: dt.datetime, service_time: dt.timedelta) -> dt.datetime:
        """The moment `service_time` of open time has passed after `start`, in Berlin time."""
        remaining = service_time
        for opens, closes in self.periods(start):
            if closes - opens >= remaining:
                return (opens + remaining).astimezone(BERLIN)
            remaining -= closes - opens
        raise AssertionError("unreachable: periods() ends by raising")

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """The open time between `start` and `end` (zero when `end` is not after `start`)."""
        until = _utc(end)
        total = dt.timedelta()
        if until <= _utc(start):
            return total
        for opens, closes in self.periods(start):
            if opens >= until:
                break
            total += min(closes, until) - opens
        return total

    def due(self, created: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """(warning time, due time) of a ticket created at `created`: 80 % and 100 % of the promise."""
        return self.add(created, PROMISE * WARNING_SHARE), self.add(created, PROMISE)
