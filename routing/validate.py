"""Checks a rule file must pass before it becomes a policy: references, shadowing, fallback loops, gaps.

Gaps are found by simulation: the week is sampled in 15-minute steps (plus a public holiday) for each
line, each county context (known per member, unknown), each topic, and pools unknown or saturated.
Only the schedules depend on the time, so each distinct combination of open schedules is evaluated once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from knowledge.calendar import BERLIN, WEEKDAY_NAMES_DE, ServiceCalendar
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
from routing.errors import RuleProblem
from routing.lines import line_table
from routing.models import PoolState
from routing.origin import Origin
from routing.plan import build_plan
from routing.rulefile import Loc, Rule, RuleFile, SourceMap
from routing.selection import SYMBOLIC_TARGETS, select_rule
from routing.wording import LINE_NAMES, county_name, line_phrase, rule_in_file

__all__ = ["check"]

STEP = dt.timedelta(minutes=15)
SLOTS_PER_DAY = 96
_FIRST_MONDAY = dt.date(2026, 1, 5)
_HOLIDAY = dt.date(2026, 12, 25)  # 1. Weihnachtstag, a Friday: a public holiday in every year's calendar

Signature = tuple[bool, ...]
Slot = tuple[str, int, Signature]


def check(rules: RuleFile, source: SourceMap | None = None, *, simulate: bool = True) -> list[RuleProblem]:
    """Every problem of a rule file whose catalogue units are resolved (`routing.units`), located by
    `source`; an empty list means it may become a policy. `simulate=False` skips the search for gaps,
    which needs every reference resolved."""
    source = source or SourceMap()
    problems = _references(rules, source) + _fallback_loops(rules, source)
    problems += _duplicates(rules, source) + _shadowed(rules, source)
    if simulate and not problems:
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


def _rule(rules: RuleFile, index: int) -> str:
    """The rule at `index` as the admin finds it: 'Regel 3 „Titel“' or 'Regel 3 ‚rest‘'."""
    rule = rules.rules[index]
    return rule_in_file(index + 1, rule.title, rule.id)


def _not_defined(what: str, name: str, table: str) -> str:
    """'Zeitplan ‚office‘ steht nicht unter schedules'."""
    return f"{what} ‚{name}‘ steht nicht unter {table}"


def _not_a_pool(name: str) -> str:
    return f"‚{name}‘ ist kein Pool unter targets"


def _references(rules: RuleFile, source: SourceMap) -> list[RuleProblem]:
    problems = []

    def need(ok: bool, loc: Loc, message: str) -> None:
        if not ok:
            problems.append(source.problem(loc, message))

    pools = {target_id for target_id, target in rules.targets.items() if target.kind == "pool"}
    for index, key in enumerate(rules.members):
        need(key in rules.counties, ("members", index), f"members: Kreis {key} steht nicht unter counties")
    for key, county in rules.counties.items():
        need(county.pool in pools, ("counties", key, "pool"), f"Kreis {key}: {_not_a_pool(county.pool)}")
    for kind, line in rules.lines.items():
        message = f"{LINE_NAMES.get(kind, kind)}: {_not_defined('Zeitplan', line.hours, 'schedules')}"
        need(line.hours in rules.schedules, ("lines", kind, "hours"), message)
    for topic, by_county in rules.departments.items():
        for key, department in by_county.items():
            loc: Loc = ("departments", topic, key)
            need(key in rules.counties, loc, f"Fachstelle {topic}: Kreis {key} steht nicht unter counties")
            target, hours = department.target, department.hours
            message = f"Fachstelle {topic}/{key}: {_not_defined('Ziel', target, 'targets')}"
            need(target in rules.targets, (*loc, "target"), message)
            if hours is not None:
                message = f"Fachstelle {topic}/{key}: {_not_defined('Zeitplan', hours, 'schedules')}"
                need(hours in rules.schedules, (*loc, "hours"), message)
    for target_id, definition in rules.targets.items():
        if definition.fallback is not None:
            message = f"Ziel {target_id}: {_not_defined('Ausweichziel', definition.fallback, 'targets')}"
            need(definition.fallback in rules.targets, ("targets", target_id, "fallback"), message)
    for index, rule in enumerate(rules.rules):
        loc = ("rules", index)
        first = next(earlier for earlier, other in enumerate(rules.rules) if other.id == rule.id)
        message = f"{_rule(rules, index)}: die id ‚{rule.id}‘ hat schon {_rule(rules, first)}"
        need(first == index, (*loc, "id"), message)
        message = f"{_rule(rules, index)}: {_not_defined('Ziel', rule.target, 'targets')}"
        need(rule.target in rules.targets or rule.target in SYMBOLIC_TARGETS, (*loc, "target"), message)
        for condition, where in _conditions(rule.when, (*loc, "when")) if rule.when else ():
            unknown = _condition_reference(rules, condition, pools)
            need(unknown is None, where, f"{_rule(rules, index)}: {unknown}")
    return problems


def _condition_reference(rules: RuleFile, condition: Condition, pools: set[str]) -> str | None:
    """What a condition refers to that the rule file does not define, if anything."""
    if isinstance(condition, ScheduleOpen) and condition.open not in rules.schedules:
        return _not_defined("Zeitplan", condition.open, "schedules")
    if isinstance(condition, PoolSaturated) and condition.saturated.pool not in pools | {COUNTY_POOL}:
        return _not_a_pool(condition.saturated.pool)
    if isinstance(condition, CountyIn | CalledCountyIn):
        keys = condition.county if isinstance(condition, CountyIn) else condition.called_county
        unknown = [key for key in keys if key not in rules.counties]
        if len(unknown) > 1:
            return f"Kreise {', '.join(unknown)} stehen nicht unter counties"
        return f"Kreis {unknown[0]} steht nicht unter counties" if unknown else None
    return None


def _fallback_loops(rules: RuleFile, source: SourceMap) -> list[RuleProblem]:
    problems = []
    for start, target in rules.targets.items():
        chain = [start]
        following = target.fallback
        while following in rules.targets and following not in chain:
            chain.append(following)
            following = rules.targets[following].fallback
        loc = ("targets", start, "fallback")
        if following == start and len(chain) == 1:
            problems.append(source.problem(loc, f"Ziel {start} fällt auf sich selbst zurück"))
        elif following == start and start == min(chain):
            loop = " → ".join([*chain, start])
            problems.append(source.problem(loc, f"Die Ausweichziele drehen sich im Kreis: {loop}"))
    return problems


def _duplicates(rules: RuleFile, source: SourceMap) -> list[RuleProblem]:
    return [source.problem(("lines",), message) for message in line_table(rules).duplicates]


def _conjuncts(rule: Rule) -> frozenset[str]:
    """The facts a rule requires: its top-level `all` members (and a symbolic target's existence)."""
    members = rule.when.all if isinstance(rule.when, AllOf) else [rule.when] if rule.when else []
    keys = {json.dumps(member.model_dump(mode="json", by_alias=True), sort_keys=True) for member in members}
    if rule.target in SYMBOLIC_TARGETS:
        keys.add(f"target exists: {rule.target}")
    return frozenset(keys)


def _shadowed(rules: RuleFile, source: SourceMap) -> list[RuleProblem]:
    problems = []
    required = [_conjuncts(rule) for rule in rules.rules]
    for later in range(len(rules.rules)):
        for earlier in range(later):
            if required[earlier] <= required[later]:
                what = "hat keine Bedingung" if not required[earlier] else "verlangt nicht mehr als sie"
                message = f"{_rule(rules, later)} wird nie erreicht: {_rule(rules, earlier)} {what} und greift vorher"
                problems.append(source.problem(("rules", later, "id"), message))
                break
    return problems


def _sample_days(calendar: ServiceCalendar) -> list[tuple[str, dt.date]]:
    """An ordinary week without holidays or closing days, then a public holiday."""
    monday = _FIRST_MONDAY
    for _ in range(53):
        week = [monday + dt.timedelta(days=offset) for offset in range(7)]
        if all(calendar.closed_because(day) is None for day in week):
            break
        monday += dt.timedelta(days=7)
    return [*zip(WEEKDAY_NAMES_DE, week, strict=True), ("Feiertag", _HOLIDAY)]


def _time_samples(
    rules: RuleFile, calendar: ServiceCalendar
) -> tuple[dict[Signature, dt.datetime], list[Slot]]:
    """One sample time per distinct combination of open schedules, and the signature of every slot."""
    samples: dict[Signature, dt.datetime] = {}
    slots: list[Slot] = []
    for label, day in _sample_days(calendar):
        ordinary = calendar.closed_because(day) is None
        for slot in range(SLOTS_PER_DAY):
            local = dt.datetime.combine(day, dt.time(), BERLIN) + slot * STEP
            signature = (ordinary, *(hours.covers(local) for hours in rules.schedules.values()))
            samples.setdefault(signature, local)
            slots.append((label, slot, signature))
    return samples, slots


def _cases(rules: RuleFile) -> Iterator[tuple[str, str | None, str | None, str, dict[str, PoolState]]]:
    """Line, county, topic and pool load combinations that every time of the week must cover."""
    busy = PoolState(agents_available=0, calls_waiting=1, longest_wait_s=1e9)
    saturated = {target_id: busy for target_id, target in rules.targets.items() if target.kind == "pool"}
    with_switchboard = [key for key in rules.members if rules.counties[key].switchboard]
    for kind in rules.lines:
        counties = with_switchboard if kind == "switchboard" else [*rules.members, None]
        for county in counties:
            for topic in [None, *rules.departments]:
                yield kind, county, topic, "Poolstand unbekannt", {}
                yield kind, county, topic, "Pools ausgelastet", saturated


def _ranges(slots: list[int]) -> str:
    """Quarter-hour slot numbers as time ranges, e.g. "00:00–08:00, 18:00–24:00"."""
    spans: list[list[int]] = []
    for slot in slots:
        if spans and spans[-1][1] == slot:
            spans[-1][1] = slot + 1
        else:
            spans.append([slot, slot + 1])

    def clock(slot: int) -> str:
        return f"{slot // 4:02d}:{slot % 4 * 15:02d}"

    return ", ".join(f"{clock(start)}–{clock(end)}" for start, end in spans)


def _gaps(rules: RuleFile, source: SourceMap) -> list[RuleProblem]:
    calendar = ServiceCalendar(list(rules.closing_days))
    samples, slots = _time_samples(rules, calendar)
    plan = build_plan(rules)
    uncovered: dict[tuple[str, str], list[str]] = {}
    for kind, county, topic, pools_label, pools in _cases(rules):
        failing = set()
        for signature, local in samples.items():
            facts = Facts(
                line=kind,
                called_county=county if kind == "switchboard" else None,
                county=county,
                origin=Origin(None, county, [county] if county else [], "listed" if county else "anonymous"),
                local=local,
                closed_because=calendar.closed_because(local.date()),
                topic=topic,
                pools=pools,
                rules=rules,
            )
            if select_rule(plan, facts, []) is None:
                failing.add(signature)
        if failing:
            by_day: dict[str, list[int]] = {}
            for label, slot, signature in slots:
                if signature in failing:
                    by_day.setdefault(label, []).append(slot)
            when = "; ".join(f"{label} {_ranges(day_slots)}" for label, day_slots in by_day.items())
            place = county_name(rules, county) if county else "Kreis unbekannt"
            case = f"{place}, {f'Thema {topic}' if topic else 'ohne Thema'}, {pools_label}"
            uncovered.setdefault((kind, when), []).append(case)
    problems = []
    for (kind, when), cases in uncovered.items():
        shown = "; ".join(cases[:4]) + (f"; und {len(cases) - 4} weitere" if len(cases) > 4 else "")
        message = f"Keine Regel greift für Anrufe {line_phrase(rules, kind, None)} am {when} ({shown})"
        problems.append(source.problem(("rules",), message))
    return problems
