"""Which dialled number is which line of the center: 115 or one member county's switchboard.

A switchboard line owns its county's number block (`number_block` in the rule file, e.g. "+49 6561 15"):
a call to any number starting with those digits is that county's switchboard call, and the digits after
the block are the extension dialled (a call forwarded from a direct extension, +49 6561 15-50, is
extension 50). The numbers listed for a line are matched first, so a main number is never an extension.
"""

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
    """A line of the center; `county` is the called county of a switchboard, None for 115; `extension`
    the digits dialled within the county's number block, None for a line's own number."""

    kind: LineKind
    county: str | None
    extension: str | None = None

    def __str__(self) -> str:
        return f"die Telefonzentrale von Kreis {self.county}" if self.county else "die Behördennummer 115"


@dataclass(frozen=True, slots=True)
class LineTable:
    """E.164 number -> line, number blocks (E.164 prefix -> county), and the rule-file problems found
    building them (numbers listed twice, blocks that overlap or take in another line's number)."""

    by_number: Mapping[str, Line]
    duplicates: tuple[str, ...]
    blocks: Mapping[str, str] = field(default_factory=dict)
    """County -> the E.164 prefix of its number block."""
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
        key = e164(number)
        line = self.by_number.get(key)
        if line is not None:
            return line
        for county, prefix in self.blocks.items():
            if key.startswith(prefix):
                return Line("switchboard", county, key[len(prefix) :] or None)
        raise UnknownLine(f"not a line of this center: {called!r}")

    def number_of(self, county: str, extension: str) -> str | None:
        """The E.164 number of `extension` in `county`'s number block, or None without a block."""
        prefix = self.blocks.get(county)
        return prefix + extension if prefix is not None else None


def _blocks(rules: RuleTables, by_number: Mapping[str, Line]) -> tuple[dict[str, str], list[str]]:
    """The number blocks of the member counties with a switchboard line, and what is wrong with them."""
    blocks: dict[str, str] = {}
    problems: list[str] = []
    if "switchboard" not in rules.lines:
        return blocks, problems
    for key in rules.members:
        county = rules.counties.get(key)
        number = parse(county.number_block) if county is not None and county.number_block else None
        if number is not None:
            blocks[key] = e164(number)
    ordered = sorted(blocks.items(), key=lambda item: item[1])
    for (first, prefix), (second, other) in zip(ordered, ordered[1:], strict=False):
        if other.startswith(prefix):
            problems.append(
                f"Die Nummernblöcke von Kreis {first} ({prefix}…) und Kreis {second} ({other}…) "
                "überschneiden sich"
            )
    for listed, line in by_number.items():
        for key, prefix in blocks.items():
            if listed.startswith(prefix) and line.county != key:
                problems.append(f"Die Nummer {listed} ({line}) liegt im Nummernblock von Kreis {key}")
    return blocks, problems


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
            duplicates.append(f"Die Nummer ‚{raw}‘ steht doppelt da: für {by_number[key]} und für {line}")
        by_number[key] = line
    blocks, problems = _blocks(rules, by_number)
    return LineTable(MappingProxyType(by_number), (*duplicates, *problems), MappingProxyType(blocks))
