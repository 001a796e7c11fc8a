"""The EMH policy's service hours end to end: DST change days, RLP holidays and closing days, any offset.

config/routing/emh.yaml: both lines open Monday–Friday 08:00–18:00 Europe/Berlin, closed on RLP public
holidays and on 24 and 31 December. One row per case; the expected Berlin wall-clock times are worked
out by hand (CET = UTC+1, CEST = UTC+2; the changes are on the last Sunday of March and October).
"""

from __future__ import annotations

import datetime as dt

import pytest

from routing.engine import evaluate
from routing.models import Call, Decision
from routing.policy import Policy

COCHEM = "02671 123456"
LINES = pytest.mark.parametrize("called", ["115", "+49 2671 61-0"])


def route(policy: Policy, called: str, at: str) -> Decision:
    return evaluate(policy, Call(called=called, caller=COCHEM, at=dt.datetime.fromisoformat(at)), {})


@pytest.mark.parametrize(
    ("at", "berlin", "is_open"),
    [
        # 2026: spring change Sunday 29 March 01:00 UTC (02:00 CET -> 03:00 CEST)
        ("2026-03-27T06:59:00+00:00", "2026-03-27 07:59", False),  # Friday before, CET
        ("2026-03-27T07:00:00+00:00", "2026-03-27 08:00", True),
        ("2026-03-27T16:59:00+00:00", "2026-03-27 17:59", True),
        ("2026-03-27T17:00:00+00:00", "2026-03-27 18:00", False),
        ("2026-03-29T00:59:00+00:00", "2026-03-29 01:59", False),  # the last CET minute
        ("2026-03-29T01:00:00+00:00", "2026-03-29 03:00", False),  # the first CEST minute
        ("2026-03-29T08:00:00+00:00", "2026-03-29 10:00", False),  # the change day is a Sunday
        ("2026-03-30T05:59:00+00:00", "2026-03-30 07:59", False),  # Monday after, CEST
        ("2026-03-30T06:00:00+00:00", "2026-03-30 08:00", True),
        ("2026-03-30T06:00:00Z", "2026-03-30 08:00", True),
        ("2026-03-30T15:59:00+00:00", "2026-03-30 17:59", True),
        ("2026-03-30T16:00:00+00:00", "2026-03-30 18:00", False),
        ("2026-03-30T09:00:00+03:00", "2026-03-30 08:00", True),
        ("2026-03-30T15:00:00+09:00", "2026-03-30 08:00", True),
        ("2026-03-30T00:59:00-05:00", "2026-03-30 07:59", False),
        ("2026-03-29T22:00:00-10:00", "2026-03-30 10:00", True),  # still Sunday where the PBX is
        ("2026-03-30T07:00:00+01:00", "2026-03-30 08:00", True),  # sent with last week's offset
        ("2026-03-30T07:59:00", "2026-03-30 07:59", False),  # no offset: Berlin time
        ("2026-03-30T08:00:00", "2026-03-30 08:00", True),
        ("2026-03-30T17:59:00", "2026-03-30 17:59", True),
        ("2026-03-30T18:00:00", "2026-03-30 18:00", False),
        # 2026: autumn change Sunday 25 October 01:00 UTC (03:00 CEST -> 02:00 CET)
        ("2026-10-23T05:59:00+00:00", "2026-10-23 07:59", False),  # Friday before, CEST
        ("2026-10-23T06:00:00+00:00", "2026-10-23 08:00", True),
        ("2026-10-23T15:59:00+00:00", "2026-10-23 17:59", True),
        ("2026-10-23T16:00:00+00:00", "2026-10-23 18:00", False),
        ("2026-10-25T00:30:00+00:00", "2026-10-25 02:30", False),  # 02:30 CEST ...
        ("2026-10-25T01:30:00+00:00", "2026-10-25 02:30", False),  # ... and 02:30 CET, an hour later
        ("2026-10-25T08:00:00+00:00", "2026-10-25 09:00", False),  # the change day is a Sunday
        ("2026-10-26T06:59:00+00:00", "2026-10-26 07:59", False),  # Monday after, CET
        ("2026-10-26T07:00:00+00:00", "2026-10-26 08:00", True),
        ("2026-10-26T16:59:00+00:00", "2026-10-26 17:59", True),
        ("2026-10-26T17:00:00+00:00", "2026-10-26 18:00", False),
        ("2026-10-26T08:00:00+01:00", "2026-10-26 08:00", True),
        ("2026-10-26T09:00:00+02:00", "2026-10-26 08:00", True),  # sent with last week's offset
        ("2026-10-25T23:30:00-08:00", "2026-10-26 08:30", True),  # still Sunday where the PBX is
        ("2026-10-26T00:59:00-06:00", "2026-10-26 07:59", False),
        ("2026-10-26T07:59:00", "2026-10-26 07:59", False),  # no offset: Berlin time
        ("2026-10-26T08:00:00", "2026-10-26 08:00", True),
        # 2025: changes on 30 March and 26 October
        ("2025-03-31T05:59:00+00:00", "2025-03-31 07:59", False),
        ("2025-03-31T06:00:00+00:00", "2025-03-31 08:00", True),
        ("2025-10-27T06:59:00+00:00", "2025-10-27 07:59", False),
        ("2025-10-27T07:00:00+00:00", "2025-10-27 08:00", True),
        # 2027: the Mondays after the changes (28 March, 31 October) are holidays; the Tuesdays are not
        ("2027-03-29T06:00:00+00:00", "2027-03-29 08:00", False),  # Ostermontag
        ("2027-03-30T06:00:00+00:00", "2027-03-30 08:00", True),
        ("2027-11-01T07:00:00+00:00", "2027-11-01 08:00", False),  # Allerheiligen
        ("2027-11-02T07:00:00+00:00", "2027-11-02 08:00", True),
    ],
)
@LINES
def test_service_hours_are_judged_in_berlin_time_across_dst_changes(
    policy: Policy, called: str, at: str, berlin: str, is_open: bool
) -> None:
    decision = route(policy, called, at)
    german = dt.datetime.strptime(berlin, "%Y-%m-%d %H:%M").strftime("%d.%m.%Y %H:%M Uhr")
    assert german in decision.trace[3]
    assert decision.open is is_open
    assert decision.target.kind == ("pool" if is_open else "announcement")


@pytest.mark.parametrize(
    ("at", "why"),
    [
        # RLP public holidays on weekdays
        ("2026-01-01T10:00", "Neujahr"),  # Thursday
        ("2026-04-03T10:00", "Karfreitag"),  # Friday
        ("2026-04-06T10:00", "Ostermontag"),  # Monday
        ("2026-05-01T10:00", "Erster Mai"),  # Friday
        ("2026-05-14T10:00", "Christi Himmelfahrt"),  # Thursday
        ("2026-05-25T10:00", "Pfingstmontag"),  # Monday
        ("2026-06-04T10:00", "Fronleichnam"),  # Thursday
        ("2025-06-19T10:00", "Fronleichnam"),  # Thursday
        ("2025-10-03T10:00", "Tag der Deutschen Einheit"),  # Friday
        ("2024-10-03T10:00", "Tag der Deutschen Einheit"),  # Thursday
        ("2023-11-01T10:00", "Allerheiligen"),  # Wednesday
        ("2027-11-01T10:00", "Allerheiligen"),  # Monday
        ("2026-12-25T10:00", "Erster Weihnachtstag"),  # Friday
        ("2025-12-26T10:00", "Zweiter Weihnachtstag"),  # Friday
        ("2026-06-04T08:00:00+00:00", "Fronleichnam"),  # 10:00 CEST, given in UTC
        # the configured closing days, 24 and 31 December, on weekdays
        ("2026-12-24T10:00", "Schließtag"),  # Thursday
        ("2026-12-31T10:00", "Schließtag"),  # Thursday
        ("2025-12-24T10:00", "Schließtag"),  # Wednesday
        ("2025-12-31T10:00", "Schließtag"),  # Wednesday
        ("2027-12-24T10:00", "Schließtag"),  # Friday
        ("2027-12-31T10:00", "Schließtag"),  # Friday
        ("2026-12-24T08:00:00+00:00", "Schließtag"),  # 09:00 CET, given in UTC
        ("2026-12-23T23:30:00+00:00", "Schließtag"),  # already 24 December 00:30 in Berlin
        # weekends
        ("2026-03-14T10:00", "jetzt geschlossen (geöffnet Mo–Fr 08:00–18:00)"),  # Saturday
        ("2026-03-15T10:00", "jetzt geschlossen (geöffnet Mo–Fr 08:00–18:00)"),  # Sunday
    ],
)
@LINES
def test_closed_on_rlp_holidays_closing_days_and_weekends(
    policy: Policy, called: str, at: str, why: str
) -> None:
    decision = route(policy, called, at)
    assert decision.open is False
    assert decision.target.kind == "announcement"
    assert why in decision.trace[3]


@pytest.mark.parametrize(
    "at",
    [
        "2026-06-05T10:00",  # the Friday after Fronleichnam
        "2026-12-23T10:00",  # the Wednesday before the 24 December closing day
        "2026-12-30T17:59",  # the Wednesday before the 31 December closing day
        "2026-01-06T10:00",  # Heilige Drei Könige: a holiday in BW, BY and ST, not in RP
        "2027-03-08T10:00",  # Internationaler Frauentag: BE and MV only
        "2025-08-15T10:00",  # Mariä Himmelfahrt: SL and parts of BY only
        "2025-10-31T10:00",  # Reformationstag: the northern and eastern states, not RP
        "2026-11-18T10:00",  # Buß- und Bettag: SN only
        "2026-11-02T10:00",  # the Monday after Allerheiligen on a Sunday: no substitute day in RP
    ],
)
@LINES
def test_open_on_working_days_that_are_no_rlp_holiday(policy: Policy, called: str, at: str) -> None:
    decision = route(policy, called, at)
    assert decision.open is True
    assert decision.target.id == "emh-cochem-zell"
    assert decision.trace[3].endswith("Servicezeit jetzt geöffnet (Mo–Fr 08:00–18:00).")
