"""The active routing policy and the live pool state, held in memory for the route endpoint.

Routing never waits on the database: the policy and the caller-origin table are loaded at start-up,
pool state arrives from the ACD, and a new rule file replaces the policy in one reference swap. Each
decision the PBX asks for is counted in memory (`decisions`, a dictionary update); the statistics
recorder writes the counts in the background. With several instances on one PostgreSQL database the
live state (`servicecenter.live_state`) hears of every decision and pool report here and shares them.
A decision the PBX asks for comes from `routing.memo` when an alike call was decided before (same
policy, line, caller area, minute, topic and pool state); it is remembered and counted all the same.

A call to an extension in a county's number block is decided by the pure engine, which knows only the
digits (`called_extension`); who has that number — a unit, a person — is looked up here, in a table the
catalogue follower hands over from the switchboard directory (`use_numbers`), so routing never imports
the catalogue and still names the unit or person while the database is down.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping

from knowledge.calendar import to_berlin
from knowledge.directory.search import Directory
from knowledge.statistics.slots import slot_of
from knowledge.statistics.tally import Tally
from routing.engine import evaluate
from routing.memo import DecisionMemo
from routing.models import Answer, Call, Called, Decision, PoolInfo, PoolState
from routing.policy import Policy
from routing.pools import PoolBoard

__all__ = ["CallRouter", "CalledNumbers", "RecentDecisions", "called_numbers"]

CalledNumbers = Mapping[str, tuple[Called | None, Called | None]]
"""Dialled number (E.164) -> (the unit, the person) that has it."""


def called_numbers(directory: Directory) -> dict[str, tuple[Called | None, Called | None]]:
    """The directory's numbers as the decision names them; a person's own extension names their unit too."""
    table = {}
    for number, (unit, person) in directory.numbers.items():
        if unit is None and person is not None and person.unit_id is not None:
            unit = directory.get("unit", person.unit_id)
        table[number] = (
            Called(id=unit.id, name=unit.name) if unit else None,
            Called(id=person.id, name=person.name) if person else None,
        )
    return table


class RecentDecisions:
    """The last `capacity` decisions by id, so the agent console can show a call's context.

    A Decision holds no caller number (only what the area code told), so keeping it is harmless;
    the oldest entry goes when the store is full. Decisions are kept as their JSON: bytes are nothing the
    garbage collector walks, where 10,000 decisions as objects (a dozen each) made every full collection
    stop routing for tens of milliseconds. Reading one back (a screen pop) costs microseconds.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self.on_add: Callable[[Answer], None] | None = None
        """Told of every decision added, with its JSON (the shared live state writes them behind the
        request)."""

    def add(self, answer: Answer) -> None:
        """Remember `answer`'s decision, forgetting the oldest one beyond capacity."""
        self._items[answer.decision.decision_id] = answer.body
        if self.on_add is not None:
            self.on_add(answer)
        if len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def get(self, decision_id: str) -> Decision | None:
        """The decision with `decision_id`, or None when unknown or forgotten."""
        body = self._items.get(decision_id)
        return None if body is None else Decision.model_validate_json(body)

    def __len__(self) -> int:
        return len(self._items)


class CallRouter:
    """Decides calls with the current policy and the pools' live load."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._board = PoolBoard(policy.pools())
        self._memo = DecisionMemo(policy)
        self.recent = RecentDecisions()
        self.decisions = Tally()
        """(slot, line, county, target, rule, target kind, open, overflow) -> decisions, until flushed"""
        self._numbers: CalledNumbers = {}

    def use_numbers(self, numbers: CalledNumbers) -> None:
        """Name the unit or person of a dialled extension from now on (the directory changed)."""
        self._numbers = numbers

    def replace(self, policy: Policy) -> None:
        """Make `policy` active in one step; pools it keeps keep their reported state."""
        board = PoolBoard(policy.pools())
        kept = {pool.id for pool in policy.pools()}
        for pool_id, state in self._board.snapshot().items():
            if pool_id in kept:
                board.update(pool_id, state)
        self.policy, self._board, self._memo = policy, board, DecisionMemo(policy)

    def decide(self, call: Call, *, counted: bool = True) -> Answer:
        """Where `call` goes now, and why, with the answer's JSON; recorded (see `record`)."""
        answer = self.answer(call)
        self.record(call, answer, counted=counted)
        return answer

    def answer(self, call: Call) -> Answer:
        """Where `call` goes now, and why, with the answer's JSON; not recorded yet."""
        board = self._board
        return self._called(self._memo.decide(call, board.snapshot(), board.version))

    def record(self, call: Call, answer: Answer, *, counted: bool) -> None:
        """Remember `answer` in `recent` for the agent console, and count it unless it is not a call the PBX
        routes (a simulation, the console showing a call again)."""
        self.recent.add(answer)
        if counted:
            self._count(call, answer.decision)

    def simulate(self, call: Call, assumed: Mapping[str, PoolState]) -> Answer:
        """Where `call` would go if the pools in `assumed` had that load (the others as reported): the
        routing page trying overflow. Not counted, and no pool's reported state changes; remembered in
        `recent` so the console can show it."""
        answer = self._called(Answer.of(evaluate(self.policy, call, {**self._board.snapshot(), **assumed})))
        self.record(call, answer, counted=False)
        return answer

    def _called(self, answer: Answer) -> Answer:
        """The answer with the unit and person of its extension, when the directory knows them."""
        decision = answer.decision
        if decision.called_extension is None or decision.county is None:
            return answer
        number = self.policy.lines.number_of(decision.county, decision.called_extension)
        unit, person = self._numbers.get(number or "", (None, None))
        if unit is None and person is None:
            return answer
        who = ", ".join(called.name for called in (person, unit) if called is not None)
        trace = [*decision.trace, f"Durchwahl {decision.called_extension}: {who}."]
        return Answer.of(
            decision.model_copy(update={"called_unit": unit, "called_person": person, "trace": trace})
        )

    def is_overflow(self, decision: Decision) -> bool:
        """Whether `decision` sends a known county's call to a pool other than its own."""
        county = self.policy.rule_file.counties.get(decision.county) if decision.county else None
        target = decision.target
        return county is not None and target.kind == "pool" and target.id != county.pool

    def _count(self, call: Call, decision: Decision) -> None:
        """Count a decision by where it went, why, and whether it overflowed."""
        target = decision.target
        overflow = self.is_overflow(decision)
        at = call.at if call.at.tzinfo is not None else to_berlin(call.at)  # a naive time is Berlin time
        self.decisions.add(
            (
                slot_of(at.timestamp()),
                decision.line,
                decision.county or "",
                target.id,
                decision.rule,
                target.kind,
                decision.open,
                overflow,
            )
        )

    def pools(self) -> list[PoolInfo]:
        """Every pool with its current state."""
        return self._board.listing()

    def report_pool_state(self, pool_id: str, state: PoolState) -> PoolState:
        """Record the ACD's latest report for one pool, stamped now; raises UnknownPool for an id not in the
        policy."""
        return self._board.update(pool_id, state)

    def merge_pool_state(self, pool_id: str, state: PoolState) -> bool:
        """A report another instance received; taken unless the state held is as new (see PoolBoard.merge)."""
        return self._board.merge(pool_id, state)

    def reported_states(self) -> dict[str, PoolState]:
        """Every pool's last report, stale ones included (for the age of pool state in /metrics)."""
        return self._board.reported()
