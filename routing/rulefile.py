"""The rule file: its schema (`RuleFile`) and reading it from YAML with the line of every node.

A `RuleFile` is the tables of `routing.models.RuleTables` plus the rules, tried in order. yaml's
composer gives the node tree with marks; the data is constructed from that same tree, so a pydantic
error location such as ("rules", 3, "when", "line") maps back to the line it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from routing.conditions import Condition
from routing.errors import Problem, RuleFileError
from routing.models import Name, RuleTables

__all__ = ["Loc", "Rule", "RuleFile", "SourceMap", "parse_rule_file", "read_rule_file"]

Loc = tuple[str | int, ...]


class Rule(BaseModel):
    """One routing rule: when `when` holds (no `when`: always), send the call to `target`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Name
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

    def problem(self, loc: Iterable[str | int], message: str) -> Problem:
        """A problem located at `loc`."""
        return Problem(self.file, self.line(loc), message)


def _mark_lines(
    node: yaml.Node, path: Loc, lines: dict[Loc, int], problems: list[Problem], file: str
) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(Problem(file, key_node.start_mark.line + 1, f"duplicate key {key!r}"))
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _mark_lines(value_node, (*path, key), lines, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _mark_lines(item, (*path, index), lines, problems, file)


def _message(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def parse_rule_file(text: str, file: str) -> tuple[RuleFile, SourceMap]:
    """Parse and schema-check rule file text; raises RuleFileError with every problem and its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.SafeLoader("").construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise RuleFileError([Problem(file, line, f"not valid YAML: {exc}")]) from None
    if not isinstance(node, yaml.MappingNode):
        raise RuleFileError([Problem(file, 1, "a rule file is a YAML mapping")])
    lines: dict[Loc, int] = {}
    problems: list[Problem] = []
    _mark_lines(node, (), lines, problems, file)
    source = SourceMap(file, lines)
    try:
        rule_file = RuleFile.model_validate(data)
    except ValidationError as exc:
        problems += [source.problem(error["loc"], _message(error)) for error in exc.errors()]
    if problems:
        raise RuleFileError(problems)
    return rule_file, source


def read_rule_file(path: Path) -> tuple[RuleFile, SourceMap]:
    """Read and schema-check a rule file; raises RuleFileError, also when the file cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError([Problem(str(path), None, f"cannot read rule file: {exc}")]) from None
    return parse_rule_file(text, str(path))
