"""A loaded routing policy: the checked rule file compiled for fast, repeated evaluation.

Loading is all-or-nothing: a rule file with any problem raises RuleFileError listing all of them,
and never yields a half policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from knowledge.calendar import ServiceCalendar, WeeklyHours
from routing.errors import RuleFileError
from routing.lines import LineTable, line_table
from routing.models import LineKind, PoolInfo, Target
from routing.origin import AreaDirectory
from routing.plan import RulePlan, build_plan
from routing.rulefile import RuleFile, SourceMap, read_rule_file
from routing.units import UnitFacts, referenced_units, resolve_units
from routing.validate import check

__all__ = ["Policy", "build_policy", "load_policy"]


@dataclass(frozen=True, slots=True)
class Policy:
    """The compiled rule file with its area directory and calendar; immutable, shared by all requests."""

    rule_file: RuleFile
    source: SourceMap
    directory: AreaDirectory
    calendar: ServiceCalendar
    lines: LineTable
    members: frozenset[str]
    chains: Mapping[str, tuple[Target, ...]]
    plan: RulePlan
    units: Mapping[str, UnitFacts]
    """The catalogue units the rule file refers to, as they were when it was compiled."""

    def line_hours(self, line: LineKind) -> WeeklyHours:
        """The weekly service hours of a line (holidays and closing days are in `calendar`); KeyError if
        the policy has no such line."""
        return self.rule_file.schedules[self.rule_file.lines[line].hours]

    def pools(self) -> list[PoolInfo]:
        """The pools of this policy, with their county, for `/api/v1/pools` (state filled in by PoolBoard)."""
        county_of = {county.pool: key for key, county in self.rule_file.counties.items()}
        return [
            PoolInfo(id=target_id, name=target.name or target_id, county=county_of.get(target_id), state=None)
            for target_id, target in self.rule_file.targets.items()
            if target.kind == "pool"
        ]


def _chains(rules: RuleFile) -> dict[str, tuple[Target, ...]]:
    chains = {}
    for start in rules.targets:
        chain: list[Target] = []
        target_id: str | None = start
        while target_id is not None and all(t.id != target_id for t in chain):
            definition = rules.targets[target_id]
            assert definition.uri is not None, "unit targets are resolved before chains are built"
            chain.append(Target(kind=definition.kind, id=target_id, uri=definition.uri))
            target_id = definition.fallback
        chains[start] = tuple(chain)
    return chains


def build_policy(
    rules: RuleFile,
    directory: AreaDirectory,
    source: SourceMap | None = None,
    units: Mapping[str, UnitFacts] | None = None,
) -> Policy:
    """Check and compile a parsed rule file with the catalogue units it refers to (see `routing.units`);
    raises RuleFileError with every problem found."""
    source = source or SourceMap()
    units = units or {}
    rules, problems = resolve_units(rules, units, source)
    problems += check(rules, source, simulate=not problems)
    if problems:
        raise RuleFileError(problems)
    return Policy(
        rule_file=rules,
        source=source,
        directory=directory,
        calendar=ServiceCalendar(list(rules.closing_days)),
        lines=line_table(rules),
        members=frozenset(rules.members),
        chains=MappingProxyType(_chains(rules)),
        plan=build_plan(rules),
        units=MappingProxyType({key: units[key] for key in referenced_units(rules) if key in units}),
    )


def load_policy(path: Path, directory: AreaDirectory, units: Mapping[str, UnitFacts] | None = None) -> Policy:
    """Read, check and compile the rule file at `path`; raises RuleFileError with every problem found."""
    rules, source = read_rule_file(path)
    return build_policy(rules, directory, source, units)
