"""The rule plan: rules that cannot match a call's line or topic are skipped and named; the pick stays."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter

from knowledge.calendar import BERLIN, ServiceCalendar
from routing.conditions import Condition, Facts
from routing.models import PoolState
from routing.origin import AreaDirectory, Origin
from routing.plan import Scope, Skipped, build_plan, scope_of
from routing.policy import build_policy
from routing.rulefile import RuleFile
from routing.selection import resolve_target, select_rule

CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)
BOTH = frozenset({"115", "switchboard"})


@pytest.mark.parametrize(
    ("condition", "scope"),
    [
        (None, Scope()),
        ({"line": "115"}, Scope(lines=frozenset({"115"}))),
        ({"topic": ["kfz", "hund"]}, Scope(topics=frozenset({"kfz", "hund"}))),
        ({"not": {"line": "115"}}, Scope(lines=frozenset({"switchboard"}))),
        ({"not": {"topic": ["kfz"]}}, Scope()),
        ({"not": {"all": [{"line": "115"}, {"topic": ["kfz"]}]}}, Scope()),
        ({"all": []}, Scope()),
        ({"all": [{"line": "115"}, {"topic": ["kfz"]}]}, Scope(frozenset({"115"}), frozenset({"kfz"}))),
        ({"all": [{"line": "115"}, {"line": "switchboard"}]}, Scope(lines=frozenset())),
        ({"all": [{"topic": ["a", "b"]}, {"any": [{"topic": ["b", "c"]}]}]}, Scope(topics=frozenset({"b"}))),
        ({"any": [{"line": "115"}, {"line": "switchboard"}]}, Scope(lines=BOTH)),
        ({"any": [{"line": "115"}, {"topic": ["kfz"]}]}, Scope()),
        (
            {"any": [{"topic": ["a"]}, {"all": [{"topic": ["b"]}, {"county_known": True}]}]},
            Scope(topics=frozenset({"a", "b"})),
        ),
        ({"all": [{"open": "service"}, {"county_known": True}]}, Scope()),
    ],
)
def test_scope_is_read_from_line_and_topic_leaves(condition: dict[str, Any] | None, scope: Scope) -> None:
    assert scope_of(CONDITION.validate_python(condition) if condition else None) == scope


def mixed_rules(minimal: dict[str, Any]) -> RuleFile:
    """The minimal file with rules for one line, one topic, both, neither, in front of its own three."""
    extra = [
        {"id": "sb-kfz", "when": {"all": [{"line": "switchboard"}, {"topic": ["kfz"]}]}, "target": "pool-cz"},
        {
            "id": "115-kfz-hund",
            "when": {"all": [{"line": "115"}, {"any": [{"topic": ["kfz"]}, {"topic": ["hund"]}]}]},
            "target": "callback",
        },
        {
            "id": "not-115-hund",
            "when": {"all": [{"not": {"line": "115"}}, {"topic": ["hund"]}]},
            "target": "closed",
        },
        {"id": "never-topic", "when": {"topic": ["nie"]}, "target": "pool-all"},
        {
            "id": "county-topic",
            "when": {"all": [{"topic": ["kfz"]}, {"county_known": True}]},
            "target": "$county-pool",
        },
        {
            "id": "115-or-kfz-at-night",
            "when": {"all": [{"any": [{"line": "115"}, {"topic": ["kfz"]}]}, {"not": {"open": "service"}}]},
            "target": "callback",
        },
    ]
    minimal["rules"] = extra + minimal["rules"]
    return build_policy(RuleFile.model_validate(minimal), AreaDirectory.from_places([])).rule_file


def first_match_testing_every_rule(rules: RuleFile, facts: Facts) -> str | None:
    for rule in rules.rules:
        holds = rule.when is None or rule.when.test(facts)[0]
        if holds and resolve_target(rules, rule.target, facts) is not None:
            return rule.id
    return None


def test_the_plan_picks_the_rule_that_testing_every_rule_would_pick(minimal: dict[str, Any]) -> None:
    rules = mixed_rules(minimal)
    plan = build_plan(rules)
    calendar = ServiceCalendar(list(rules.closing_days))
    saturated = {"pool-cz": PoolState(agents_available=0, calls_waiting=3, longest_wait_s=99)}
    checked = 0
    for line, topic, county, hour, pools in itertools.product(
        ["115", "switchboard"],
        [None, "kfz", "hund", "nie", "anderes"],
        ["07135", None],
        [9, 22],
        [{}, saturated],
    ):
        local = dt.datetime(2026, 3, 10, hour, tzinfo=BERLIN)
        facts = Facts(
            line=line,
            called_county=county if line == "switchboard" else None,
            county=county,
            origin=Origin(None, county, [], "listed" if county else "anonymous"),
            local=local,
            closed_because=calendar.closed_because(local.date()),
            topic=topic,
            pools=pools,
            rules=rules,
        )
        trace: list[str] = []
        selected = select_rule(plan, facts, trace)
        assert (selected[0].id if selected else None) == first_match_testing_every_rule(rules, facts)
        assert selected is not None
        # every rule before the pick is accounted for exactly once, in order
        accounted = sum(
            int(entry.split("(")[1].split()[0]) if entry.startswith("Regeln ") else 1 for entry in trace
        )
        assert accounted == [rule.id for rule in rules.rules].index(selected[0].id) + 1
        checked += 1
    assert checked == 80


TEL = "Anruf über die Telefonzentrale Cochem-Zell"
OTHER = "treffen nicht zu – gelten nur für eine andere Leitung oder ein anderes Thema"


@pytest.mark.parametrize(
    ("line", "topic", "expected"),
    [
        (
            "115",
            None,
            [
                f"Regeln 1–5 (5 Regeln): {OTHER} (Anruf über die Behördennummer 115, kein Thema gewählt).",
                "Regel 6: trifft nicht zu – Zeitplan jetzt geöffnet (Mo–Fr 08:00–18:00).",
            ],
        ),
        (
            "switchboard",
            "anderes",
            [
                f"Regeln 1–5 (5 Regeln): {OTHER} ({TEL}, gewähltes Thema: anderes).",
                f"Regel 6: trifft nicht zu – {TEL} und gewähltes Thema: anderes.",
            ],
        ),
        (
            "switchboard",
            "hund",
            [
                f"Regeln 1–2 (2 Regeln): {OTHER} ({TEL}, gewähltes Thema: hund).",
                f"Regel 3: trifft zu – {TEL}; gewähltes Thema: hund.",
            ],
        ),
        (
            "115",
            "nie",
            [
                f"Regeln 1–3 (3 Regeln): {OTHER} (Anruf über die Behördennummer 115, gewähltes Thema: nie).",
                "Regel 4: trifft zu – gewähltes Thema: nie.",
            ],
        ),
        ("switchboard", "kfz", [f"Regel 1: trifft zu – {TEL}; gewähltes Thema: kfz."]),
    ],
)
def test_skipped_rules_are_named_in_runs_with_the_facts_that_rule_them_out(
    minimal: dict[str, Any], line: str, topic: str | None, expected: list[str]
) -> None:
    rules = mixed_rules(minimal)
    facts = Facts(
        line=line,
        called_county="07135" if line == "switchboard" else None,
        county="07135",
        origin=Origin(None, "07135", ["07135"], "listed"),
        local=dt.datetime(2026, 3, 10, 9, tzinfo=BERLIN),
        closed_because=None,
        topic=topic,
        pools={},
        rules=rules,
    )
    trace: list[str] = []
    select_rule(build_plan(rules), facts, trace)
    assert trace[: len(expected)] == expected


@pytest.mark.parametrize(
    ("when", "line", "topic", "text"),
    [
        (
            {"topic": ["thema-{i}"]},
            "115",
            "thema-2",
            "Regeln 1–2 (2 Regeln): treffen nicht zu – gelten nur für ein anderes Thema (gewähltes Thema: thema-2).",
        ),
        (
            {"line": "switchboard"},
            "115",
            None,
            "Regeln 1–3 (3 Regeln): treffen nicht zu – gelten nur für eine andere Leitung "
            "(Anruf über die Behördennummer 115).",
        ),
        (
            {"all": [{"line": "115"}, {"topic": ["thema-{i}"]}]},
            "switchboard",
            "thema-1",
            f"Regeln 1–3 (3 Regeln): treffen nicht zu – gelten nur für eine andere Leitung ({TEL}).",
        ),
    ],
)
def test_a_run_ruled_out_by_one_fact_names_that_fact(
    minimal: dict[str, Any], when: dict[str, Any], line: str, topic: str | None, text: str
) -> None:
    generated = [
        {
            "id": f"r-{i}",
            "when": yaml.safe_load(yaml.safe_dump(when).replace("{i}", str(i))),
            "target": "pool-all",
        }
        for i in range(3)
    ]
    minimal["rules"] = generated + minimal["rules"]
    rules = RuleFile.model_validate(minimal)
    steps = build_plan(rules).for_call(line, topic)
    facts = Facts(
        line=line,
        called_county="07135" if line == "switchboard" else None,
        county="07135",
        origin=Origin(None, "07135", ["07135"], "listed"),
        local=dt.datetime(2026, 3, 10, 9, tzinfo=BERLIN),
        closed_because=None,
        topic=topic,
        pools={},
        rules=rules,
    )
    assert isinstance(steps[0], Skipped)
    assert steps[0].describe(facts) == text
    tested = [step.id for step in steps if not isinstance(step, Skipped)]
    assert tested == (["r-2"] if topic == "thema-2" else []) + ["closed", "county", "rest"]
