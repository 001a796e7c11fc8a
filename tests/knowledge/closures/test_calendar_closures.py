"""Closures on the calendar at their edges: open now, today's hours and the next opening, in Berlin time
across DST, with holidays; and the German texts agents and traces read."""

import datetime as dt

import pytest

from knowledge.calendar import BERLIN, ClosedPeriod, Closures, ServiceCalendar, WeeklyHours
from knowledge.closures.board import NoticeBoard, PostedNotice
from knowledge.closures.schemas import office_status

HOURS = WeeklyHours(
    mon=["08:00-12:00", "14:00-16:00"],
    tue=["08:00-12:00", "14:00-16:00"],
    wed=["08:00-12:00"],
    thu=["08:00-12:00", "14:00-18:00"],
    fri=["08:00-12:00"],
)
UNIT, COUNTY = "vg-daun-buergerbuero", "07233"


def berlin(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=BERLIN)


def closed(
    start: dt.datetime, end: dt.datetime, reason: str = "Personalversammlung", **scope: str
) -> ClosedPeriod:
    ((kind, key),) = scope.items() if scope else (("unit", UNIT),)
    return ClosedPeriod(kind, key, start.astimezone(dt.UTC), end.astimezone(dt.UTC), reason, id=1)


def calendar(*periods: ClosedPeriod) -> ServiceCalendar:
    return ServiceCalendar(["12-24", "12-31"]).with_closures(Closures(periods))


# Tuesday 10 March 2026; a Personalversammlung from 10:00 to 14:30
MEETING = closed(berlin(2026, 3, 10, 10), berlin(2026, 3, 10, 14, 30))


@pytest.mark.parametrize(
    ("at", "open_now", "opens_next"),
    [
        (berlin(2026, 3, 10, 9, 59), True, None),  # the minute before it starts
        (berlin(2026, 3, 10, 10, 0), False, berlin(2026, 3, 10, 14, 30)),  # from is inside
        (berlin(2026, 3, 10, 13, 0), False, berlin(2026, 3, 10, 14, 30)),  # in the lunch break, still closed
        (berlin(2026, 3, 10, 14, 29), False, berlin(2026, 3, 10, 14, 30)),
        (berlin(2026, 3, 10, 14, 30), True, None),  # until is outside: open again on the minute
        (berlin(2026, 3, 10, 16, 0), False, berlin(2026, 3, 11, 8, 0)),  # after hours: the next morning
    ],
)
def test_a_closure_closes_within_from_and_until_only(at, open_now, opens_next) -> None:
    available = calendar(MEETING).availability(HOURS, at, county=COUNTY, unit=UNIT)
    assert (available.open_now, available.opens_next) == (open_now, opens_next)
    assert (available.closure is not None) == (MEETING.start <= at.astimezone(dt.UTC) < MEETING.end)


def test_todays_hours_say_what_the_closure_cuts() -> None:
    at = berlin(2026, 3, 10, 9)
    assert calendar().availability(HOURS, at, unit=UNIT).hours_today == "08:00–12:00, 14:00–16:00"
    assert (
        calendar(MEETING).availability(HOURS, at, county=COUNTY, unit=UNIT).hours_today
        == "08:00–10:00, 14:30–16:00 (10:00–14:30 geschlossen: Personalversammlung)"
    )
    afternoon = closed(berlin(2026, 3, 10, 12), berlin(2026, 3, 11), "Betriebsausflug", county=COUNTY)
    assert (
        calendar(afternoon).availability(HOURS, at, county=COUNTY, unit=UNIT).hours_today
        == "08:00–12:00 (ab 12:00 geschlossen: Betriebsausflug)"
    )
    flood = closed(berlin(2026, 3, 9), berlin(2026, 3, 13), "Hochwasser", county=COUNTY)
    today = calendar(flood).availability(HOURS, at, county=COUNTY, unit=UNIT)
    assert today.hours_today == "heute geschlossen (Hochwasser)"
    assert today.opens_next == berlin(2026, 3, 13, 8)


def test_a_closure_of_another_unit_or_county_changes_nothing() -> None:
    at = berlin(2026, 3, 10, 11)
    other = calendar(closed(at - dt.timedelta(hours=1), at + dt.timedelta(hours=1), county="07135"))
    assert other.availability(HOURS, at, county=COUNTY, unit=UNIT).open_now is True
    line = calendar(closed(at - dt.timedelta(hours=1), at + dt.timedelta(hours=1), line="115"))
    assert line.availability(HOURS, at, county=COUNTY, unit=UNIT).open_now is True, "a line is no office"


def test_holidays_and_closures_together_find_the_next_opening() -> None:
    # Maundy Thursday 2 April 2026 closed by a closure, then Good Friday and Easter Monday are holidays
    easter = calendar(closed(berlin(2026, 4, 2), berlin(2026, 4, 3), "Brückentag"))
    available = easter.availability(HOURS, berlin(2026, 4, 2, 9), county=COUNTY, unit=UNIT)
    assert available.open_now is False
    assert available.hours_today == "heute geschlossen (Brückentag)"
    assert available.opens_next == berlin(2026, 4, 7, 8)
    good_friday = easter.availability(HOURS, berlin(2026, 4, 3, 9), county=COUNTY, unit=UNIT)
    assert good_friday.hours_today == "heute geschlossen (Karfreitag)"


def test_a_closure_across_the_spring_dst_change_ends_at_berlin_wall_clock_time() -> None:
    # Friday 27 March 2026 12:00 CET until Monday 30 March 10:00 CEST (the clocks go forward on Sunday)
    weekend = closed(berlin(2026, 3, 27, 12), berlin(2026, 3, 30, 10), "Umzug")
    assert weekend.end == dt.datetime(2026, 3, 30, 8, tzinfo=dt.UTC)
    available = calendar(weekend).availability(HOURS, berlin(2026, 3, 27, 11, 59), unit=UNIT)
    assert available.open_now is True
    later = calendar(weekend).availability(HOURS, berlin(2026, 3, 27, 12), unit=UNIT)
    assert (later.open_now, later.opens_next) == (False, berlin(2026, 3, 30, 10))
    assert later.opens_next.utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("end", "at", "text", "badge"),
    [
        (
            berlin(2026, 3, 10, 14),
            berlin(2026, 3, 10, 9),
            "geschlossen: Personalversammlung bis 14:00",
            "geschlossen bis 14:00",
        ),
        (
            berlin(2026, 3, 11),
            berlin(2026, 3, 10, 9),
            "geschlossen: Personalversammlung bis 24:00",
            "heute geschlossen",
        ),
        (
            berlin(2026, 3, 13, 12),
            berlin(2026, 3, 10, 9),
            "geschlossen: Personalversammlung bis Fr 13.03. 12:00",
            "geschlossen bis Fr 13.03. 12:00",
        ),
        (
            berlin(2026, 3, 14),
            berlin(2026, 3, 10, 9),
            "geschlossen: Personalversammlung bis Fr 13.03. 24:00",
            "geschlossen bis Fr 13.03. 24:00",
        ),
        (
            berlin(2027, 1, 4, 8),
            berlin(2026, 12, 30, 9),
            "geschlossen: Personalversammlung bis Mo 04.01.2027 08:00",
            "geschlossen bis Mo 04.01.2027 08:00",
        ),
    ],
)
def test_the_german_texts_of_a_closure(end, at, text, badge) -> None:
    period = closed(berlin(2026, 3, 10, 8), end)
    assert (period.text(at), period.badge(at)) == (text, badge)


def test_a_closure_still_to_come_says_when_it_starts() -> None:
    period = closed(berlin(2026, 3, 12, 12), berlin(2026, 3, 12, 16))
    assert (
        period.text(berlin(2026, 3, 10, 9))
        == "geschlossen ab Do 12.03. 12:00: Personalversammlung bis Do 12.03. 16:00"
    )


def test_swapping_closures_leaves_the_calendar_in_force_unchanged() -> None:
    base = ServiceCalendar(["12-24"])
    with_meeting = base.with_closures(Closures([MEETING]))
    assert len(base.closures) == 0 and len(with_meeting.closures) == 1
    assert with_meeting.closed_because(dt.date(2026, 12, 24)) == "Schließtag"


def test_an_office_status_given_again_changes_with_a_closure_starting_within_the_minute() -> None:
    """office_status keeps what it worked out; a closure or notice that starts or ends between two
    questions in the same minute still shows at once, both ways round."""
    starts = berlin(2026, 3, 10, 10, 0, 30)
    board = NoticeBoard(
        [PostedNotice(7, "Telefonstörung", "warning", "unit", UNIT, COUNTY, starts.astimezone(dt.UTC),
                      berlin(2026, 3, 10, 11).astimezone(dt.UTC))]
    )  # fmt: skip
    cal = calendar(closed(starts, berlin(2026, 3, 10, 11)))

    def status(at: dt.datetime) -> tuple[bool | None, int]:
        found = office_status(cal, board, hours=HOURS, unit=UNIT, county=COUNTY, now=at)
        return found["open_now"], len(found["notices"])

    assert status(berlin(2026, 3, 10, 10, 0, 40)) == (False, 1)
    assert status(berlin(2026, 3, 10, 10, 0, 10)) == (True, 0)
    assert status(berlin(2026, 3, 10, 10, 0, 50)) == (False, 1)
    assert status(berlin(2026, 3, 10, 10, 1)) == (False, 1)
    assert status(berlin(2026, 3, 10, 9, 59, 59)) == (True, 0)
