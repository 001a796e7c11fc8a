"""CallRouter: a new policy replaces the old in one step and keeps the live state of surviving pools;
recent decisions are kept, bounded and free of caller numbers."""

import datetime as dt
import json
from pathlib import Path

import pytest

from routing.errors import UnknownPool
from routing.models import Call, PoolState
from routing.origin import AreaDirectory
from routing.policy import build_policy, load_policy
from routing.rulefile import parse_rule_file
from servicecenter.call_router import CallRouter, RecentDecisions
from servicecenter.policy_service import demo_units

RULES = """\
version: 1
center: Test
members: ["07135"]
counties:
  "07135": {name: Cochem-Zell, greeting: Guten Tag, pool: POOL, switchboard: ["+49 2671 61-0"]}
lines:
  switchboard: {hours: always}
schedules:
  always: {mon: ["00:00-23:59"], tue: ["00:00-23:59"], wed: ["00:00-23:59"], thu: ["00:00-23:59"],
           fri: ["00:00-23:59"], sat: ["00:00-23:59"], sun: ["00:00-23:59"]}
targets:
  POOL: {kind: pool, uri: "sip:county@pbx.local", fallback: pool-all}
  pool-all: {kind: pool, uri: "sip:all@pbx.local", fallback: callback}
  callback: {kind: callback, uri: "sip:callback@pbx.local"}
rules:
  - id: county
    when: {not: {saturated: {pool: $county-pool, longest_wait_over_s: 30}}}
    target: $county-pool
  - id: shared
    when: {not: {saturated: {pool: pool-all, longest_wait_over_s: 30}}}
    target: pool-all
  - id: rest
    target: callback
"""
DIRECTORY = AreaDirectory.from_places([("02671", "07135", "Cochem")])
SATURATED = PoolState(agents_available=0, calls_waiting=9, longest_wait_s=120.0)
CALL = Call(called="+49 2671 61-0", caller=None, at=dt.datetime(2026, 11, 23, 10, 0))


def _policy(county_pool: str):
    return build_policy(parse_rule_file(RULES.replace("POOL", county_pool), "rules.yaml")[0], DIRECTORY)


def _states(router: CallRouter) -> dict[str, PoolState | None]:
    return {pool.id: pool.state for pool in router.pools()}


def test_replace_keeps_the_state_of_pools_the_new_policy_keeps() -> None:
    router = CallRouter(_policy("pool-cz"))
    router.report_pool_state("pool-cz", SATURATED)
    router.report_pool_state("pool-all", SATURATED)
    assert router.decide(CALL).decision.target.id == "callback"

    router.replace(_policy("pool-cochem"))

    states = _states(router)
    assert states["pool-all"] is not None and states["pool-all"].calls_waiting == 9
    assert states["pool-cochem"] is None
    assert "pool-cz" not in states
    assert (
        router.decide(CALL).decision.target.id == "pool-cochem"
    )  # the new county pool has no load; pool-all still has
    router.report_pool_state("pool-cochem", SATURATED)
    assert router.decide(CALL).decision.target.id == "callback"


def test_a_pool_the_new_policy_dropped_is_unknown() -> None:
    router = CallRouter(_policy("pool-cz"))
    router.replace(_policy("pool-cochem"))
    with pytest.raises(UnknownPool):
        router.report_pool_state("pool-cz", SATURATED)


EMH_RULES = Path(__file__).resolve().parents[2] / "config" / "routing" / "emh.yaml"
MONDAY_MORNING = dt.datetime.fromisoformat("2026-11-23T09:30:00+01:00")


def _router() -> CallRouter:
    return CallRouter(
        load_policy(
            EMH_RULES,
            AreaDirectory.from_places([("02671", "07135", "Cochem")]),
            demo_units(EMH_RULES.parents[1] / "catalogue"),
        )
    )


def test_decide_remembers_the_decision_by_id() -> None:
    router = _router()
    decision = router.decide(Call(called="115", caller="+49 2671 555123", at=MONDAY_MORNING)).decision
    assert router.recent.get(decision.decision_id) == decision
    assert router.recent.get("unknown") is None


def test_stored_decision_holds_no_caller_number() -> None:
    router = _router()
    decision = router.decide(Call(called="115", caller="+49 2671 555123", at=MONDAY_MORNING)).decision
    stored = json.dumps(router.recent.get(decision.decision_id).model_dump(mode="json"))
    assert "555123" not in stored
    assert "02671" in stored  # the area code is all that is kept


def test_store_forgets_the_oldest_beyond_capacity() -> None:
    router = _router()
    router.recent = RecentDecisions(capacity=3)
    ids = [router.decide(Call(called="115", at=MONDAY_MORNING)).decision.decision_id for _ in range(5)]
    assert len(router.recent) == 3
    assert [router.recent.get(i) is not None for i in ids] == [False, False, True, True, True]


def test_replacing_the_policy_keeps_recent_decisions() -> None:
    router = _router()
    decision = router.decide(Call(called="115", at=MONDAY_MORNING)).decision
    router.replace(router.policy)
    assert router.recent.get(decision.decision_id) == decision
