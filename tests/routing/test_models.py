"""Routing models: what a call may contain and the exact JSON shape of a decision."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from knowledge.calendar import BERLIN
from routing.decision_ids import new_decision_id
from routing.models import Answer, Call, Decision, PoolState, Target, decision_json


def test_a_call_without_a_time_is_a_call_now() -> None:
    before = dt.datetime.now(BERLIN)
    assert before <= Call(called="115").at <= dt.datetime.now(BERLIN)


@pytest.mark.parametrize(
    "at",
    [
        "2026-11-23T09:30:00+01:00",
        "2026-11-23T09:30:00 01:00",
        " 2026-11-23T09:30:00 0100 ",
        "2026-11-23T08:30Z",
    ],
)
def test_call_time_with_an_offset_whose_plus_got_lost_in_the_query_is_read_alike(at: str) -> None:
    assert Call(called="115", at=at).at == dt.datetime(2026, 11, 23, 8, 30, tzinfo=dt.UTC)  # type: ignore[arg-type]


def test_call_time_without_offset_is_kept_naive_for_berlin() -> None:
    assert Call(called="115", at="2026-03-10T09:00").at.tzinfo is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields",
    [
        {"called": "", "at": "2026-03-10T09:00"},
        {"called": "115", "at": "soon"},
        {"called": "115", "at": "2026-03-10T09:00", "callerid": "x"},
    ],
)
def test_malformed_calls_are_refused(fields: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Call.model_validate(fields)


@pytest.mark.parametrize("field", ["agents_available", "calls_waiting", "longest_wait_s"])
def test_pool_state_cannot_be_negative(field: str) -> None:
    values = {"agents_available": 1, "calls_waiting": 1, "longest_wait_s": 1.0, field: -1}
    with pytest.raises(ValidationError):
        PoolState.model_validate(values)


def test_decision_serialises_to_the_api_shape() -> None:
    target = Target(kind="pool", id="emh-all", uri="sip:emh-all@pbx.local")
    decision = Decision(
        decision_id="d1",
        line="115",
        county=None,
        open=True,
        target=target,
        fallbacks=[],
        rule="r",
        greeting=None,
        trace=["t"],
    )
    assert list(decision.model_dump(mode="json")) == [
        "decision_id",
        "line",
        "county",
        "open",
        "target",
        "fallbacks",
        "rule",
        "greeting",
        "trace",
        "closure",
        "called_extension",
        "called_unit",
        "called_person",
        "caller_area",
    ]
    assert decision.model_dump(mode="json")["target"] == {
        "kind": "pool",
        "id": "emh-all",
        "uri": "sip:emh-all@pbx.local",
    }


def _decision(decision_id: str) -> Decision:
    target = Target(kind="pool", id="emh-all", uri="sip:emh-all@pbx.local")
    return Decision(
        decision_id=decision_id,
        line="115",
        county="07135",
        open=True,
        target=target,
        fallbacks=[target],
        rule="115-by-caller-area",
        greeting="Behördennummer 115, guten Tag",
        trace=["Anruf über die Behördennummer 115.", 'Ziel: emh-all "Pool".'],
    )


@pytest.mark.parametrize("new_id", ["019ac4b1e2c47d3a9f1e2b3c4d5e6f70", "short", "x" * 31 + '"', "ä" * 32])
def test_a_renumbered_answer_is_the_json_of_the_renumbered_decision(new_id: str) -> None:
    answer = Answer.of(_decision(new_decision_id())).renumbered(new_id)
    assert answer.decision == _decision(new_id)
    assert answer.body == decision_json(answer.decision)


def test_target_kinds_are_limited_to_the_api_list() -> None:
    with pytest.raises(ValidationError):
        Target(kind="queue-ish", id="x", uri="sip:x@pbx.local")  # type: ignore[arg-type]
