"""The active routing policy in readable German: rules as "Wenn …, dann …", targets, schedules, lines.

Built from the rule file's data (not its English comments), so what the routing view shows is what the
engine evaluates. Pure functions; the templates only lay the result out.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.counties import short_name
from routing.conditions import (
    COUNTY_POOL,
    AllOf,
    AnyOf,
    CalledCountyIn,
    CallerAreaIn,
    CallerCountyIn,
    CountyIn,
    CountyKnown,
    DepartmentOpen,
    LineIs,
    NotOf,
    PoolSaturated,
    ScheduleOpen,
    TopicIn,
)
from routing.policy import Policy
from routing.selection import DEPARTMENT
from routing.wording import closing_day_text, rule_label, target_name

__all__ = [
    "KIND_NAMES",
    "RuleText",
    "closing_days_text",
    "describe_policy",
    "schedule_texts",
    "target_name",
]

KIND_NAMES = {
    "pool": "Agentenpool",
    "queue": "Warteschlange",
    "extension": "Durchwahl",
    "voicemail": "Sprachbox",
    "announcement": "Ansage",
    "callback": "Rückruf",
}
LINE_NAMES = {"115": "die 115", "switchboard": "eine Kreis-Telefonzentrale"}


@dataclass(frozen=True)
class RuleText:
    """One rule as the routing view shows it."""

    position: int
    id: str
    label: str
    """'Regel 4 „115 an den Pool des Kreises aus der Vorwahl“', as the decision's trace names it"""
    conditions: list[str]
    """Clauses that must all hold; empty: the rule always applies."""
    target: str
    fallbacks: list[str]


def _counties(policy: Policy, keys: list[str]) -> str:
    names = [short_name(c.name) if (c := policy.rule_file.counties.get(k)) else k for k in keys]
    return " oder ".join(names)


def _pool(policy: Policy, pool: str) -> str:
    return (
        "der Pool des Kreises" if pool == COUNTY_POOL else f"der Pool „{target_name(policy.rule_file, pool)}“"
    )


def _leaf(policy: Policy, condition: object, negated: bool) -> str:
    """A leaf condition as a German clause; `negated` phrases its opposite."""
    ist = "ist nicht" if negated else "ist"
    match condition:
        case LineIs(line=line):
            return f"Anruf kommt {'nicht ' if negated else ''}über {LINE_NAMES[line]}"
        case CalledCountyIn(called_county=keys):
            return f"angerufene Zentrale {ist} {_counties(policy, keys)}"
        case CountyIn(county=keys):
            return f"Kreis des Anrufs {ist} {_counties(policy, keys)}"
        case CountyKnown(county_known=known):
            return f"Kreis des Anrufs ist {'bekannt' if known != negated else 'unbekannt'}"
        case CallerAreaIn(caller_area=codes):
            return f"Vorwahl des Anrufers {ist} {' oder '.join(codes)}"
        case CallerCountyIn(caller_county=keys):
            return f"Anrufer {'kommt nicht' if negated else 'kommt'} aus {_counties(policy, keys)}"
        case ScheduleOpen(open=name):
            hours = policy.rule_file.schedules[name].describe()
            if negated:
                return f"außerhalb der Zeiten {hours} oder an einem Feiertag oder Schließtag"
            return f"innerhalb der Zeiten {hours} und nicht an einem Feiertag oder Schließtag"
        case TopicIn(topic=topics):
            return f"gewähltes Thema {ist} {' oder '.join(topics)}"
        case DepartmentOpen(department_open=wanted):
            open_ = wanted != negated
            return f"Fachstelle zum gewählten Thema im Kreis {'ist' if open_ else 'ist nicht'} geöffnet"
        case PoolSaturated(saturated=check):
            limit = f"{check.longest_wait_over_s:g}"
            return (
                f"{_pool(policy, check.pool)} {ist} ausgelastet "
                f"(ausgelastet: kein Agent frei und längste Wartezeit über {limit} s)"
            )
    raise TypeError(f"no German text for {type(condition).__name__}")


def describe_condition(policy: Policy, condition: object, negated: bool = False) -> str:
    """The condition tree as one German sentence part."""
    match condition:
        case NotOf(negated=inner):
            return describe_condition(policy, inner, not negated)
        case AllOf(all=members) | AnyOf(any=members):
            # De Morgan keeps negations on the leaves, where they read naturally.
            joiner = " und " if isinstance(condition, AllOf) != negated else " oder "
            parts = [describe_condition(policy, m, negated) for m in members]
            parts = [
                f"({p})" if isinstance(m, AllOf | AnyOf) else p for p, m in zip(parts, members, strict=True)
            ]
            return joiner.join(parts) or ("nie" if negated else "immer")
    return _leaf(policy, condition, negated)


def _fallback_names(policy: Policy, target_ids: list[str]) -> list[str]:
    """The fallbacks shared by the targets a symbolic reference stands for; a county's own pool reads
    as "Agentenpool des Kreises", so the four counties' chains read the same."""
    county_pools = {county.pool for county in policy.rule_file.counties.values()}

    def name(target_id: str) -> str:
        return (
            "Agentenpool des Kreises"
            if target_id in county_pools
            else target_name(policy.rule_file, target_id)
        )

    tails = {tuple(name(t.id) for t in policy.chains[i][1:]) for i in target_ids}
    return list(tails.pop()) if len(tails) == 1 else []


def _target(policy: Policy, ref: str) -> tuple[str, list[str]]:
    rules = policy.rule_file
    if ref == COUNTY_POOL:
        return "Agentenpool des Kreises", _fallback_names(policy, [c.pool for c in rules.counties.values()])
    if ref == DEPARTMENT:
        ids = [d.target for by_county in rules.departments.values() for d in by_county.values()]
        return "Fachstelle des gewählten Themas im Kreis (Durchwahl)", _fallback_names(policy, ids)
    kind = KIND_NAMES.get(rules.targets[ref].kind, rules.targets[ref].kind)
    return f"{target_name(rules, ref)} ({kind})", _fallback_names(policy, [ref])


def describe_policy(policy: Policy) -> list[RuleText]:
    """Every rule in evaluation order, in German."""
    texts = []
    for position, rule in enumerate(policy.rule_file.rules, start=1):
        when = rule.when
        members = when.all if isinstance(when, AllOf) else [when] if when is not None else []
        target, fallbacks = _target(policy, rule.target)
        conditions = [describe_condition(policy, m) for m in members]
        label = rule_label(position, rule.title)
        texts.append(RuleText(position, rule.id, label, conditions, target, fallbacks))
    return texts


def schedule_texts(policy: Policy) -> list[tuple[str, str]]:
    """(what a schedule is for, its hours) for every schedule: named by the lines and departments that
    use it, not by its id; one that only rules use is 'Zeitplan „name“'."""
    rules = policy.rule_file
    users: dict[str, list[str]] = {name: [] for name in rules.schedules}
    line_names = {"115": "Behördennummer 115", "switchboard": "Telefonzentralen"}
    for kind, line in rules.lines.items():
        users[line.hours].append(line_names[kind])
    for by_county in rules.departments.values():
        for department in by_county.values():
            if department.hours is not None:
                users[department.hours].append(f"Fachstelle {target_name(rules, department.target)}")
    return [
        (", ".join(dict.fromkeys(users[name])) or f"Zeitplan „{name}“", hours.describe())
        for name, hours in rules.schedules.items()
    ]


def closing_days_text(policy: Policy) -> str:
    """The configured closing days as people write dates, e.g. '24.12., 31.12.'."""
    return ", ".join(closing_day_text(day) for day in policy.rule_file.closing_days)
