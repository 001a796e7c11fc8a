"""The decision memo gives what the engine gives: many varied calls (lines, extensions, callers of every
kind, topics, minutes at opening-hour and closure boundaries, holidays, both DST nights, pool reports and
pool state going stale, a pool reported anew) are decided through the memo and by `evaluate`, and every field but the id is
equal; the memo keeps no caller number."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json

from knowledge.calendar import BERLIN, ClosedPeriod, Closures, WeeklyHours
from routing.engine import evaluate
from routing.errors import RoutingError
from routing.memo import DecisionMemo
from routing.models import Call, PoolState, decision_json
from routing.policy import Policy
from routing.pools import PoolBoard

CALLED = ["115", "+49 2671 61-0", "+49 2671 61-50", "+49 6592 933-0", "+49 6571 14-550", "+49 30 999999"]
CALLERS = [
    None,
    "anonymous",
    "+49 2671 555123",
    "02671 98765",
    "+49 6542 12345",
    "06592 123456",
    "+49 6502 12345",
    "+49 30 1234567",
    "+49 170 1234567",
    "+33 1 23 45 67 89",
    "0800 1234567",
    "hallo",
]
TOPICS = [None, "kfz-zulassung"]


def berlin(day: int, hour: int, minute: int, second: float = 0, month: int = 11) -> dt.datetime:
    whole = int(second)
    return dt.datetime(2026, month, day, hour, minute, whole, int((second - whole) * 1e6), tzinfo=BERLIN)


# Several times in one minute follow each other, so the later ones are answered from the memo.
TIMES = [
    berlin(23, 7, 59, 30),
    berlin(23, 8, 0),
    berlin(23, 8, 0, 30),
    berlin(23, 9, 30),  # the 115 closure below starts at 09:30:20
    berlin(23, 9, 30, 19),
    berlin(23, 9, 30, 20),
    berlin(23, 9, 30, 50.5),
    berlin(23, 10, 15, 39),  # … and ends at 10:15:40
    berlin(23, 10, 15, 40),
    berlin(23, 11, 20, 5),  # the Cochem-Zell vehicle registration closes until 11:20:10
    berlin(23, 11, 20, 10),
    berlin(23, 12, 0),  # Vulkaneifel is closed 12:00–13:00, on whole minutes
    berlin(23, 12, 59, 59),
    berlin(23, 13, 0),
    berlin(23, 17, 59, 59),
    berlin(23, 18, 0),
    dt.datetime(2026, 11, 23, 9, 45, 12),  # naive: Berlin time
    berlin(24, 10, 0, month=12),  # a closing day
    berlin(25, 10, 0, month=12),  # a public holiday
    dt.datetime(2026, 3, 29, 2, 30),  # naive, in the spring-forward gap
    dt.datetime(2026, 3, 29, 1, 30, 10, tzinfo=dt.UTC),
    dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN),
    dt.datetime(2026, 10, 25, 2, 30, 40, fold=1, tzinfo=BERLIN),
    dt.datetime(2026, 10, 25, 0, 30, 50, tzinfo=dt.UTC),
]


def _utc(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.UTC)


def _with_closures(policy: Policy) -> Policy:
    closures = Closures(
        [
            ClosedPeriod("line", "115", _utc(berlin(23, 9, 30, 20)), _utc(berlin(23, 10, 15, 40)), "Umzug"),
            ClosedPeriod(
                "unit",
                "kv-cochem-zell-zulassung",
                _utc(berlin(23, 11, 0)),
                _utc(berlin(23, 11, 20, 10)),
                "Personalversammlung",
            ),
            ClosedPeriod(
                "county", "07233", _utc(berlin(23, 12, 0)), _utc(berlin(23, 13, 0)), "Betriebsausflug"
            ),
            # the first 02:30 of the autumn night is closed, the second is not
            ClosedPeriod(
                "line",
                "switchboard",
                dt.datetime(2026, 10, 25, 0, tzinfo=dt.UTC),
                dt.datetime(2026, 10, 25, 1, tzinfo=dt.UTC),
                "Wartung",
            ),
        ]
    )
    return dataclasses.replace(policy, calendar=policy.calendar.with_closures(closures))


def _answer(decide, call: Call) -> object:
    """The decision without its id, or the kind of error."""
    try:
        decision = decide(call)
    except RoutingError as error:
        return type(error).__name__
    return decision.model_dump(exclude={"decision_id"})


def test_the_memo_decides_every_call_as_the_engine_does(policy: Policy) -> None:
    policy = _with_closures(policy)
    now = dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC)
    board = PoolBoard(policy.pools(), clock=lambda: now)
    memo = DecisionMemo(policy)
    saturated = PoolState(agents_available=0, calls_waiting=9, longest_wait_s=300.0)
    calls = [
        Call(called=called, caller=caller, topic=topic, at=at)
        for called, caller, topic, at in itertools.product(CALLED, CALLERS, TOPICS, TIMES)
    ]

    def round_of_calls() -> None:
        pools, version = board.snapshot(), board.version
        for call in calls:
            expected = _answer(lambda c: evaluate(policy, c, pools), call)
            assert _answer(lambda c: memo.decide(c, pools, version).decision, call) == expected, call
            assert _answer(lambda c: memo.decide(c, pools, version).decision, call) == expected, call

    round_of_calls()
    board.update("emh-cochem-zell", saturated)  # reported now
    now += dt.timedelta(seconds=100)
    board.update("emh-all", saturated)
    round_of_calls()  # both saturated
    now += dt.timedelta(seconds=30)
    round_of_calls()  # Cochem-Zell's report is stale now, with no new report taken
    board.update("emh-all", PoolState(agents_available=4, calls_waiting=0, longest_wait_s=0.0))
    round_of_calls()  # the same pools reported, one of them anew
    assert 0 < len(memo) < 4 * len(calls)


def test_a_remembered_decision_gets_a_new_id_in_its_json_too(policy: Policy) -> None:
    memo = DecisionMemo(policy)
    call = Call(called="115", caller="+49 2671 555123", at=berlin(23, 9, 30))
    first, again = memo.decide(call, {}, 0), memo.decide(call, {}, 0)
    assert first.decision.decision_id != again.decision.decision_id
    assert first.decision.model_dump(exclude={"decision_id"}) == again.decision.model_dump(
        exclude={"decision_id"}
    )
    assert again.body == decision_json(again.decision)
    assert json.loads(again.body)["decision_id"] == again.decision.decision_id


def test_the_memo_keeps_the_area_code_but_never_the_callers_number(policy: Policy) -> None:
    memo = DecisionMemo(policy)
    for caller in ("+49 2671 555123", "0 65 92 / 98 76 54", "+49 170 1234567"):
        memo.decide(Call(called="115", caller=caller, at=berlin(23, 9, 30)), {}, 0)
    kept = repr(vars(memo))
    assert "02671" in kept
    assert all(digits not in kept for digits in ("555123", "987654", "1234567"))


def test_a_policy_with_hours_between_minutes_is_decided_afresh_every_time(policy: Policy) -> None:
    schedules = dict(policy.rule_file.schedules)
    schedules["service"] = WeeklyHours.model_validate(
        {**schedules["service"].model_dump(), "mon": ["08:00:30-18:00"]}
    )
    odd = dataclasses.replace(policy, rule_file=policy.rule_file.model_copy(update={"schedules": schedules}))
    memo = DecisionMemo(odd)
    opened = []
    for second in (0, 29, 30, 59):
        call = Call(called="115", caller="02671 98765", at=berlin(23, 8, 0, second))
        assert _answer(lambda c: memo.decide(c, {}, 0).decision, call) == _answer(
            lambda c: evaluate(odd, c, {}), call
        )
        opened.append(evaluate(odd, call, {}).open)
    assert opened == [False, False, True, True]
    assert len(memo) == 0
