"""Stored closures as routing data: a closed line or county routes like a closing day, with the reason in the
trace and on the decision; a closed unit's department is skipped. Routing stays pure: the closures arrive
in the policy's calendar."""

from __future__ import annotations

import dataclasses
import datetime as dt

from knowledge.calendar import BERLIN, ClosedPeriod, Closures
from routing.engine import evaluate
from routing.models import Call, Decision
from routing.policy import Policy

COCHEM, DAUN = "02671 123456", "06592 123456"
TUESDAY_9 = dt.datetime(2026, 3, 10, 9, tzinfo=BERLIN)


def closed(kind: str, key: str, until_hour: int, reason: str = "Personalversammlung") -> ClosedPeriod:
    start = dt.datetime(2026, 3, 10, 8, tzinfo=BERLIN).astimezone(dt.UTC)
    end = dt.datetime(2026, 3, 10, until_hour, tzinfo=BERLIN).astimezone(dt.UTC)
    return ClosedPeriod(
        kind, key, start, end, reason, announcement="Heute ab 14 Uhr wieder erreichbar.", id=7
    )


def with_closures(policy: Policy, *periods: ClosedPeriod) -> Policy:
    return dataclasses.replace(policy, calendar=policy.calendar.with_closures(Closures(periods)))


def route(policy: Policy, called: str, caller: str, topic: str | None = None, at=TUESDAY_9) -> Decision:
    return evaluate(policy, Call(called=called, caller=caller, at=at, topic=topic), {})


def test_a_closed_115_line_goes_to_the_after_hours_target_with_the_reason(policy: Policy) -> None:
    assert route(policy, "115", COCHEM).target.id == "emh-cochem-zell"
    decision = route(with_closures(policy, closed("line", "115", 14)), "115", COCHEM)
    assert (decision.open, decision.target.id, decision.rule) == (False, "closed-115", "115-closed")
    assert "Behördennummer 115 geschlossen: Personalversammlung bis 14:00." in decision.trace
    assert any(t.endswith("Servicezeit geschlossen: Personalversammlung bis 14:00.") for t in decision.trace)
    assert decision.closure is not None
    assert decision.closure.model_dump(mode="json") == {
        "scope": "line",
        "key": "115",
        "reason": "Personalversammlung",
        "until": "2026-03-10T14:00:00+01:00",
        "announcement": "Heute ab 14 Uhr wieder erreichbar.",
    }
    switchboard = route(with_closures(policy, closed("line", "115", 14)), "+49 2671 61-0", COCHEM)
    assert (switchboard.open, switchboard.closure) == (True, None), "the switchboards stay open"


def test_the_closure_ends_on_the_minute(policy: Policy) -> None:
    closing = with_closures(policy, closed("line", "115", 14))
    assert route(closing, "115", COCHEM, at=dt.datetime(2026, 3, 10, 13, 59, tzinfo=BERLIN)).open is False
    after = route(closing, "115", COCHEM, at=dt.datetime(2026, 3, 10, 14, 0, tzinfo=BERLIN))
    assert (after.open, after.target.id, after.closure) == (True, "emh-cochem-zell", None)


def test_a_closed_county_closes_its_switchboard_and_its_callers_context(policy: Policy) -> None:
    flood = with_closures(policy, closed("county", "07135", 18, "Hochwasser"))
    switchboard = route(flood, "+49 2671 61-0", DAUN)
    assert (switchboard.open, switchboard.target.id) == (False, "closed-switchboard")
    assert "Kreis Cochem-Zell geschlossen: Hochwasser bis 18:00." in switchboard.trace
    assert route(flood, "115", COCHEM).target.id == "closed-115"
    assert route(flood, "115", DAUN).target.id == "emh-vulkaneifel", "another county's callers are served"
    assert route(flood, "+49 6592 933-0", COCHEM).open is True


def test_a_closed_unit_takes_its_department_out_of_routing(policy: Policy) -> None:
    department = route(policy, "+49 2671 61-0", DAUN, topic="kfz-zulassung")
    assert department.target.id == "kfz-zulassung-07135"
    outage = with_closures(policy, closed("unit", "kv-cochem-zell-zulassung", 12, "IT-Ausfall"))
    decision = route(outage, "+49 2671 61-0", DAUN, topic="kfz-zulassung")
    assert (decision.open, decision.target.id) == (True, "emh-cochem-zell")
    assert any(
        "Fachstelle „Kfz-Zulassung Cochem-Zell“ ist geschlossen: IT-Ausfall bis 12:00" in line
        for line in decision.trace
    ), decision.trace
    assert decision.closure is None, "the line is open; only the department is not"
