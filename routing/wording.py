"""The German words of routing: how a trace names counties, targets, rules, schedules and times.

Supervisors read a decision's trace on the routing page, so it speaks German and names things as the
rule file names them for people (county names, target names, rule titles), never by their ids. Pure
functions over the rule file's tables; the engine, the conditions and the plan word their lines here,
and the checks of a rule file (routing.validate) name rules, lines and counties with the same words.
"""

from __future__ import annotations

import datetime as dt

from knowledge.calendar import WEEKDAY_NAMES_DE, to_berlin
from knowledge.counties import short_name
from routing.models import RuleTables
from routing.origin import Origin

__all__ = [
    "LINE_NAMES",
    "closing_day_text",
    "county_name",
    "counties_text",
    "line_phrase",
    "moment",
    "origin_text",
    "pool_name",
    "rule_in_file",
    "rule_label",
    "target_name",
]


def county_name(rules: RuleTables, key: str | None) -> str:
    """A county's short name from the rule file; a county the file does not list as 'Kreis 07235'."""
    if key is None:
        return "unbekannt"
    county = rules.counties.get(key)
    return short_name(county.name) if county else f"Kreis {key}"


def counties_text(rules: RuleTables, keys: list[str], joiner: str = " oder ") -> str:
    """Several counties by name, e.g. 'Cochem-Zell oder Vulkaneifel'."""
    return joiner.join(county_name(rules, key) for key in keys)


def line_phrase(rules: RuleTables, line: str, county: str | None) -> str:
    """How a call came in: 'über die Behördennummer 115', 'über die Telefonzentrale Cochem-Zell'."""
    if line == "115":
        return "über die Behördennummer 115"
    return f"über die Telefonzentrale {county_name(rules, county)}" if county else "über eine Telefonzentrale"


LINE_NAMES = {"115": "Behördennummer 115", "switchboard": "Telefonzentralen"}
"""The two kinds of line, as a closure of a whole line names them."""

_ORIGIN_TEXTS = {
    "anonymous": "Rufnummer unterdrückt",
    "unreadable": "Rufnummer nicht lesbar",
    "invalid": "keine gültige Rufnummer",
    "mobile": "Mobilnummer, also keine Vorwahl",
    "non_geographic": "Rufnummer ohne Ortsvorwahl (z. B. 0800)",
    "no_area_code": "keine Vorwahl erkennbar",
}
PLACES_NAMED = 4
"""An area code serves up to dozens of places; the trace names the first few."""


def _places(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:PLACES_NAMED])
    rest = len(names) - PLACES_NAMED
    return f"{shown} und {rest} weitere" if rest > 0 else shown


def origin_text(rules: RuleTables, origin: Origin) -> str:
    """Where the caller is from, as far as the number tells, e.g. 'Vorwahl 02671 gehört zu Cochem-Zell
    (Cochem, Klotten)'; never more of the number than the area code."""
    area = origin.area_code
    if origin.kind == "foreign":
        return f"Anruf aus dem Ausland (+{origin.country_code})"
    if origin.kind == "unlisted":
        return f"Vorwahl {area} gehört zu keinem Ort der Kreise"
    if origin.kind in ("ambiguous", "listed"):
        served = " oder ".join(
            f"{county_name(rules, key)} ({_places(origin.places.get(key, ()))})" for key in origin.candidates
        )
        many = " mehreren Kreisen:" if origin.kind == "ambiguous" else ""
        return f"Vorwahl {area} gehört zu{many} {served}"
    return _ORIGIN_TEXTS[origin.kind]


def target_name(rules: RuleTables, target_id: str) -> str:
    """A target's name from the rule file, or its id when it has none."""
    definition = rules.targets.get(target_id)
    return (definition.name if definition else None) or target_id


def pool_name(rules: RuleTables, pool_id: str) -> str:
    """'Pool „EMH Cochem-Zell“'."""
    return f"Pool „{target_name(rules, pool_id)}“"


def rule_label(position: int, title: str | None) -> str:
    """'Regel 4 „Anrufe der 115 nach Vorwahl“', or 'Regel 4' for a rule without a title."""
    return f"Regel {position} „{title}“" if title else f"Regel {position}"


def rule_in_file(position: int, title: str | None, rule_id: object) -> str:
    """A rule as an admin finds it in the rule file: by its title like the trace, else by its id,
    'Regel 3 ‚rest‘'."""
    if title or not isinstance(rule_id, str):
        return rule_label(position, title)
    return f"Regel {position} ‚{rule_id}‘"


def moment(at: dt.datetime) -> str:
    """A time in Berlin as 'Di 10.03.2026 09:30 Uhr'."""
    local = to_berlin(at)
    return f"{WEEKDAY_NAMES_DE[local.weekday()]} {local:%d.%m.%Y %H:%M} Uhr"


def closing_day_text(day: str) -> str:
    """A closing day of the rule file as people write it: '12-24' -> '24.12.', '2026-05-15' -> '15.05.2026'."""
    if len(day) == 10:
        return f"{day[8:10]}.{day[5:7]}.{day[0:4]}"
    return f"{day[3:5]}.{day[0:2]}."
