"""Service hours in Berlin time: weekly opening hours, RLP public holidays, local closing days and closures.

Every time is judged in Europe/Berlin whatever offset it arrived with, so DST changes and UTC input
need no special handling by callers. Closures (a Personalversammlung, a flood, an IT outage) are stored
periods during which a line, a county or a unit is closed; the calendar holds them as data
(`Closures`), so routing, the units API, search and the ticket deadline all judge "open" the same way.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby, pairwise
from types import MappingProxyType
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

__all__ = [
    "BERLIN",
    "WEEKDAYS",
    "Availability",
    "ClosedPeriod",
    "Closures",
    "Interval",
    "ServiceCalendar",
    "WeeklyHours",
    "scopes_of",
    "to_berlin",
]

Interval = tuple[dt.datetime, dt.datetime]
"""A period [start, end); a time without offset means Berlin time."""
Scope = tuple[str, str]
"""What a closure closes: ("line", "115"), ("county", "07135") or ("unit", ID)."""
NEXT_OPENING_DAYS = 62
"""How far ahead `opens_next` looks; beyond that a unit counts as closed until further notice."""


def to_berlin(at: dt.datetime) -> dt.datetime:
    """Return `at` as Berlin wall-clock time; a naive time already means Berlin time."""
    if at.tzinfo is None:
        return at.replace(tzinfo=BERLIN)
    return at.astimezone(BERLIN)


def _utc(at: dt.datetime) -> dt.datetime:
    return to_berlin(at).astimezone(dt.UTC)


def _clock(at: dt.datetime) -> str:
    return f"{to_berlin(at):%H:%M}"


def _day_text(day: dt.date, today: dt.date) -> str:
    """'Fr 28.11.' (with the year when it is not this year's)."""
    date = f"{day:%d.%m.}" if day.year == today.year else f"{day:%d.%m.%Y}"
    return f"{WEEKDAY_NAMES_DE[day.weekday()]} {date}"


def _moment_text(local: dt.datetime, today: dt.date) -> str:
    """'14:00' on `today`, else 'Fr 28.11. 14:00'."""
    return _clock(local) if local.date() == today else f"{_day_text(local.date(), today)} {_clock(local)}"


def scopes_of(
    *, line: str | None = None, county: str | None = None, unit: str | None = None
) -> tuple[Scope, ...]:
    """The closure scopes that concern a line, a county and a unit (each optional)."""
    named = (("unit", unit), ("county", county), ("line", line))
    return tuple((kind, key) for kind, key in named if key is not None)


def _days_text(days: list[int]) -> str:
    """Weekday numbers (0 = Monday) in German: runs of three or more as 'Mo–Mi', others with commas."""
    parts = []
    for _, run in groupby(enumerate(days), key=lambda pair: pair[1] - pair[0]):
        run_days = [day for _, day in run]
        if len(run_days) >= 3:
            parts.append(f"{WEEKDAY_NAMES_DE[run_days[0]]}–{WEEKDAY_NAMES_DE[run_days[-1]]}")
        else:
            parts.extend(WEEKDAY_NAMES_DE[day] for day in run_days)
    return ", ".join(parts)


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
    def key(self) -> str:
        """The hours as stored (JSON text), worked out once: what caches of answers derived from them key on."""
        return self.model_dump_json()

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
        """German one-line summary with the days of equal hours grouped, e.g.
        'Mo–Mi, Fr 08:00–12:00; Do 08:00–12:00, 14:00–18:00'."""
        return self._description

    @cached_property
    def _description(self) -> str:
        days_by_hours: dict[tuple[str, ...], list[int]] = {}
        for weekday, day in enumerate(WEEKDAYS):
            ranges = tuple(sorted(getattr(self, day)))
            if ranges:
                days_by_hours.setdefault(ranges, []).append(weekday)
        parts = [
            f"{_days_text(days)} {', '.join(r.replace('-', '–') for r in ranges)}"
            for ranges, days in days_by_hours.items()
        ]
        text = "; ".join(parts) or "geschlossen"
        return f"{text} ({self.note})" if self.note else text


@dataclass(frozen=True, slots=True)
class ClosedPeriod:
    """One stored closure as the calendar sees it: what is closed, from `start` until `end` (aware times),
    why, and what callers should hear."""

    scope: str
    """"line", "county" or "unit"."""
    key: str
    """The line ("115", "switchboard"), the Kreisschlüssel or the unit id."""
    start: dt.datetime
    end: dt.datetime
    reason: str
    announcement: str | None = None
    id: int | None = None
    county: str | None = None
    """The county a unit or county closure belongs to (None for a line)."""

    def covers(self, at: dt.datetime) -> bool:
        """Whether `at` lies within [start, end)."""
        return self.start <= _utc(at) < self.end

    def until_text(self, at: dt.datetime) -> str:
        """The end in German as seen at `at`: '14:00' today, '24:00' for the end of today, else
        'Fr 28.11. 12:00'."""
        end, today = to_berlin(self.end), to_berlin(at).date()
        if end.time() == dt.time(0):
            day = end.date() - dt.timedelta(days=1)
            return "24:00" if day == today else f"{_day_text(day, today)} 24:00"
        return _moment_text(end, today)

    def text(self, at: dt.datetime) -> str:
        """The German line for traces and agents, e.g. 'geschlossen: Personalversammlung bis 14:00'; for a
        closure still to come 'geschlossen ab Fr 28.11. 12:00: Personalversammlung bis 14:00'."""
        if self.start > _utc(at):
            since = _moment_text(to_berlin(self.start), to_berlin(at).date())
            return f"geschlossen ab {since}: {self.reason} bis {self.until_text(at)}"
        return f"geschlossen: {self.reason} bis {self.until_text(at)}"

    def badge(self, at: dt.datetime) -> str:
        """The short German badge: 'heute geschlossen' (until the end of today) or 'geschlossen bis …'."""
        until = self.until_text(at)
        return "heute geschlossen" if until == "24:00" else f"geschlossen bis {until}"


class Closures:
    """Stored closures by what they close; immutable, so a new set is swapped in whole, never changed."""

    def __init__(self, periods: Iterable[ClosedPeriod] = ()) -> None:
        by_scope: dict[Scope, list[ClosedPeriod]] = {}
        for period in periods:
            if period.end > period.start:
                by_scope.setdefault((period.scope, period.key), []).append(period)
        self._by_scope = MappingProxyType(
            {scope: tuple(sorted(found, key=lambda p: (p.start, p.end))) for scope, found in by_scope.items()}
        )

    def __iter__(self) -> Iterator[ClosedPeriod]:
        """Every closure, by start."""
        return iter(
            sorted((p for found in self._by_scope.values() for p in found), key=lambda p: (p.start, p.end))
        )

    def __len__(self) -> int:
        return sum(len(found) for found in self._by_scope.values())

    def find(self, at: dt.datetime, scopes: Iterable[Scope]) -> ClosedPeriod | None:
        """The closure in force at `at` for any of `scopes` (the one lasting longest), or None."""
        moment = _utc(at)
        found: ClosedPeriod | None = None
        for scope in scopes:
            for period in self._by_scope.get(scope, ()):
                if period.start > moment:
                    break
                if moment < period.end and (found is None or period.end > found.end):
                    found = period
        return found

    def changes(self, scopes: Iterable[Scope]) -> Iterator[dt.datetime]:
        """Every start and end of the closures of `scopes` (UTC): the moments what is closed changes."""
        return (t for scope in scopes for p in self._by_scope.get(scope, ()) for t in (p.start, p.end))

    def intervals(self, scopes: Iterable[Scope]) -> tuple[Interval, ...]:
        """The closed periods of `scopes` as sorted UTC intervals, e.g. for a deadline's service clock."""
        return tuple(sorted((p.start, p.end) for scope in scopes for p in self._by_scope.get(scope, ())))

    def overlapping(
        self, scopes: Iterable[Scope], start: dt.datetime, end: dt.datetime
    ) -> list[ClosedPeriod]:
        """The closures of `scopes` that overlap [start, end), by start."""
        begin, until = _utc(start), _utc(end)
        found = [p for s in scopes for p in self._by_scope.get(s, ()) if p.start < until and p.end > begin]
        return sorted(found, key=lambda p: (p.start, p.end))


@dataclass(frozen=True, slots=True)
class Availability:
    """How an office stands at one moment, for agents: its hours, open now, today, when it opens next."""

    hours: str | None
    """The weekly hours in German; None when unknown."""
    open_now: bool | None
    """None when the hours are unknown and no closure is in force."""
    hours_today: str | None
    """Today's hours in German with holidays and closures, e.g. '08:00–12:00 (ab 12:00 geschlossen: …)'."""
    opens_next: dt.datetime | None
    """When it opens next (Berlin time) while closed now; None while open or when unknown."""
    closure: ClosedPeriod | None
    """The closure in force now, if any."""


class ServiceCalendar:
    """Which days and times are closed: RLP public holidays (§ 2 LFtG), configured local closing days, and
    the stored closures of lines, counties and units."""

    def __init__(self, closing_days: list[str] | None = None, closures: Closures | None = None) -> None:
        self._public = holidays.country_holidays("DE", subdiv="RP", language="de")
        self._closing = set(closing_days if closing_days is not None else ["12-24", "12-31"])
        self.closures = closures if closures is not None else Closures()
        # Calls ask about the same few days over and over; the answer for a day never changes.
        self.closed_because = functools.lru_cache(maxsize=1024)(self._closed_because)

    def with_closures(self, closures: Closures) -> ServiceCalendar:
        """This calendar (its holidays and closing days, and their cache) with `closures` instead."""
        twin = copy.copy(self)
        twin.closures = closures
        return twin

    def closure_at(
        self, at: dt.datetime, *, line: str | None = None, county: str | None = None, unit: str | None = None
    ) -> ClosedPeriod | None:
        """The closure in force at `at` for the line, county or unit named, or None."""
        return self.closures.find(at, scopes_of(line=line, county=county, unit=unit))

    def _closed_because(self, day: dt.date) -> str | None:
        """The reason `day` is closed (holiday name or 'Schließtag'), or None on an ordinary day."""
        name = self._public.get(day)
        if name:
            return str(name)
        if day.strftime("%m-%d") in self._closing or day.isoformat() in self._closing:
            return "Schließtag"
        return None

    def open_periods(
        self, hours: WeeklyHours, day: dt.date, closed: Sequence[Interval] = ()
    ) -> Iterator[Interval]:
        """The open periods of one Berlin calendar day as UTC intervals: its weekly ranges, none on a
        holiday or closing day, the `closed` intervals (sorted, UTC) cut out."""
        if self.closed_because(day) is not None:
            return
        for opens, closes in hours.ranges(day.weekday()):
            start = dt.datetime.combine(day, opens, BERLIN).astimezone(dt.UTC)
            end = dt.datetime.combine(day, closes, BERLIN).astimezone(dt.UTC)
            for closed_from, closed_until in closed:
                if closed_until <= start or closed_from >= end:
                    continue
                if closed_from > start:
                    yield start, closed_from
                start = max(start, closed_until)
                if start >= end:
                    break
            if start < end:
                yield start, end

    def is_open(
        self, hours: WeeklyHours, at: dt.datetime, *, county: str | None = None, unit: str | None = None
    ) -> bool:
        """Whether a place with `hours` (of `unit` in `county`) is open at `at`, judged in Berlin time."""
        local = to_berlin(at)
        return (
            self.closed_because(local.date()) is None
            and hours.covers(local)
            and self.closure_at(at, county=county, unit=unit) is None
        )

    def availability(
        self,
        hours: WeeklyHours | None,
        at: dt.datetime,
        *,
        county: str | None = None,
        unit: str | None = None,
    ) -> Availability:
        """Everything an agent needs to say about an office's hours at `at`: open now, today's hours and the
        next opening, with holidays, closing days and the closures of the unit and its county."""
        scopes = scopes_of(county=county, unit=unit)
        closure = self.closures.find(at, scopes)
        if hours is None:
            return Availability(None, False if closure else None, None, None, closure)
        open_now = self.is_open(hours, at, county=county, unit=unit)
        closed = self.closures.intervals(scopes)
        return Availability(
            hours=hours.describe(),
            open_now=open_now,
            hours_today=self._today(hours, at, scopes, closed),
            opens_next=None if open_now else self._opens_next(hours, at, closed),
            closure=closure,
        )

    def _opens_next(
        self, hours: WeeklyHours, at: dt.datetime, closed: Sequence[Interval]
    ) -> dt.datetime | None:
        moment, day = _utc(at), to_berlin(at).date()
        for _ in range(NEXT_OPENING_DAYS):
            for start, _end in self.open_periods(hours, day, closed):
                if start > moment:
                    return start.astimezone(BERLIN)
            day += dt.timedelta(days=1)
        return None

    def _today(
        self, hours: WeeklyHours, at: dt.datetime, scopes: Sequence[Scope], closed: Sequence[Interval]
    ) -> str:
        """Today's hours in German, e.g. '08:00–12:00, 14:00–16:00', 'heute geschlossen (Fronleichnam)' or
        '08:00–12:00 (ab 12:00 geschlossen: Personalversammlung)'."""
        day = to_berlin(at).date()
        if (reason := self.closed_because(day)) is not None:
            return f"heute geschlossen ({reason})"
        ranges = hours.ranges(day.weekday())
        if not ranges:
            return "heute geschlossen"
        spans_utc = [
            (
                dt.datetime.combine(day, opens, BERLIN).astimezone(dt.UTC),
                dt.datetime.combine(day, closes, BERLIN).astimezone(dt.UTC),
            )
            for opens, closes in ranges
        ]
        first, last = spans_utc[0][0], spans_utc[-1][1]
        cuts = [
            cut
            for cut in self.closures.overlapping(scopes, first, last)
            if any(cut.start < end and cut.end > start for start, end in spans_utc)
        ]
        periods = [f"{_clock(start)}–{_clock(end)}" for start, end in self.open_periods(hours, day, closed)]
        reasons = ", ".join(dict.fromkeys(cut.reason for cut in cuts))
        if not periods:
            return f"heute geschlossen ({reasons})"
        if not cuts:
            return ", ".join(periods)
        spans = []
        for cut in cuts:
            if cut.start <= first:
                spans.append(f"bis {_clock(cut.end)} geschlossen: {cut.reason}")
            elif cut.end >= last:
                spans.append(f"ab {_clock(cut.start)} geschlossen: {cut.reason}")
            else:
                spans.append(f"{_clock(cut.start)}–{_clock(cut.end)} geschlossen: {cut.reason}")
        return f"{', '.join(periods)} ({'; '.join(spans)})"
