"""Catalogue units in the rule file: targets that ring a unit's extension, departments open in its hours.

The catalogue is the one source of a department's extension and hours. The rule file names the unit
(`unit: ID` on a target); compiling a policy resolves every such target to a SIP URI (the unit's
extension in its county's `extension_uri`) and every department without its own `hours` to the unit's
opening hours, added as the schedule `unit.ID`. After resolution the rule file is self-contained, so
validation, the plan and the engine work on it unchanged; routing stays pure, the units come as data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from knowledge.calendar import WeeklyHours
from routing.errors import RuleProblem
from routing.rulefile import RuleFile, SourceMap

__all__ = ["UnitFacts", "referenced_units", "resolve_units", "unit_problems", "unit_schedule"]

_DIALABLE = re.compile(r"[0-9]{1,16}")


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """What routing needs of a catalogue unit: its county, extension and opening hours."""

    id: str
    county: str | None
    extension: str | None
    hours: WeeklyHours | None


def unit_schedule(unit_id: str) -> str:
    """The schedule name under which a unit's opening hours join a resolved rule file."""
    return f"unit.{unit_id}"


def referenced_units(rules: RuleFile) -> set[str]:
    """The ids of the catalogue units the rule file's targets ring."""
    return {target.unit for target in rules.targets.values() if target.unit is not None}


def resolve_units(
    rules: RuleFile, units: Mapping[str, UnitFacts], source: SourceMap | None = None
) -> tuple[RuleFile, list[RuleProblem]]:
    """The rule file with unit targets' URIs and unit departments' hours filled in, and every problem."""
    source = source or SourceMap()
    problems: list[RuleProblem] = []
    targets = dict(rules.targets)
    for target_id, target in rules.targets.items():
        if target.unit is None:
            continue
        uri, message = _extension_uri(rules, units.get(target.unit), target.unit)
        if message is not None:
            problems.append(source.problem(("targets", target_id, "unit"), f"Ziel {target_id}: {message}"))
        targets[target_id] = target.model_copy(update={"uri": uri})
    schedules = dict(rules.schedules)
    departments = {}
    for topic, by_county in rules.departments.items():
        resolved = {}
        for key, department in by_county.items():
            rung = rules.targets.get(department.target)
            if department.hours is None and rung is not None:
                loc = ("departments", topic, key)
                unit = units.get(rung.unit) if rung.unit is not None else None
                if rung.unit is None:
                    message = f"Ziel {department.target} nennt keine Stelle (unit), also braucht die Fachstelle hours"
                    problems.append(source.problem(loc, f"Fachstelle {topic}/{key}: {message}"))
                elif unit is not None and unit.hours is None:
                    message = f"Stelle {unit.id} hat keine Öffnungszeiten"
                    problems.append(source.problem(loc, f"Fachstelle {topic}/{key}: {message}"))
                elif unit is not None and unit.hours is not None:
                    schedules[unit_schedule(unit.id)] = unit.hours
                    department = department.model_copy(update={"hours": unit_schedule(unit.id)})
            resolved[key] = department
        departments[topic] = resolved
    update = {"targets": targets, "schedules": schedules, "departments": departments}
    return rules.model_copy(update=update), problems


def unit_problems(rules: RuleFile, unit: UnitFacts) -> list[str]:
    """What would stop the resolved rule file `rules` from compiling if `unit` became as given; checked
    before a unit edit is stored, so the catalogue and the routing in force never disagree."""
    rung = [target_id for target_id, target in rules.targets.items() if target.unit == unit.id]
    problems = []
    for target_id in rung:
        _, message = _extension_uri(rules, unit, unit.id)
        if message is not None:
            problems.append(f"Ziel {target_id}: {message}")
    for topic, by_county in rules.departments.items():
        for key, department in by_county.items():
            if unit.hours is None and department.hours == unit_schedule(unit.id):
                problems.append(f"Fachstelle {topic}/{key}: Stelle {unit.id} hat keine Öffnungszeiten")
    return problems


def _extension_uri(rules: RuleFile, unit: UnitFacts | None, unit_id: str) -> tuple[str | None, str | None]:
    """The SIP URI of a unit's extension, or the reason there is none."""
    if unit is None:
        return None, f"Stelle ‚{unit_id}‘ gibt es im Leistungsverzeichnis nicht"
    if not unit.extension:
        return None, f"Stelle {unit_id} hat keine Durchwahl"
    extension = re.sub(r"[\s-]", "", unit.extension)
    if not _DIALABLE.fullmatch(extension):
        return None, f"Stelle {unit_id}: Durchwahl ‚{unit.extension}‘ ist keine wählbare Nummer"
    if unit.county is None:
        return None, f"Stelle {unit_id} gehört zu keinem Kreis, also zu keiner extension_uri"
    county = rules.counties.get(unit.county)
    if county is None or county.extension_uri is None:
        return None, f"Stelle {unit_id}: Kreis {unit.county} hat in der Regeldatei keine extension_uri"
    return county.extension_uri.format(extension=extension), None
