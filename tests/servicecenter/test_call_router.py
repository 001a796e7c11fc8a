"""The call router's store of recent decisions: bounded, and free of caller numbers."""

import datetime as dt
import json
from pathlib import Path

from routing.models import Call
from routing.origin import AreaDirectory
from servicecenter.call_router import CallRouter, RecentDecisions

EMH_RULES = Path(__file__).resolve().parents[2] / "config" / "routing" / "emh.yaml"
MONDAY_MORNING = dt.datetime.fromisoformat("2026-11-23T09:30:00+01:00")


def _router() -> CallRouter:
    return CallRouter.load(EMH_RULES, AreaDirectory.from_places([("02671", "07135", "Cochem")]))


def test_decide_remembers_the_decision_by_id() -> None:
    router = _router()
    decision = router.decide(Call(called="115", caller="+49 2671 555123", at=MONDAY_MORNING))
    assert router.recent.get(decision.decision_id) == decision
    assert router.recent.get("unknown") is None


def test_stored_decision_holds_no_caller_number() -> None:
    router = _router()
    decision = router.decide(Call(called="115", caller="+49 2671 555123", at=MONDAY_MORNING))
    stored = json.dumps(router.recent.get(decision.decision_id).model_dump(mode="json"))
    assert "555123" not in stored
    assert "02671" in stored  # the area code is all that is kept


def test_store_forgets_the_oldest_beyond_capacity() -> None:
    router = _router()
    router.recent = RecentDecisions(capacity=3)
    ids = [router.decide(Call(called="115", at=MONDAY_MORNING)).decision_id for _ in range(5)]
    assert len(router.recent) == 3
    assert [router.recent.get(i) is not None for i in ids] == [False, False, True, True, True]


def test_replacing_the_policy_keeps_recent_decisions() -> None:
    router = _router()
    decision = router.decide(Call(called="115", at=MONDAY_MORNING))
    router.replace(router.policy)
    assert router.recent.get(decision.decision_id) == decision
