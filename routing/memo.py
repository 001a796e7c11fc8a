"""Decisions remembered for calls that are alike in everything routing looks at: the PBX's hot path.

A decision is a pure function of the policy, the line called, the caller's origin, the Berlin time, the
topic and the pools' current state (`routing.engine.evaluate_resolved`). Many calls share all of these, so
a `DecisionMemo` (one per policy) keeps the decision and its JSON once and hands out copies with a fresh
decision id (`Answer.renumbered`).

What a key holds, and why that is exact:
- the line (kind, county, extension) and the origin as the engine sees it (area code, county, candidates,
  kind, places, country code): never the caller's number, which the key cannot tell apart beyond its area;
- the Berlin wall-clock minute (with `fold`, which tells the two 02:30 of the autumn night apart): the
  trace names the minute, opening hours are judged on it, holidays and closures' wording on its date.
  That holds only while no boundary falls inside a minute: a policy whose opening hours are not on whole
  minutes is not memoised, and a minute with a closure starting or ending inside it is decided afresh;
- the topic;
- the pool board's version (every report taken counts it up) and the pools its snapshot still holds:
  a report going stale changes the snapshot, and with it the key.
The memo holds at most `capacity` decisions and forgets the oldest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping

from knowledge.calendar import to_berlin
from routing.decision_ids import new_decision_id
from routing.engine import evaluate_resolved
from routing.models import Answer, Call, PoolState
from routing.origin import Origin
from routing.policy import Policy

__all__ = ["DecisionMemo"]

DEFAULT_CAPACITY = 1024
"""Enough for a minute's calls that differ in area, line, topic and pools: the PBX asks about now, so the
decisions of past minutes are not asked for again (a decision is 1–3 KB, so this is a few MB at most)."""


def _on_whole_minutes(policy: Policy) -> bool:
    """Whether every opening-hours boundary of the policy's schedules lies on a whole minute."""
    return all(
        moment.second == 0 and moment.microsecond == 0
        for hours in policy.rule_file.schedules.values()
        for weekday in range(7)
        for opening in hours.ranges(weekday)
        for moment in opening
    )


def _split_minutes(policy: Policy) -> frozenset[dt.datetime]:
    """The UTC minutes with a closure's start or end inside them (not at their first instant)."""
    minutes = set()
    for period in policy.calendar.closures:
        for boundary in (period.start, period.end):
            if boundary.second or boundary.microsecond:
                minutes.add(boundary.astimezone(dt.UTC).replace(second=0, microsecond=0))
    return frozenset(minutes)


def _origin_key(origin: Origin) -> Hashable:
    return (
        origin.kind,
        origin.area_code,
        origin.county,
        tuple(origin.candidates),
        tuple(origin.places.items()),
        origin.country_code,
    )


class DecisionMemo:
    """Remembered decisions of one policy; `decide` gives what `routing.engine.evaluate` gives."""

    def __init__(self, policy: Policy, capacity: int = DEFAULT_CAPACITY) -> None:
        self.policy = policy
        self.capacity = capacity
        self._enabled = _on_whole_minutes(policy)
        self._split = _split_minutes(policy)
        self._answers: dict[Hashable, Answer] = {}

    def decide(self, call: Call, pools: Mapping[str, PoolState], pools_version: int) -> Answer:
        """Where `call` goes with the pools in `pools` (the board's snapshot at `pools_version`), with its
        JSON; a remembered decision comes back with a new id. Raises as `routing.engine.evaluate` does."""
        policy = self.policy
        line = policy.lines.identify(call.called)
        origin = policy.directory.resolve(call.caller)
        local = to_berlin(call.at)
        minute = local.replace(second=0, microsecond=0)
        if not self._enabled or (self._split and minute.astimezone(dt.UTC) in self._split):
            return Answer.of(evaluate_resolved(policy, line, origin, local, call.topic, pools))
        key = (
            line,
            _origin_key(origin),
            minute.replace(tzinfo=None),
            local.fold,
            call.topic,
            pools_version,
            tuple(pools),
        )
        remembered = self._answers.get(key)
        if remembered is not None:
            return remembered.renumbered(new_decision_id())
        answer = Answer.of(evaluate_resolved(policy, line, origin, local, call.topic, pools))
        if len(self._answers) >= self.capacity:
            del self._answers[next(iter(self._answers))]
        self._answers[key] = answer
        return answer

    def __len__(self) -> int:
        return len(self._answers)
