"""Checks a rule file must pass before it becomes a policy: references, shadowing, fallback loops, gaps.

Gaps are found by simulation: the week is sampled in 15-minute steps (plus a public holiday) for each
line, each county context (known per member, unknown), each topic, and pools unknown or saturated.
Only the schedules depend on the time, so each distinct combination of open schedules is evaluated once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from routing.calendar import BERLIN, WEEKDAY_NAMES_DE, ServiceCalendar
from routing.conditions import (
    COUNTY_POOL,
    AllOf,
    AnyOf,
    CalledCountyIn,
    Condition,
    CountyIn,
    Facts,
    NotOf,
    PoolSaturated,
    ScheduleOpen,
)
from routing.engine import SYMBOLIC_TARGETS, select_rule
from routing.errors import Problem
from routing.lines import line_table
from routing.models import PoolState, Rule, RuleFile
from routing.origin import Origin
from routing.rulefile import Loc, SourceMap

if TYPE_CHECKING:
    from routing.policy import Policy

__all__ = ["check"]

STEP = dt.timedelta(minutes=15)
SLOTS_PER_DAY = 96
_FIRST_MONDAY = dt.date(2026, 1, 5)
_HOLIDAY = dt.date(2026, 12, 25)  # 1. Weihnachtstag, a Friday: a public holiday in every year's calendar


def check(subject: Policy | RuleFile, source: SourceMap | None = None) -> list[Problem]:
    """Every problem of a policy or parsed rule file; an empty list means it may be loaded."""
    if isinstance(subject, RuleFile):
        rules, source = subject, source or SourceMap()
    else:
        rules, source = subject.rule_file, subject.source
    problems = _references(rules, source) + _fallback_loops(rules, source)
    problems += _duplicates(rules, source) + _shadowed(rules, source)
    if not problems:
        problems += _gaps(rules, source)
    return problems


def _conditions(condition: Condition, loc: Loc) -> Iterator[tuple[Condition, Loc]]:
    yield condition, loc
    if isinstance(condition, AllOf):
        for index, member in enumerate(condition.all):
            yield from _conditions(member, (*loc, "all", index))
    elif isinstance(condition, AnyOf):
        for index, member in enumerate(condition.any):
            yield from _conditions(member, (*loc, "any", index))
    elif isinstance(condition, NotOf):
        yield from _conditions(condition.negated, (*loc, "not"))


def _references(rules: RuleFile, source: SourceMap) -> list[Problem]:
    problems = []

    def need(ok: bool, loc: Loc, message: str) -> None:
        if not ok:
            problems.append(source.problem(loc, message))

    pools = {target_id for target_id, target in rules.targets.items() if target.kind == "pool"}
    for index, key in enumerate(rules.members):
        need(key in rules.counties, ("members", index), f"member {key} is not in counties")
    for key, county in rules.counties.items():
        need(county.pool in pools, ("counties", key, "pool"), f"county {key}: unknown pool {county.pool!r}")
    for kind, line in rules.lines.items():
        need(line.hours in rules.schedules, ("lines", kind, "hours"), f"line {kind}: unknown schedule {line.hours!r}")
    for topic, by_county in rules.departments.items():
        for key, department in by_county.items():
            loc = ("departments", topic, key)
            need(key in rules.counties, loc, f"department {topic}: unknown county {key}")
            need(department.target in rules.targets, (*loc, "target"), f"unknown target {department.target!r}")
            need(department.hours in rules.schedules, (*loc, "hours"), f"unknown schedule {department.hours!r}")
    for target_id, target in rules.targets.items():
        if target.fallback is not None:
            need(
                target.fallback in rules.targets,
                ("targets", target_id, "fallback"),
                f"target {target_id}: unknown fallback target {target.fallback!r}",
            )
    seen_ids: set[str] = set()
    for index, rule in enumerate(rules.rules):
        loc = ("rules", index)
        need(rule.id not in seen_ids, (*loc, "id"), f"rule id {rule.id!r} is used twice")
        seen_ids.add(rule.id)
        need(
            rule.target in rules.targets or rule.target in SYMBOLIC_TARGETS,
            (*loc, "target"),
            f"rule {rule.id}: unknown target {rule.target!r}",
        )
        if rule.when is not None:
            for condition, where in _conditions(rule.when, (*loc, "when")):
                problems += _condition_references(rules, source, rule, condition, where, pools)
    return problems


def _condition_references(
    rules: RuleFile, source: SourceMap, rule: Rule, condition: Condition, loc: Loc, pools: set[str]
) -> list[Problem]:
    if isinstance(condition, ScheduleOpen) and condition.open not in rules.schedules:
        return [source.problem(loc, f"rule {rule.id}: unknown schedule {condition.open!r}")]
    if isinstance(condition, PoolSaturated) and condition.saturated.pool not in pools | {COUNTY_POOL}:
        return [source.problem(loc, f"rule {rule.id}: unknown pool {condition.saturated.pool!r}")]
    if isinstance(condition, CountyIn | CalledCountyIn):
        keys = condition.county if isinstance(condition, CountyIn) else condition.called_county
        return [source.problem(loc, f"rule {rule.id}: unknown county {key}") for key in keys if key not in rules.counties]
    return []


def _fallback_loops(rules: RuleFile, source: SourceMap) -> list[Problem]:
    problems = []
    for start, target in rules.targets.items():
        chain = [start]
        following = target.fallback
        while following in rules.targets and following not in chain:
            chain.append(following)
            following = rules.targets[following].fallback
        if following == start:
            loop = " -> ".join([*chain, start])
            if len(chain) == 1:
                problems.append(source.problem(("targets", start, "fallback"), f"target {start} falls back to itself"))
            elif start == min(chain):
                problems.append(source.problem(("targets", start, "fallback"), f"fallback chain loops: {loop}"))
    return problems


def _duplicates(rules: RuleFile, source: SourceMap) -> list[Problem]:
    return [source.problem(("lines",), f"number {raw!r} is listed twice") for raw in line_table(rules).duplicates]


def _conjuncts(rule: Rule) -> frozenset[str]:
    """The facts a rule requires: its top-level `all` members (and a symbolic target's existence)."""
    members = rule.when.all if isinstance(rule.when, AllOf) else [rule.when] if rule.when else []
    keys = {json.dumps(member.model_dump(mode="json", by_alias=True), sort_keys=True) for member in members}
    if rule.target in SYMBOLIC_TARGETS:
        keys.add(f"target exists: {rule.target}")
    return frozenset(keys)


def _shadowed(rules: RuleFile, source: SourceMap) -> list[Problem]:
    problems = []
    required = [_conjuncts(rule) for rule in rules.rules]
    for later in range(len(rules.rules)):
        for earlier in range(later):
            if required[earlier] <= required[later]:
                what = "has no conditions" if not required[earlier] else "requires nothing more"
                problems.append(
                    source.problem(
                        ("rules", later, "id"),
                        f"rule {rules.rules[later].id} is never reached: "
                        f"earlier rule {rules.rules[earlier].id} {what} and matches first",
                    )
                )
                break
    return problems


def _sample_days(calendar: ServiceCalendar) -> list[tuple[str, dt.date]]:
    monday = _FIRST_MONDAY
    for _ in range(53):
        week = [monday + dt.timedelta(days=offset) for offset in range(7)]
        if all(calendar.closed_because(day) is None for day in week):
            break
        monday += dt.timedelta(days=7)
    return [*zip(WEEKDAY_NAMES_DE, week), ("Feiertag", _HOLIDAY)]


def _ranges(slots: list[int]) -> str:
    spans: list[tuple[int, int]] = []
    for slot in slots:
        if spans and spans[-1][1] == slot:
            spans[-1] = (spans[-1][0], slot + 1)
        else:
            spans.append((slot, slot + 1))

    def clock(slot: int) -> str:
        minutes = slot * 15
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    return ", ".join(f"{clock(start)}–{clock(end)}" for start, end in spans)


def _gaps(rules: RuleFile, source: SourceMap) -> list[Problem]:
    calendar = ServiceCalendar(list(rules.closing_days))
    schedules = list(rules.schedules.items())
    samples: dict[tuple[bool, ...], dt.datetime] = {}
    slot_keys: list[tuple[str, int, tuple[bool, ...]]] = []
    for label, day in _sample_days(calendar):
        closed = calendar.closed_because(day)
        for slot in range(SLOTS_PER_DAY):
            local = dt.datetime.combine(day, dt.time(), BERLIN) + slot * STEP
            key = (closed is None, *(hours.covers(local) for _, hours in schedules))
            samples.setdefault(key, local)
            slot_keys.append((label, slot, key))

    pool_ids = [target_id for target_id, target in rules.targets.items() if target.kind == "pool"]
    saturated = {pool_id: PoolState(agents_available=0, calls_waiting=1, longest_wait_s=1e9) for pool_id in pool_ids}
    switchboard_counties = [key for key in rules.members if key in rules.counties and rules.counties[key].switchboard]
    problems = []
    for kind in rules.lines:
        counties: list[str | None] = list(switchboard_counties) if kind == "switchboard" else [*rules.members, None]
        uncovered: dict[str, list[str]] = {}
        for county in counties:
            for topic in [None, *rules.departments]:
                for pools_label, pools in (("pools unknown", {}), ("pools saturated", saturated)):
                    failing = set()
                    for key, local in samples.items():
                        facts = Facts(
                            line=kind,
                            called_county=county if kind == "switchboard" else None,
                            county=county,
                            origin=Origin(None, county, [county] if county else [], "validation sample"),
                            local=local,
                            closed_because=calendar.closed_because(local.date()),
                            topic=topic,
                            pools=pools,
                            rules=rules,
                        )
                        if select_rule(rules, facts, []) is None:
                            failing.add(key)
                    if failing:
                        by_day: dict[str, list[int]] = {}
                        for label, slot, key in slot_keys:
                            if key in failing:
                                by_day.setdefault(label, []).append(slot)
                        when = "; ".join(f"{label} {_ranges(slots)}" for label, slots in by_day.items())
                        case = f"county {county or 'unknown'}, topic {topic or 'none'}, {pools_label}"
                        uncovered.setdefault(when, []).append(case)
        for when, cases in uncovered.items():
            shown = "; ".join(cases[:3]) + (f"; and {len(cases) - 3} more" if len(cases) > 3 else "")
            problems.append(source.problem(("rules",), f"no rule matches line {kind} at {when} ({shown})"))
    return problems
