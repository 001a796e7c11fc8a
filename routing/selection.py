"""Choosing the rule for a call: the first rule of the plan that matches and whose target exists.

Shared by the engine, which decides calls, and by validation, which simulates the week to find gaps;
so both agree on what matches. A rule whose target is symbolic (`$county-pool`, `$department`) only
matches when that target exists for the call.
"""

from __future__ import annotations

from routing.conditions import COUNTY_POOL, Facts
from routing.models import RuleTables
from routing.plan import RulePlan, Skipped
from routing.rulefile import Rule
from routing.wording import rule_label

__all__ = ["DEPARTMENT", "SYMBOLIC_TARGETS", "resolve_target", "select_rule"]

DEPARTMENT = "$department"
SYMBOLIC_TARGETS = frozenset({COUNTY_POOL, DEPARTMENT})
_MISSING = {COUNTY_POOL: "keinen Pool des Kreises", DEPARTMENT: "keine Fachstelle zum Thema im Kreis"}


def resolve_target(rules: RuleTables, ref: str, facts: Facts) -> str | None:
    """The target id a rule's target reference stands for in this call; None if there is none."""
    if ref == COUNTY_POOL:
        return rules.counties[facts.county].pool if facts.county else None
    if ref == DEPARTMENT:
        if facts.topic is None or facts.county is None:
            return None
        department = rules.departments.get(facts.topic, {}).get(facts.county)
        return department.target if department else None
    return ref


def select_rule(plan: RulePlan, facts: Facts, trace: list[str]) -> tuple[Rule, str] | None:
    """The first rule that matches and its target id, appending one trace line per rule or run skipped."""
    rules = plan.rules
    for rule in plan.for_call(facts.line, facts.topic):
        if isinstance(rule, Skipped):  # a run of rules for another line or topic, not tested
            trace.append(rule.describe(facts))
            continue
        label = rule_label(plan.positions[rule.id], rule.title)
        ok, why = rule.when.test(facts) if rule.when is not None else (True, "gilt immer")
        if not ok:
            trace.append(f"{label}: trifft nicht zu – {why}.")
            continue
        target_id = resolve_target(rules, rule.target, facts)
        if target_id is None:
            missing = _MISSING[rule.target]
            trace.append(f"{label}: trifft nicht zu – {why}; aber für diesen Anruf gibt es {missing}.")
            continue
        trace.append(f"{label}: trifft zu – {why}.")
        return rule, target_id
    return None
