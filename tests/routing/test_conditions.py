"""Condition semantics: all/any/not, leaves, and the fact each one reports for the trace."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import TypeAdapter

from knowledge.calendar import BERLIN
from routing.conditions import Condition, Facts
from routing.models import PoolState
from routing.origin import Origin
from routing.policy import Policy

CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)


def facts(policy: Policy, **changes: Any) -> Facts:
    values: dict[str, Any] = {
        "line": "115",
        "called_county": None,
        "county": "07135",
        "origin": Origin("02671", "07135", ["07135"], "listed"),
        "local": dt.datetime(2026, 3, 10, 9, 0, tzinfo=BERLIN),
        "closed_because": None,
        "topic": None,
        "pools": {},
        "rules": policy.rule_file,
    }
    return Facts(**(values | changes))


@pytest.mark.parametrize(
    ("condition", "changes", "verdict"),
    [
        ({"all": []}, {}, (True, "keine Bedingungen")),
        ({"all": [{"line": "115"}, {"county": ["07233"]}]}, {}, (False, "Kreis: Cochem-Zell")),
        ({"any": [{"line": "switchboard"}, {"county_known": True}]}, {}, (True, "Kreis: Cochem-Zell")),
        (
            {"any": [{"line": "switchboard"}, {"topic": ["kfz"]}]},
            {},
            (False, "Anruf über die Behördennummer 115 und kein Thema gewählt"),
        ),
        ({"not": {"line": "115"}}, {}, (False, "Anruf über die Behördennummer 115")),
        (
            {"called_county": ["07135"]},
            {"line": "switchboard", "called_county": "07135"},
            (True, "angerufene Zentrale: Cochem-Zell"),
        ),
        (
            {"line": "switchboard"},
            {"line": "switchboard", "called_county": "07233"},
            (True, "Anruf über die Telefonzentrale Vulkaneifel"),
        ),
        ({"caller_area": ["06542"]}, {}, (False, "Vorwahl des Anrufers: 02671")),
        ({"caller_county": ["07135"]}, {}, (True, "Anrufer aus Cochem-Zell")),
        ({"county_known": False}, {"county": None}, (True, "Kreis unbekannt")),
        (
            {"open": "service"},
            {"closed_because": "Fronleichnam"},
            (False, "Zeitplan heute geschlossen (Fronleichnam)"),
        ),
        (
            {"open": "service"},
            {"local": dt.datetime(2026, 3, 10, 19, 0, tzinfo=BERLIN)},
            (False, "Zeitplan jetzt geschlossen (geöffnet Mo–Fr 08:00–18:00)"),
        ),
        (
            {"department_open": True},
            {"topic": "kfz-zulassung"},
            (
                True,
                "Fachstelle „Kfz-Zulassung Cochem-Zell“ ist jetzt geöffnet (Mo, Mi, Fr 07:30–12:30; "
                "Di 07:30–12:30, 13:30–16:00; Do 07:30–12:30, 13:30–18:00 (Vorsprache möglichst mit Termin; "
                "letzte Annahme 30 Minuten vor Schluss))",
            ),
        ),
        (
            {"department_open": True},
            {"topic": "hundesteuer"},
            (False, "keine Fachstelle für das Thema hundesteuer in Cochem-Zell"),
        ),
        (
            {"department_open": False},
            {"topic": "kfz-zulassung", "county": None},
            (True, "Kreis unbekannt, also keine Fachstelle zum Thema"),
        ),
    ],
)
def test_conditions_hold_or_not_and_say_which_fact_decided(
    policy: Policy, condition: dict[str, Any], changes: dict[str, Any], verdict: tuple[bool, str]
) -> None:
    assert CONDITION.validate_python(condition).test(facts(policy, **changes)) == verdict


@pytest.mark.parametrize(
    ("state", "limit", "saturated"),
    [
        (None, 30, False),
        (PoolState(agents_available=0, calls_waiting=1, longest_wait_s=30.5), 30, True),
        (PoolState(agents_available=0, calls_waiting=1, longest_wait_s=30), 30, False),
        (PoolState(agents_available=2, calls_waiting=9, longest_wait_s=300), 30, False),
        (PoolState(agents_available=0, calls_waiting=1, longest_wait_s=11), 10, True),
    ],
)
def test_a_pool_is_saturated_without_free_agents_beyond_the_wait_limit(
    policy: Policy, state: PoolState | None, limit: float, saturated: bool
) -> None:
    check = {"pool": "$county-pool", "longest_wait_over_s": limit}
    condition = CONDITION.validate_python({"saturated": check})
    pools = {"emh-cochem-zell": state} if state else {}
    ok, why = condition.test(facts(policy, pools=pools))
    assert ok is saturated
    assert why.startswith("Pool „EMH Cochem-Zell“ ")


def test_county_pool_without_a_county_is_not_saturated(policy: Policy) -> None:
    condition = CONDITION.validate_python({"saturated": {"pool": "$county-pool"}})
    assert condition.test(facts(policy, county=None)) == (False, "kein Pool des Kreises (Kreis unbekannt)")
