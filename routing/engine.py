"""The pure routing engine: policy + call + pool states -> Decision, with a trace of every rule.

No I/O, no logging, no module state: the same inputs give the same decision (up to its random id).
Rules are tried in order and the first that matches wins. A rule whose target is symbolic
(`$county-pool`, `$department`) only matches when that target exists for the call. Rules that cannot
match the call's line or topic are not tested; the policy's plan names them in the trace instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

from knowledge.calendar import to_berlin
from routing.conditions import COUNTY_POOL, Facts
from routing.errors import NoMatchingRule
from routing.lines import Line
from routing.models import Call, Decision, PoolState, Rule, RuleFile
from routing.origin import Origin
from routing.plan import RulePlan, Skipped

if TYPE_CHECKING:
    from routing.policy import Policy

__all__ = ["DEPARTMENT", "SYMBOLIC_TARGETS", "evaluate", "resolve_target", "select_rule"]

DEPARTMENT = "$department"
SYMBOLIC_TARGETS = frozenset({COUNTY_POOL, DEPARTMENT})


def resolve_target(rules: RuleFile, ref: str, facts: Facts) -> str | None:
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
            trace.append(rule.describe(facts.line, facts.topic))
            continue
        ok, why = rule.when.test(facts) if rule.when is not None else (True, "no conditions")
        if not ok:
            trace.append(f"rule {rule.id}: no match ({why})")
            continue
        target_id = resolve_target(rules, rule.target, facts)
        if target_id is None:
            trace.append(f"rule {rule.id}: no match ({why}; but {rule.target} does not exist for this call)")
            continue
        trace.append(f"rule {rule.id}: match ({why})")
        return rule, target_id
    return None


def _context_county(policy: Policy, line: Line, origin: Origin) -> tuple[str | None, str]:
    if line.kind == "switchboard":
        return line.county, f"county {line.county} from the called switchboard"
    if origin.county is None:
        return None, "county unknown from the caller"
    if origin.county not in policy.members:
        return None, f"caller county {origin.county} is not a member of the center"
    return origin.county, f"county {origin.county} from the caller's area code"


def evaluate(policy: Policy, call: Call, pools: Mapping[str, PoolState]) -> Decision:
    """Decide where `call` goes; raises InvalidCall, UnknownLine, or NoMatchingRule."""
    rules = policy.rule_file
    line = policy.lines.identify(call.called)
    origin = policy.directory.resolve(call.caller)
    county, county_note = _context_county(policy, line, origin)
    local = to_berlin(call.at)
    facts = Facts(
        line=line.kind,
        called_county=line.county,
        county=county,
        origin=origin,
        local=local,
        closed_because=policy.calendar.closed_because(local.date()),
        topic=call.topic,
        pools=pools,
        rules=rules,
    )
    line_def = rules.lines[line.kind]
    is_open, hours_note = facts.schedule_open(line_def.hours)
    trace = [
        f"line {line.kind}" + (f" of county {line.county}" if line.county else ""),
        f"caller: {origin.reason}",
        county_note,
        f"{local:%Y-%m-%d %H:%M} Europe/Berlin, {hours_note}",
    ]
    selected = select_rule(policy.plan, facts, trace)
    if selected is None:
        raise NoMatchingRule(f"no rule matches this {line.kind} call; trace: {' | '.join(trace)}")
    rule, target_id = selected
    chain = policy.chains[target_id]
    trace.append("route: " + " -> ".join(target.id for target in chain))
    greeting = line_def.greeting or (rules.counties[county].greeting if county else None)
    return Decision(
        decision_id=uuid.uuid4().hex,
        line=line.kind,
        county=county,
        open=is_open,
        target=chain[0],
        fallbacks=list(chain[1:]),
        rule=rule.id,
        greeting=greeting,
        trace=trace,
    )
