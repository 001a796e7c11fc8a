"""Live pool state: unknown pools refused, stale state forgotten, overflow and recovery."""

from __future__ import annotations

import datetime as dt

import pytest

from routing.engine import evaluate
from routing.errors import UnknownPool
from routing.models import Call, PoolState
from routing.policy import Policy
from routing.pools import PoolBoard

NOW = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)
BUSY = PoolState(agents_available=0, calls_waiting=3, longest_wait_s=31)
FREE = PoolState(agents_available=1, calls_waiting=0, longest_wait_s=0)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def board(policy: Policy, clock: Clock) -> PoolBoard:
    return PoolBoard(policy, clock=clock)


def target_of(policy: Policy, board: PoolBoard) -> str:
    call = Call(called="115", caller="02671 123456", at=NOW)
    return evaluate(policy, call, board.snapshot()).target.id


def test_updates_for_pools_outside_the_policy_are_refused(board: PoolBoard) -> None:
    with pytest.raises(UnknownPool):
        board.update("emh-trier", FREE)


def test_update_is_stamped_with_the_time_it_arrived(board: PoolBoard) -> None:
    assert board.update("emh-all", FREE).updated_at == NOW
    assert board.snapshot()["emh-all"].updated_at == NOW


def test_state_older_than_120_s_is_left_out(board: PoolBoard, clock: Clock) -> None:
    board.update("emh-all", FREE)
    clock.now = NOW + dt.timedelta(seconds=120)
    assert "emh-all" in board.snapshot()
    clock.now = NOW + dt.timedelta(seconds=121)
    assert "emh-all" not in board.snapshot()


def test_maximum_age_is_configurable(policy: Policy, clock: Clock) -> None:
    board = PoolBoard(policy, max_age=dt.timedelta(seconds=10), clock=clock)
    board.update("emh-all", FREE)
    clock.now = NOW + dt.timedelta(seconds=11)
    assert board.snapshot() == {}


def test_state_with_its_own_older_timestamp_can_already_be_stale(board: PoolBoard) -> None:
    board.update("emh-all", FREE.model_copy(update={"updated_at": NOW - dt.timedelta(minutes=5)}))
    assert board.snapshot() == {}


def test_overflow_and_recovery_follow_the_reported_state(policy: Policy, board: PoolBoard) -> None:
    assert target_of(policy, board) == "emh-cochem-zell"
    board.update("emh-cochem-zell", BUSY)
    assert target_of(policy, board) == "emh-all"
    board.update("emh-cochem-zell", FREE)
    assert target_of(policy, board) == "emh-cochem-zell"


def test_stale_saturation_is_ignored_and_calls_route_normally(
    policy: Policy, board: PoolBoard, clock: Clock
) -> None:
    board.update("emh-cochem-zell", BUSY)
    board.update("emh-all", BUSY)
    assert target_of(policy, board) == "callback"
    clock.now = NOW + dt.timedelta(minutes=3)
    assert target_of(policy, board) == "emh-cochem-zell"


def test_listing_shows_every_pool_with_null_state_when_unknown(board: PoolBoard) -> None:
    board.update("emh-vulkaneifel", BUSY)
    listing = {pool.id: pool.model_dump(mode="json") for pool in board.listing()}
    assert listing["emh-all"] == {"id": "emh-all", "name": "EMH alle Kreise", "county": None, "state": None}
    assert listing["emh-vulkaneifel"]["county"] == "07233"
    assert listing["emh-vulkaneifel"]["state"] == {
        "agents_available": 0,
        "calls_waiting": 3,
        "longest_wait_s": 31.0,
        "updated_at": "2026-03-10T08:00:00Z",
    }
