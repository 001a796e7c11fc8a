"""Pairing a call's queue events: every call counted in the quarter hour and pool it entered, table-driven."""

import pytest

from knowledge.statistics.acd import OpenCall, count_events
from knowledge.statistics.counters import CALLS
from knowledge.statistics.queue_log import EventKind, QueueEvent

T = 1_772_521_200  # 08:00 Berlin, the start of a slot


def _event(offset: int, kind: EventKind, call: str = "c", wait: int = 0, talk: int = 0) -> QueueEvent:
    line, county = ("115", "07233") if kind is EventKind.enter else ("", "")
    return QueueEvent(offset, T + offset, call, "emh-vulkaneifel", kind, wait, talk, line, county)


def _named(counts: dict) -> dict:
    return {
        key: {m: v for m, v in zip(CALLS.measures, values, strict=True) if v}
        for key, values in counts.items()
    }


def _pool_dims(pool: str) -> tuple[str, str]:
    return "", "07233"


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (
            [
                _event(60, EventKind.enter),
                _event(90, EventKind.connect, wait=30),
                _event(200, EventKind.complete, wait=30, talk=110),
            ],
            {
                (T, "115", "07233", "emh-vulkaneifel"): {
                    "offered": 1,
                    "answered": 1,
                    "answered_within_30s": 1,
                    "wait_answered_s": 30,
                    "wait_max_s": 30,
                    "completed": 1,
                    "talk_s": 110,
                }
            },
        ),
        (
            [
                _event(890, EventKind.enter),
                _event(931, EventKind.connect, wait=41),
            ],  # answered in the next slot
            {
                (T, "115", "07233", "emh-vulkaneifel"): {
                    "offered": 1,
                    "answered": 1,
                    "wait_answered_s": 41,
                    "wait_max_s": 41,
                }
            },
        ),
        (
            [
                _event(0, EventKind.enter),
                _event(5, EventKind.abandon, wait=5),
                _event(10, EventKind.enter, "d"),
                _event(16, EventKind.abandon, "d", wait=6),
            ],
            {
                (T, "115", "07233", "emh-vulkaneifel"): {
                    "offered": 2,
                    "abandoned": 2,
                    "abandoned_within_5s": 1,
                    "wait_max_s": 6,
                }
            },
        ),
        (
            [_event(1000, EventKind.connect, wait=200)],  # entered 08:13:20, before the log was read
            {
                (T, "", "07233", "emh-vulkaneifel"): {
                    "offered": 1,
                    "answered": 1,
                    "wait_answered_s": 200,
                    "wait_max_s": 200,
                }
            },
        ),
        (
            [
                _event(1000, EventKind.complete, wait=20, talk=100)
            ],  # its CONNECT was counted before; entered 08:14:40
            {(T, "", "07233", "emh-vulkaneifel"): {"completed": 1, "talk_s": 100}},
        ),
        (
            [_event(0, EventKind.enter), _event(300, EventKind.exit, wait=300)],
            {(T, "115", "07233", "emh-vulkaneifel"): {"offered": 1, "exited": 1, "wait_max_s": 300}},
        ),
    ],
)
def test_events_count_under_the_slot_and_pool_of_entry(events, expected) -> None:
    assert _named(count_events(events, {}, _pool_dims)) == expected


def test_a_call_still_waiting_stays_open_and_one_that_ended_goes() -> None:
    open_calls = {"old": OpenCall(T - 60, "switchboard", "07135", "emh-cochem-zell")}
    counts = count_events(
        [_event(10, EventKind.enter, "new"), _event(20, EventKind.connect, "old", wait=80)],
        open_calls,
        _pool_dims,
    )
    assert open_calls == {
        "new": OpenCall(T + 10, "115", "07233", "emh-vulkaneifel"),
        "old": OpenCall(T - 60, "switchboard", "07135", "emh-cochem-zell", connected=True),
    }
    assert _named(counts)[(T - 900, "switchboard", "07135", "emh-cochem-zell")]["answered"] == 1
