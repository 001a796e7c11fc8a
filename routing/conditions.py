"""Rule conditions as data: `all`/`any`/`not` over leaf conditions, each able to say why it holds.

A condition in the rule file is a mapping with exactly one key naming its kind, e.g.
`{line: "115"}` or `{all: [{county_known: true}, {not: {open: service}}]}`. `test` returns the
verdict and a short German statement of the fact it looked at (counties and pools by name, see
`routing.wording`), which the engine writes to the trace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from knowledge.calendar import Closures
from knowledge.counties import CountyKey
from routing.models import PoolState, RuleTables
from routing.origin import Origin
from routing.wording import county_name, line_phrase, pool_name, target_name

__all__ = ["COUNTY_POOL", "CONDITION_KINDS", "Condition", "Facts", "Verdict"]

COUNTY_POOL = "$county-pool"

Verdict = tuple[bool, str]


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a condition may look at for one call, computed once per evaluation."""

    line: str
    called_county: str | None
    county: str | None
    origin: Origin
    local: dt.datetime
    closed_because: str | None
    """Why every schedule is closed now: a holiday, a closing day, or a closure of the line or county."""
    topic: str | None
    pools: Mapping[str, PoolState]
    rules: RuleTables
    closures: Closures = field(default_factory=Closures)
    """The stored closures; the line's and county's are in `closed_because`, units' are asked here."""
    _schedules: dict[str, Verdict] = field(default_factory=dict, init=False, repr=False, compare=False)

    def schedule_open(self, name: str) -> Verdict:
        """Whether the named schedule is open now, judged with holidays and closing days; once per call."""
        verdict = self._schedules.get(name)
        if verdict is None:
            verdict = self._schedules[name] = self._judge_schedule(name)
        return verdict

    def _judge_schedule(self, name: str) -> Verdict:
        hours = self.rules.schedules[name]
        if self.closed_because is not None:  # a holiday or closing day, or a closure's own sentence
            reason = self.closed_because
            return False, reason if reason.startswith("geschlossen") else f"heute geschlossen ({reason})"
        if hours.covers(self.local):
            return True, f"jetzt geöffnet ({hours.describe()})"
        return False, f"jetzt geschlossen (geöffnet {hours.describe()})"


def _county_fact(facts: Facts) -> str:
    return f"Kreis: {county_name(facts.rules, facts.county)}" if facts.county else "Kreis unbekannt"


class _Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AllOf(_Condition):
    """Holds when every member holds; an empty list always holds."""

    all: list[Condition]

    def test(self, facts: Facts) -> Verdict:
        """Verdict of the first member that fails, or of all members joined."""
        reasons = []
        for condition in self.all:
            ok, why = condition.test(facts)
            if not ok:
                return False, why
            reasons.append(why)
        return True, "; ".join(reasons) or "keine Bedingungen"


class AnyOf(_Condition):
    """Holds when at least one member holds."""

    any: list[Condition] = Field(min_length=1)

    def test(self, facts: Facts) -> Verdict:
        """Verdict of the first member that holds, or of all members joined."""
        reasons = []
        for condition in self.any:
            ok, why = condition.test(facts)
            if ok:
                return True, why
            reasons.append(why)
        return False, " und ".join(reasons)


class NotOf(_Condition):
    """Holds when its member does not; the stated fact stays the same."""

    model_config = ConfigDict(populate_by_name=True)

    negated: Condition = Field(alias="not")

    def test(self, facts: Facts) -> Verdict:
        """The member's verdict inverted."""
        ok, why = self.negated.test(facts)
        return not ok, why


class LineIs(_Condition):
    """The called line: the 115 number or a county switchboard."""

    line: Literal["115", "switchboard"]

    def test(self, facts: Facts) -> Verdict:
        """Compare the call's line."""
        return facts.line == self.line, f"Anruf {line_phrase(facts.rules, facts.line, facts.called_county)}"


class CalledCountyIn(_Condition):
    """The county whose switchboard was called (none for 115)."""

    called_county: list[CountyKey] = Field(min_length=1)

    def test(self, facts: Facts) -> Verdict:
        """Compare the called county."""
        called = county_name(facts.rules, facts.called_county) if facts.called_county else None
        why = f"angerufene Zentrale: {called}" if called else "keine Kreis-Zentrale angerufen"
        return facts.called_county in self.called_county, why


class CountyIn(_Condition):
    """The county whose context the agent answers in."""

    county: list[CountyKey] = Field(min_length=1)

    def test(self, facts: Facts) -> Verdict:
        """Compare the context county."""
        return facts.county in self.county, _county_fact(facts)


class CountyKnown(_Condition):
    """Whether the call has a county context at all."""

    county_known: bool

    def test(self, facts: Facts) -> Verdict:
        """Compare whether a county is known."""
        return (facts.county is not None) == self.county_known, _county_fact(facts)


class CallerAreaIn(_Condition):
    """The caller's area code, e.g. ["06542"]."""

    caller_area: list[Annotated[str, Field(pattern=r"^0\d{2,5}$")]] = Field(min_length=1)

    def test(self, facts: Facts) -> Verdict:
        """Compare the caller's area code."""
        area = facts.origin.area_code
        return area in self.caller_area, f"Vorwahl des Anrufers: {area}" if area else "Vorwahl unbekannt"


class CallerCountyIn(_Condition):
    """The caller's county from the area directory, member of the center or not."""

    caller_county: list[CountyKey] = Field(min_length=1)

    def test(self, facts: Facts) -> Verdict:
        """Compare the caller's county."""
        county = facts.origin.county
        why = f"Anrufer aus {county_name(facts.rules, county)}" if county else "Kreis des Anrufers unbekannt"
        return county in self.caller_county, why


class ScheduleOpen(_Condition):
    """A named schedule is open: weekly hours, RLP holidays and closing days."""

    open: str

    def test(self, facts: Facts) -> Verdict:
        """Look the schedule up in the calendar."""
        ok, why = facts.schedule_open(self.open)
        return ok, f"Zeitplan {why}"


class TopicIn(_Condition):
    """The IVR choice the caller made."""

    topic: list[str] = Field(min_length=1)

    def test(self, facts: Facts) -> Verdict:
        """Compare the call's topic."""
        return (
            facts.topic in self.topic,
            f"gewähltes Thema: {facts.topic}" if facts.topic else "kein Thema gewählt",
        )


class DepartmentOpen(_Condition):
    """The call's topic has a department in the call's county, and it is open now: in its hours, and its
    catalogue unit not closed by a stored closure."""

    department_open: bool

    def test(self, facts: Facts) -> Verdict:
        """Find the department for topic and county and check its schedule."""
        if facts.topic is None:
            return not self.department_open, "kein Thema gewählt"
        if facts.county is None:
            return not self.department_open, "Kreis unbekannt, also keine Fachstelle zum Thema"
        department = facts.rules.departments.get(facts.topic, {}).get(facts.county)
        if department is None:
            where = county_name(facts.rules, facts.county)
            return not self.department_open, f"keine Fachstelle für das Thema {facts.topic} in {where}"
        assert department.hours is not None, "a policy's departments have hours (routing.units)"
        where = f"Fachstelle „{target_name(facts.rules, department.target)}“"
        rung = facts.rules.targets.get(department.target)
        unit = rung.unit if rung is not None else None
        closure = facts.closures.find(facts.local, [("unit", unit)]) if unit is not None else None
        if closure is not None:
            return not self.department_open, f"{where} ist {closure.text(facts.local)}"
        ok, why = facts.schedule_open(department.hours)
        return ok == self.department_open, f"{where} ist {why}"


class PoolCheck(BaseModel):
    """A pool and the wait after which, with no free agent, it counts as saturated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pool: str
    longest_wait_over_s: float = Field(default=30.0, ge=0)


class PoolSaturated(_Condition):
    """A pool has no free agent and its longest wait exceeds the limit; unknown state is not saturated."""

    saturated: PoolCheck

    def test(self, facts: Facts) -> Verdict:
        """Judge the pool's live state."""
        pool_id: str | None = self.saturated.pool
        if pool_id == COUNTY_POOL:
            pool_id = facts.rules.counties[facts.county].pool if facts.county else None
        if pool_id is None:
            return False, "kein Pool des Kreises (Kreis unbekannt)"
        pool = pool_name(facts.rules, pool_id)
        state = facts.pools.get(pool_id)
        if state is None:
            return False, f"{pool} hat keinen aktuellen Stand gemeldet (gilt als nicht ausgelastet)"
        limit = self.saturated.longest_wait_over_s
        saturated = state.agents_available == 0 and state.longest_wait_s > limit
        load = (
            f"{state.agents_available} frei, längste Wartezeit {state.longest_wait_s:g} s, Grenze {limit:g} s"
        )
        return saturated, f"{pool} ist {'' if saturated else 'nicht '}ausgelastet ({load})"


_KINDS: dict[str, type[_Condition]] = {
    "all": AllOf,
    "any": AnyOf,
    "not": NotOf,
    "line": LineIs,
    "called_county": CalledCountyIn,
    "county": CountyIn,
    "county_known": CountyKnown,
    "caller_area": CallerAreaIn,
    "caller_county": CallerCountyIn,
    "open": ScheduleOpen,
    "topic": TopicIn,
    "department_open": DepartmentOpen,
    "saturated": PoolSaturated,
}
CONDITION_KINDS = tuple(_KINDS)
_TAG_OF = {cls: tag for tag, cls in _KINDS.items()}


def _kind_of(value: Any) -> str | None:
    if isinstance(value, _Condition):
        return _TAG_OF[type(value)]
    if isinstance(value, dict):
        kinds = [key for key in value if key in _KINDS]
        return kinds[0] if len(kinds) == 1 else None
    return None


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[LineIs, Tag("line")]
    | Annotated[CalledCountyIn, Tag("called_county")]
    | Annotated[CountyIn, Tag("county")]
    | Annotated[CountyKnown, Tag("county_known")]
    | Annotated[CallerAreaIn, Tag("caller_area")]
    | Annotated[CallerCountyIn, Tag("caller_county")]
    | Annotated[ScheduleOpen, Tag("open")]
    | Annotated[TopicIn, Tag("topic")]
    | Annotated[DepartmentOpen, Tag("department_open")]
    | Annotated[PoolSaturated, Tag("saturated")],
    Discriminator(
        _kind_of,
        custom_error_type="condition_kind",
        custom_error_message=f"a condition needs exactly one of the keys: {', '.join(_KINDS)}",
    ),
]

AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()
