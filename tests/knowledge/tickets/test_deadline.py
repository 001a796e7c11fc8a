"""The 24-service-hour promise as a table, on the calendar the EMH routing policy builds from its rule file."""

import datetime as dt

import pytest

from config import CONFIG_DIR
from knowledge.calendar import BERLIN
from knowledge.tickets.deadline import PROMISE, ServiceClock
from routing.origin import AreaDirectory
from routing.policy import load_policy
from servicecenter.policy_service import demo_units

POLICY = load_policy(
    CONFIG_DIR / "routing" / "emh.yaml", AreaDirectory.from_places([]), demo_units(CONFIG_DIR / "catalogue")
)
PERSONALVERSAMMLUNG = (dt.datetime(2026, 3, 9, 8, 0), dt.datetime(2026, 3, 9, 12, 0))


def berlin(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=BERLIN)


def clock(*closures: tuple[dt.datetime, dt.datetime]) -> ServiceClock:
    return ServiceClock(POLICY.calendar, POLICY.line_hours("115"), closures)


CASES = {
    # created → due (Berlin time), and why
    "Friday 15:00: Fri 3 h, Mon 10, Tue 10, Wed 1": (berlin(2026, 3, 6, 15), berlin(2026, 3, 11, 9), ()),
    "Saturday 11:00: Mon 10, Tue 10, Wed 4": (berlin(2026, 3, 7, 11), berlin(2026, 3, 11, 12), ()),
    "during service hours, Tuesday 10:00": (berlin(2026, 3, 10, 10), berlin(2026, 3, 12, 14), ()),
    "after hours, Tuesday 19:30": (berlin(2026, 3, 10, 19, 30), berlin(2026, 3, 13, 12), ()),
    "across Fronleichnam (Thu 4 June 2026)": (berlin(2026, 6, 3, 10), berlin(2026, 6, 8, 14), ()),
    "across 24 December (closing day) and Christmas": (
        berlin(2026, 12, 23, 12),
        berlin(2026, 12, 29, 16),
        (),
    ),
    "across the spring DST change (29 March 2026)": (berlin(2026, 3, 27, 15), berlin(2026, 4, 1, 9), ()),
    "across the autumn DST change (25 October 2026)": (berlin(2026, 10, 23, 15), berlin(2026, 10, 28, 9), ()),
    "created in UTC: Friday 14:00Z is 15:00 in Berlin": (
        dt.datetime(2026, 3, 6, 14, tzinfo=dt.UTC),
        berlin(2026, 3, 11, 9),
        (),
    ),
    "a closure of the line Monday 08:00–12:00 moves it by 4 h": (
        berlin(2026, 3, 6, 15),
        berlin(2026, 3, 11, 13),
        (PERSONALVERSAMMLUNG,),
    ),
    "created inside that closure: counting starts at 12:00": (
        berlin(2026, 3, 9, 9),
        berlin(2026, 3, 11, 16),
        (PERSONALVERSAMMLUNG,),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_due_after_24_service_hours(case: str) -> None:
    created, due, closures = CASES[case]
    got = clock(*closures).add(created, PROMISE)
    assert got == due
    assert got.utcoffset() == due.utcoffset(), "the due time is given in Berlin wall-clock time"
    assert clock(*closures).elapsed(created, got) == PROMISE


def test_the_warning_comes_at_80_percent_of_the_service_time() -> None:
    warn, due = clock().due(berlin(2026, 3, 6, 15))
    assert (warn, due) == (berlin(2026, 3, 10, 14, 12), berlin(2026, 3, 11, 9))
    assert clock().elapsed(berlin(2026, 3, 6, 15), warn) == PROMISE * 0.8


def test_elapsed_counts_only_open_time() -> None:
    friday = berlin(2026, 3, 6, 17)
    assert clock().elapsed(friday, berlin(2026, 3, 9, 9)) == dt.timedelta(hours=2)
    assert clock().elapsed(friday, friday - dt.timedelta(hours=1)) == dt.timedelta()
    assert clock(PERSONALVERSAMMLUNG).elapsed(friday, berlin(2026, 3, 9, 13)) == dt.timedelta(hours=2)


def test_a_schedule_without_any_service_hours_is_refused() -> None:
    closed_all_year = ServiceClock(
        POLICY.calendar, POLICY.line_hours("115"), [(berlin(2026, 1, 1), berlin(2030, 1, 1))]
    )
    with pytest.raises(ValueError, match="no service hours"):
        closed_all_year.add(berlin(2026, 3, 6, 15), PROMISE)
