"""Which rules can match a call of a given line and topic, worked out once when a policy is built.

A rule whose condition requires another line, or a topic other than the call's, cannot match, so the
engine does not test it. The trace still accounts for every such rule: each run of them between two
tested rules becomes one trace line, e.g. "Regeln 1–499 (499 Regeln): treffen nicht zu – gelten nur für
eine andere Leitung oder ein anderes Thema (Anruf über die Telefonzentrale Vulkaneifel, gewähltes Thema:
thema-499)". Rule order is kept, so the first rule that matches is the one a test of every rule in turn
would find.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

from routing.conditions import AllOf, AnyOf, Condition, Facts, LineIs, NotOf, TopicIn
from routing.models import LineKind
from routing.rulefile import Rule, RuleFile
from routing.wording import line_phrase, rule_label

__all__ = ["RulePlan", "Scope", "Skipped", "build_plan", "scope_of"]

LINES = frozenset(get_args(LineKind))


@dataclass(frozen=True, slots=True)
class Scope:
    """The lines and topics under which a condition can hold at all; None: not restricted."""

    lines: frozenset[str] | None = None
    topics: frozenset[str] | None = None


def _meet(sets: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    restricted = [s for s in sets if s is not None]
    return frozenset.intersection(*restricted) if restricted else None


def _join(sets: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    joined: frozenset[str] = frozenset()
    for s in sets:
        if s is None:
            return None
        joined |= s
    return joined


def scope_of(condition: Condition | None) -> Scope:
    """A safe over-estimate of where `condition` can hold, read from its line and topic leaves."""
    if isinstance(condition, LineIs):
        return Scope(lines=frozenset({condition.line}))
    if isinstance(condition, TopicIn):
        return Scope(topics=frozenset(condition.topic))
    if isinstance(condition, AllOf):
        members = [scope_of(member) for member in condition.all]
        return Scope(_meet(s.lines for s in members), _meet(s.topics for s in members))
    if isinstance(condition, AnyOf):
        members = [scope_of(member) for member in condition.any]
        return Scope(_join(s.lines for s in members), _join(s.topics for s in members))
    if isinstance(condition, NotOf) and isinstance(condition.negated, LineIs):
        return Scope(lines=LINES - {condition.negated.line})
    return Scope()


_OTHER = {
    "line": "eine andere Leitung",
    "topic": "ein anderes Thema",
    "line or topic": "eine andere Leitung oder ein anderes Thema",
}


@dataclass(frozen=True, slots=True)
class Skipped:
    """A run of consecutive rules that cannot match the call's line or topic, explained in one line."""

    head: str
    """'Regel 3 „…“' or 'Regeln 2–5 (4 Regeln)'"""
    count: int
    reason: Literal["line", "topic", "line or topic"]

    def describe(self, facts: Facts) -> str:
        """The trace line for this run, stating the facts that rule it out."""
        verb = "trifft nicht zu – gilt" if self.count == 1 else "treffen nicht zu – gelten"
        stated = []
        if "line" in self.reason:
            stated.append(f"Anruf {line_phrase(facts.rules, facts.line, facts.called_county)}")
        if "topic" in self.reason:
            stated.append(f"gewähltes Thema: {facts.topic}" if facts.topic else "kein Thema gewählt")
        return f"{self.head}: {verb} nur für {_OTHER[self.reason]} ({', '.join(stated)})."


Step = Rule | Skipped


@dataclass(frozen=True, slots=True)
class RulePlan:
    """For each line and each topic named by a rule, the rules to test in order and the runs skipped."""

    rules: RuleFile
    steps: Mapping[tuple[str, str | None], tuple[Step, ...]]
    positions: Mapping[str, int]
    """rule id -> its place in the file, from 1: how the trace names a rule"""

    def for_call(self, line: str, topic: str | None) -> tuple[Step, ...]:
        """The steps for a call; a topic no rule names is planned like no topic."""
        steps = self.steps.get((line, topic))
        return steps if steps is not None else self.steps[(line, None)]


def build_plan(rules: RuleFile) -> RulePlan:
    """Plan every line x topic; the work per plan is proportional to the rules it tests."""
    scopes = [scope_of(rule.when) for rule in rules.rules]
    topics = sorted(set().union(*(s.topics for s in scopes if s.topics is not None)))
    steps: dict[tuple[str, str | None], tuple[Step, ...]] = {}
    for line in sorted(LINES):
        fits_line = [s.lines is None or line in s.lines for s in scopes]
        # other_line[i]: how many of the first i rules need another line
        other_line = [0, *itertools.accumulate(not fits for fits in fits_line)]
        any_topic = [i for i, s in enumerate(scopes) if fits_line[i] and s.topics is None]
        named: dict[str, list[int]] = {topic: [] for topic in topics}
        for i, s in enumerate(scopes):
            if fits_line[i] and s.topics is not None:
                for topic in s.topics:
                    named[topic].append(i)
        steps[(line, None)] = _steps(rules.rules, other_line, any_topic)
        for topic, tested in named.items():
            steps[(line, topic)] = _steps(rules.rules, other_line, list(heapq.merge(any_topic, tested)))
    positions = {rule.id: position for position, rule in enumerate(rules.rules, start=1)}
    return RulePlan(rules, MappingProxyType(steps), MappingProxyType(positions))


def _steps(rules: list[Rule], other_line: list[int], tested: list[int]) -> tuple[Step, ...]:
    steps: list[Step] = []
    start = 0
    for index in [*tested, len(rules)]:
        if index > start:
            steps.append(_skipped(rules, start, index, other_line[index] - other_line[start]))
        if index < len(rules):
            steps.append(rules[index])
        start = index + 1
    return tuple(steps)


def _skipped(rules: list[Rule], start: int, stop: int, by_line: int) -> Skipped:
    count = stop - start
    head = (
        rule_label(start + 1, rules[start].title)
        if count == 1
        else f"Regeln {start + 1}–{stop} ({count} Regeln)"
    )
    reason: Literal["line", "topic", "line or topic"] = (
        "line" if by_line == count else "topic" if by_line == 0 else "line or topic"
    )
    return Skipped(head, count, reason)
