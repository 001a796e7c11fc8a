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
    return PoolBoard(policy.pools(), clock=clock)


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
    board = PoolBoard(policy.pools(), max_age=dt.timedelta(seconds=10), clock=clock)
    board.update("emh-all", FREE)
    clock.now = NOW + dt.timedelta(seconds=11)
    assert board.snapshot() == {}


def test_state_with_its_own_older_timestamp_can_already_be_stale(board: PoolBoard) -> None:
    board.update("emh-all", FREE.model_copy(update={"updated_at": NOW - dt.timedelta(minutes=5)}))
    assert board.snapshot() == {}


CZ, VU, ALL = "emh-cochem-zell", "emh-vulkaneifel", "emh-all"
SHORT_WAIT = PoolState(agents_available=0, calls_waiting=2, longest_wait_s=12)
COCHEM = "02671 123456"


@pytest.mark.parametrize(
    ("called", "caller", "first", "story"),
    [
        # first: the target before any report; then per step: a pool reports, the next call's target
        ("115", COCHEM, CZ, [(CZ, BUSY, ALL), (CZ, FREE, CZ)]),
        ("115", COCHEM, CZ, [(CZ, BUSY, ALL), (CZ, SHORT_WAIT, CZ)]),
        ("115", COCHEM, CZ, [(CZ, BUSY, ALL), (VU, FREE, ALL), (ALL, FREE, ALL), (CZ, FREE, CZ)]),
        ("115", COCHEM, CZ, [(CZ, BUSY, ALL), (ALL, BUSY, "callback"), (CZ, FREE, CZ)]),
        ("115", COCHEM, CZ, [(CZ, BUSY, ALL), (ALL, BUSY, "callback"), (ALL, FREE, ALL), (CZ, FREE, CZ)]),
        ("115", COCHEM, CZ, [(ALL, BUSY, CZ), (CZ, BUSY, "callback"), (CZ, FREE, CZ)]),
        ("02671 61-0", "anonymous", CZ, [(CZ, BUSY, ALL), (ALL, BUSY, "callback"), (CZ, FREE, CZ)]),
        ("06592 933-0", COCHEM, VU, [(VU, BUSY, ALL), (CZ, FREE, ALL), (VU, FREE, VU)]),
        ("115", "anonymous", ALL, [(ALL, BUSY, "callback"), (CZ, FREE, "callback"), (ALL, FREE, ALL)]),
        ("115", "06542 12345", ALL, [(ALL, BUSY, "callback"), (ALL, SHORT_WAIT, ALL)]),
    ],
)
def test_overflow_callback_and_recovery_follow_each_report(
    policy: Policy,
    board: PoolBoard,
    called: str,
    caller: str,
    first: str,
    story: list[tuple[str, PoolState, str]],
) -> None:
    def next_call() -> str:
        return evaluate(policy, Call(called=called, caller=caller, at=NOW), board.snapshot()).target.id

    targets = [next_call()]
    for pool, state, _ in story:
        board.update(pool, state)
        targets.append(next_call())
    assert targets == [first, *(expected for _, _, expected in story)]


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


def test_a_report_from_another_instance_is_merged_by_its_time(board: PoolBoard) -> None:
    board.update("emh-all", FREE)
    older = BUSY.model_copy(update={"updated_at": NOW - dt.timedelta(seconds=1)})
    newer = BUSY.model_copy(update={"updated_at": NOW + dt.timedelta(seconds=1)})
    assert board.merge("emh-all", older) is False, "a late message never replaces a newer report"
    assert board.snapshot()["emh-all"].agents_available == 1
    assert board.merge("emh-all", newer) is True
    assert board.snapshot()["emh-all"].agents_available == 0
    assert board.merge("emh-all", newer) is False, "the same message twice changes nothing"
    assert board.merge("emh-trier", newer) is False, "a pool this policy does not have is left out"
    assert board.merge("emh-vulkaneifel", FREE) is False, "a report without its time cannot be ordered"
    assert set(board.reported()) == {"emh-all"}
