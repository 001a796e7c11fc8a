"""Routing data: the call asked about, the decision returned, live pool state, and the rule file's tables.

The tables (counties, lines, schedules, targets, departments) are everything a rule's condition may look
up; `routing.rulefile.RuleFile` adds the ordered rules, whose conditions live in `routing.conditions`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

from knowledge.calendar import BERLIN, WeeklyHours, to_berlin
from knowledge.counties import CountyKey
from routing.numbers import is_valid, parse

__all__ = [
    "Answer",
    "Call",
    "Called",
    "CountyDef",
    "Decision",
    "DecisionClosure",
    "DepartmentDef",
    "LineDef",
    "LineKind",
    "Name",
    "PoolInfo",
    "PoolState",
    "RuleTables",
    "Target",
    "TargetDef",
    "TargetKind",
    "decision_json",
]

LineKind = Literal["115", "switchboard"]
TargetKind = Literal["pool", "queue", "extension", "voicemail", "announcement", "callback"]
Name = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)]
"""An id the rule file gives: a rule, target, schedule or topic."""
"""A Kreisschlüssel, e.g. "07135"."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_UNESCAPED_PLUS = re.compile(r"(\d) (\d{2}(?::?\d{2})?)$")


class Call(_Strict):
    """One call as the PBX reports it, parsed straight from its request; `at` without offset means Berlin
    time, and no `at` means now."""

    called: str = Field(min_length=1, max_length=64)
    caller: str | None = Field(default=None, max_length=64)
    at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(BERLIN))
    topic: str | None = Field(default=None, min_length=1, max_length=64)

    @field_validator("at", mode="before")
    @classmethod
    def _restore_plus(cls, value: object) -> object:
        """A PBX that puts '+01:00' unescaped into a query string sends ' 01:00'. A time without a space, as
        most PBXs send it, cannot hold that and is passed by without the costlier substitution."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        return _UNESCAPED_PLUS.sub(r"\1+\2", text) if " " in text else text

    @field_validator("at")
    @classmethod
    def _representable_in_berlin(cls, value: dt.datetime) -> dt.datetime:
        """Times at the edge of the calendar cannot be judged in Berlin time."""
        try:
            to_berlin(value)
        except OverflowError:
            raise ValueError("time out of range") from None
        return value


class Target(_Strict):
    """Where the PBX sends a call: a pool, extension, announcement, … with its SIP URI."""

    kind: TargetKind
    id: str
    uri: str


class DecisionClosure(_Strict):
    """The stored closure that closed this call's line or county: why, until when, what to announce."""

    scope: Literal["line", "county"]
    key: str = Field(description="the line (`115`, `switchboard`) or the Kreisschlüssel")
    reason: str
    until: dt.datetime
    announcement: str | None = Field(description="the text the announcement target should play, if given")


class Called(_Strict):
    """The unit or person whose extension was dialled, as the screen pop names them."""

    id: str
    name: str


class Decision(_Strict):
    """The answer to the PBX; `model_dump(mode="json")` is the body of `/api/v1/route`.

    `called_extension` is set when the called number lies in a county's number block beyond its main
    number; routing knows no units or people, so the service fills `called_unit` / `called_person` in from
    its directory (servicecenter/call_router.py)."""

    decision_id: str
    line: LineKind
    county: str | None
    open: bool
    target: Target
    fallbacks: list[Target]
    rule: str
    greeting: str | None
    trace: list[str]
    closure: DecisionClosure | None = Field(
        default=None, description="set while a stored closure closes the call's line or county"
    )
    called_extension: str | None = Field(
        default=None, description="the digits dialled after the county's number block, e.g. 50"
    )
    called_unit: Called | None = Field(default=None, description="the unit that has this extension")
    called_person: Called | None = Field(default=None, description="the person who has this extension")
    caller_area: str | None = Field(
        default=None, description="the caller's area code (Vorwahl), the most of the number ever kept"
    )


_DECISION_JSON = TypeAdapter(Decision)


def decision_json(decision: Decision) -> bytes:
    """The decision as UTF-8 JSON: the PBX's answer, and what instances share. Serialised by pydantic in one
    step through a TypeAdapter, for a fraction of `model_dump_json`, which also decodes the bytes to text."""
    return _DECISION_JSON.dump_json(decision)


_ID_FIELD = b'{"decision_id":"'
"""How `decision_json` begins: the id is the first field."""


class Answer(NamedTuple):
    """A decision with its JSON (`decision_json`), serialised once per decision: the body of the PBX's
    answer and the copy the instances share are the same bytes."""

    decision: Decision
    body: bytes

    @classmethod
    def of(cls, decision: Decision) -> Answer:
        """`decision` with its JSON."""
        return cls(decision, decision_json(decision))

    def renumbered(self, decision_id: str) -> Answer:
        """The same decision under a new id (a remembered decision handed out again). The id opens the
        JSON, so a new id of the same length is spliced into the bytes instead of serialising a decision of
        1–3 KB again; any other id (none that `new_decision_id` makes) is serialised the usual way."""
        decision = self.decision.model_copy(update={"decision_id": decision_id})
        old, new = self.decision.decision_id.encode(), decision_id.encode()
        start, end = len(_ID_FIELD), len(_ID_FIELD) + len(old)
        if len(new) != len(old) or not decision_id.isalnum() or self.body[start:end] != old:
            return Answer.of(decision)
        return Answer(decision, b"".join((_ID_FIELD, new, self.body[end:])))


class PoolState(_Strict):
    """Live load of an agent pool as reported by the ACD; drives overflow."""

    agents_available: int = Field(ge=0)
    calls_waiting: int = Field(ge=0)
    longest_wait_s: float = Field(ge=0)
    updated_at: dt.datetime | None = None


class PoolInfo(_Strict):
    """One entry of `/api/v1/pools`; `state` is null while no current state is known."""

    id: str
    name: str
    county: str | None
    state: PoolState | None


def _phone_number(raw: str) -> str:
    number = parse(raw)
    if number is None or not is_valid(number):
        raise ValueError(f"keine gültige Rufnummer: {raw!r}")
    return raw


def _number_block(raw: str) -> str:
    number = parse(raw)
    if number is None or (number.national_number or 0) < 10:
        raise ValueError(f"{raw!r} ist nicht der Anfang einer Rufnummer")
    return raw


def _closing_day(text: str) -> str:
    dt.date.fromisoformat(text if len(text) == 10 else f"2000-{text}")
    return text


PhoneNumberText = Annotated[str, AfterValidator(_phone_number)]
NumberBlock = Annotated[
    str, Field(pattern=r"^\+?[0-9][0-9 /-]*$", max_length=32), AfterValidator(_number_block)
]
"""The leading digits every number of a county PBX shares, e.g. "+49 6561 15" (country, area code, base)."""
ClosingDay = Annotated[str, Field(pattern=r"^(\d{4}-)?\d{2}-\d{2}$"), AfterValidator(_closing_day)]


class TargetDef(_Strict):
    """A routing target in the rule file; `fallback` names the target to try when this one fails.

    A target names its SIP `uri`, or the catalogue `unit` whose extension it rings: then the URI comes
    from the unit's extension and its county's `extension_uri` when the policy is compiled.
    """

    kind: TargetKind
    uri: str | None = Field(default=None, pattern=r"^sips?:")
    unit: str | None = Field(default=None, min_length=1, max_length=200)
    name: str | None = None
    fallback: str | None = None

    @model_validator(mode="after")
    def _uri_or_unit(self) -> TargetDef:
        if (self.uri is None) == (self.unit is None):
            raise ValueError("ein Ziel nennt entweder uri oder unit (genau eins von beiden)")
        return self


class CountyDef(_Strict):
    """A county: its switchboard numbers, its greeting and its agent pool."""

    name: str
    greeting: str
    pool: str
    switchboard: list[PhoneNumberText] = Field(default_factory=list)
    number_block: NumberBlock | None = Field(
        default=None,
        description="every number starting with these digits is a call to this switchboard, the rest of it "
        "the extension dialled (e.g. +49 6561 15: +49 6561 15-50 is extension 50)",
    )
    extension_uri: str | None = Field(
        default=None,
        pattern=r"^sips?:[^{}]*\{extension\}[^{}]*$",
        description="SIP URI of an extension in the county PBX, e.g. sip:{extension}@kv-cochem-zell.pbx.local",
    )


class LineDef(_Strict):
    """A line: the numbers dialled (switchboards: from the counties), its service hours and greeting."""

    hours: str
    numbers: list[PhoneNumberText] = Field(default_factory=list)
    greeting: str | None = None


class DepartmentDef(_Strict):
    """A county department that takes a topic's calls directly during its hours.

    Without `hours` (a schedule name) the hours are those of the catalogue unit its target rings.
    """

    target: str
    hours: str | None = None


class RuleTables(_Strict):
    """The named tables of a rule file that its rules refer to: everything but the rules themselves."""

    version: Literal[1]
    center: str
    members: list[CountyKey] = Field(min_length=1)
    counties: dict[CountyKey, CountyDef]
    lines: dict[LineKind, LineDef] = Field(min_length=1)
    closing_days: list[ClosingDay] = Field(default_factory=list)
    schedules: dict[Name, WeeklyHours]
    targets: dict[Name, TargetDef] = Field(min_length=1)
    departments: dict[Name, dict[CountyKey, DepartmentDef]] = Field(default_factory=dict)
