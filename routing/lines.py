"""Which dialled number is which line of the center: 115 or one member county's switchboard."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from routing.errors import InvalidCall, UnknownLine
from routing.models import LineKind, RuleTables
from routing.numbers import e164, parse

__all__ = ["Line", "LineTable", "line_table"]

_KNOWN_NOTATIONS = 1024


@dataclass(frozen=True, slots=True)
class Line:
    """A line of the center; `county` is the called county of a switchboard, None for 115."""

    kind: LineKind
    county: str | None

    def __str__(self) -> str:
        return f"the {self.county} switchboard" if self.county else f"line {self.kind}"


@dataclass(frozen=True, slots=True)
class LineTable:
    """E.164 number -> line, plus descriptions of numbers listed more than once (a rule-file problem)."""

    by_number: Mapping[str, Line]
    duplicates: tuple[str, ...]
    # Notations already identified. Only the center's own numbers get in, in the few notations the
    # PBXs send, so it stays small (and holds no caller's number); parsing is most of identify's cost.
    _known: dict[str, Line] = field(default_factory=dict, init=False, repr=False, compare=False)

    def identify(self, called: str) -> Line:
        """The line for a called number in any notation; raises InvalidCall or UnknownLine."""
        line = self._known.get(called)
        if line is None:
            line = self._identify(called)
            if len(self._known) < _KNOWN_NOTATIONS:
                self._known[called] = line
        return line

    def _identify(self, called: str) -> Line:
        number = parse(called)
        if number is None:
            raise InvalidCall(f"called number is not a phone number: {called!r}")
        line = self.by_number.get(e164(number))
        if line is None:
            raise UnknownLine(f"not a line of this center: {called!r}")
        return line


def line_table(rules: RuleTables) -> LineTable:
    """Normalise the numbers of the rule file; switchboards of non-member counties are no lines."""
    entries: list[tuple[str, Line]] = []
    if "115" in rules.lines:
        entries += [(raw, Line("115", None)) for raw in rules.lines["115"].numbers]
    if "switchboard" in rules.lines:
        entries += [
            (raw, Line("switchboard", key))
            for key in rules.members
            if key in rules.counties
            for raw in rules.counties[key].switchboard
        ]
    by_number: dict[str, Line] = {}
    duplicates: list[str] = []
    for raw, line in entries:
        number = parse(raw)
        if number is None:
            continue
        key = e164(number)
        if key in by_number:
            duplicates.append(f"number {raw!r} is listed twice: for {by_number[key]} and for {line}")
        by_number[key] = line
    return LineTable(MappingProxyType(by_number), tuple(duplicates))
