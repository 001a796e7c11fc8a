"""The rule file: its schema (`RuleFile`) and reading it from YAML with the line of every node.

A `RuleFile` is the tables of `routing.models.RuleTables` plus the rules, tried in order. yaml's
composer gives the node tree with marks; the data is constructed from that same tree, so a pydantic
error location such as ("rules", 3, "when", "line") maps back to the line it came from.

A rule file comes from an admin over HTTP, so reading it is bounded before anything expands it: at most
MAX_TEXT_CHARS characters, nesting at most MAX_DEPTH deep, and at most MAX_NODES nodes with every alias
counted as what it stands for — nine lines of aliases ("billion laughs") would otherwise expand to
billions of nodes, and an alias that contains itself would never end. Each limit is a RuleFileError
naming it. Parsing is CPU work: the service runs it off the event loop (servicecenter/policy_service.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from routing.conditions import Condition
from routing.errors import RuleFileError, RuleProblem
from routing.models import Name, RuleTables
from routing.schema_messages import german_schema_message, yaml_keys, yaml_place

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_TEXT_CHARS",
    "Loc",
    "Rule",
    "RuleFile",
    "SourceMap",
    "parse_rule_file",
    "read_rule_file",
]

Loc = tuple[str | int, ...]

MAX_TEXT_CHARS = 200_000
"""The EMH rule file has 8,000 characters; reading 200,000 takes a few seconds of one core at most."""
MAX_DEPTH = 32
"""The EMH rule file nests 7 levels."""
MAX_NODES = 50_000
"""Nodes after expanding aliases; the EMH rule file has about 1,500."""


def _number(count: int) -> str:
    """A count as German text writes it: 200.000."""
    return f"{count:,}".replace(",", ".")


def _too_deep() -> str:
    return f"tiefer als {MAX_DEPTH} Ebenen verschachtelt"


class _LimitExceeded(Exception):
    """A rule file beyond one of the limits; `line` where it was noticed."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line


class _BoundedLoader(yaml.SafeLoader):
    """yaml's safe loader with depth limits: on flow collections while scanning (the scanner rechecks
    every open `[` or `{` at every token, so 10,000 of them took seconds) and on composing (the composer
    recurses once per level)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def fetch_flow_collection_start(self, TokenClass: type) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise _LimitExceeded(self.get_mark().line + 1, _too_deep())
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise _LimitExceeded(line, _too_deep())
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: yaml.Node) -> None:
    """_LimitExceeded when aliases make the document refer to itself or expand beyond MAX_NODES nodes.

    Each distinct node is visited once (sizes are remembered), so a bomb costs as little as its text."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    pending: list[tuple[yaml.Node, bool]] = [(root, False)]
    while pending:
        node, finished = pending.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_NODES:
                raise _LimitExceeded(
                    node.start_mark.line + 1, f"die Aliase ergeben mehr als {_number(MAX_NODES)} Knoten"
                )
        elif key in open_nodes:
            raise _LimitExceeded(
                node.start_mark.line + 1, "ein Alias verweist auf einen Knoten, der ihn enthält"
            )
        elif key not in sizes:
            open_nodes.add(key)
            pending.append((node, True))
            pending += [(child, False) for child in _children(node)]


class Rule(BaseModel):
    """One routing rule: when `when` holds (no `when`: always), send the call to `target`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Name
    title: str | None = Field(
        default=None, min_length=1, max_length=120, description="a short German title for the routing page"
    )
    description: str | None = None
    when: Condition | None = None
    target: str


class RuleFile(RuleTables):
    """The whole routing policy as written in YAML (see config/routing/emh.yaml)."""

    rules: list[Rule] = Field(min_length=1)


@dataclass(frozen=True)
class SourceMap:
    """Line numbers (1-based) of the nodes of one rule file, by path from the document root."""

    file: str | None = None
    lines: Mapping[Loc, int] = field(default_factory=dict)

    def line(self, loc: Iterable[str | int]) -> int | None:
        """Line of the deepest node along `loc`; parts that are no node (pydantic union tags) are skipped."""
        path: Loc = ()
        found = self.lines.get(path)
        for part in loc:
            for candidate in (part, str(part)):
                if (*path, candidate) in self.lines:
                    path = (*path, candidate)
                    found = self.lines[path]
                    break
        return found

    def problem(self, loc: Iterable[str | int], message: str) -> RuleProblem:
        """A problem located at `loc`."""
        return RuleProblem(self.file, self.line(loc), message)


def _mark_lines(
    node: yaml.Node, path: Loc, lines: dict[Loc, int], problems: list[RuleProblem], file: str
) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                where = f"{yaml_keys(path)}: " if path else ""
                message = f"{where}Schlüssel ‚{key}‘ kommt doppelt vor"
                problems.append(RuleProblem(file, key_node.start_mark.line + 1, message))
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _mark_lines(value_node, (*path, key), lines, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _mark_lines(item, (*path, index), lines, problems, file)


def _message(error: Mapping[str, Any], source: SourceMap, data: object) -> str:
    """A schema error in German, after the place it is at (routing.schema_messages)."""
    where = yaml_place(tuple(error["loc"]), source.lines.keys(), data)
    message = german_schema_message(error)
    return f"{where}: {message}" if where else message


def _yaml_error(exc: yaml.YAMLError) -> str:
    """A YAML syntax error in German framing, with its line and column; the parser's detail as it is."""
    mark = getattr(exc, "problem_mark", None)
    detail = ", ".join(
        str(part) for part in (getattr(exc, "context", None), getattr(exc, "problem", None)) if part
    )
    if mark is None:
        return f"YAML-Fehler: {detail or exc}"
    return f"YAML-Fehler in Zeile {mark.line + 1}, Spalte {mark.column + 1}: {detail or exc}"


def parse_rule_file(text: str, file: str) -> tuple[RuleFile, SourceMap]:
    """Parse and schema-check rule file text; raises RuleFileError with every problem and its line."""
    if len(text) > MAX_TEXT_CHARS:
        message = f"Die Regeldatei ist länger als {_number(MAX_TEXT_CHARS)} Zeichen"
        raise RuleFileError([RuleProblem(file, None, message)])
    try:
        loader = _BoundedLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        if node is not None:
            _check_expansion(node)
        data = yaml.SafeLoader("").construct_document(node) if node is not None else None
    except _LimitExceeded as exc:
        raise RuleFileError([RuleProblem(file, exc.line, f"Nicht angenommen: {exc}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise RuleFileError([RuleProblem(file, line, _yaml_error(exc))]) from None
    if not isinstance(node, yaml.MappingNode):
        message = "Eine Regeldatei ist eine YAML-Zuordnung (Schlüssel: Wert), z. B. „version: 1“"
        raise RuleFileError([RuleProblem(file, 1, message)])
    lines: dict[Loc, int] = {}
    problems: list[RuleProblem] = []
    _mark_lines(node, (), lines, problems, file)
    source = SourceMap(file, lines)
    try:
        rule_file = RuleFile.model_validate(data)
    except ValidationError as exc:
        problems += [source.problem(error["loc"], _message(error, source, data)) for error in exc.errors()]
    if problems:
        raise RuleFileError(problems)
    return rule_file, source


def read_rule_file(path: Path) -> tuple[RuleFile, SourceMap]:
    """Read and schema-check a rule file; raises RuleFileError, also when the file cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError([RuleProblem(str(path), None, f"Regeldatei nicht lesbar: {exc}")]) from None
    return parse_rule_file(text, str(path))
