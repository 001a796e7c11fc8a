"""The EMH default policy end to end: load_policy(config/routing/emh.yaml) + evaluate, table-driven."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from routing.engine import evaluate
from routing.errors import InvalidCall, UnknownLine
from routing.models import Call, Decision, PoolState
from routing.policy import Policy

TUESDAY_MORNING = "2026-03-10T09:00"
TUESDAY_NIGHT = "2026-03-10T22:00"
COCHEM = "02671 123456"
GREETING_115 = "Behördennummer 115, Servicecenter Eifel-Mosel-Hunsrück, guten Tag"
SATURATED = PoolState(agents_available=0, calls_waiting=4, longest_wait_s=31)
COUNTY_FIRST = ["emh-cochem-zell", "emh-all", "callback"]


def route(
    policy: Policy,
    called: str = "115",
    caller: str | None = COCHEM,
    at: str = TUESDAY_MORNING,
    topic: str | None = None,
    pools: dict[str, PoolState] | None = None,
) -> Decision:
    call = Call(called=called, caller=caller, at=dt.datetime.fromisoformat(at), topic=topic)
    return evaluate(policy, call, pools or {})


def route_ids(decision: Decision) -> list[str]:
    return [decision.target.id, *(target.id for target in decision.fallbacks)]


def test_115_from_cochem_on_a_weekday_morning_goes_to_the_cochem_zell_pool(policy: Policy) -> None:
    decision = route(policy)
    assert decision.model_dump(mode="json") == {
        "decision_id": decision.decision_id,
        "line": "115",
        "county": "07135",
        "open": True,
        "target": {"kind": "pool", "id": "emh-cochem-zell", "uri": "sip:emh-cochem-zell@pbx.local"},
        "fallbacks": [
            {"kind": "pool", "id": "emh-all", "uri": "sip:emh-all@pbx.local"},
            {"kind": "callback", "id": "callback", "uri": "sip:rueckruf@pbx.local"},
        ],
        "rule": "115-by-caller-area",
        "greeting": GREETING_115,
        "trace": decision.trace,
        "closure": None,
        "called_extension": None,
        "called_unit": None,
        "called_person": None,
        "caller_area": "02671",
    }
    assert re.fullmatch(r"[0-9a-f]{32}", decision.decision_id)


def test_every_decision_gets_its_own_id(policy: Policy) -> None:
    assert route(policy).decision_id != route(policy).decision_id


@pytest.mark.parametrize(
    "called",
    [
        "+4926716 10",
        "02671610",
        "02671 61-0",
        "+49 2671 61-0",
        "004926716 10",
        " 49267161 0",
        "+49 (0)2671 61-0",
        "+49-2671-610",
    ],
)
def test_cochem_zell_switchboard_is_recognised_in_every_notation(policy: Policy, called: str) -> None:
    decision = route(policy, called=called, caller="+49 30 1234567")
    assert (decision.line, decision.county, decision.target.id) == ("switchboard", "07135", "emh-cochem-zell")
    assert decision.greeting == "Kreisverwaltung Cochem-Zell, Servicecenter, guten Tag"
    assert decision.rule == "switchboard-by-called-county"


@pytest.mark.parametrize(
    ("called", "county", "pool", "greeting"),
    [
        ("06571 14-0", "07231", "emh-bernkastel-wittlich", "Kreisverwaltung Bernkastel-Wittlich"),
        ("+49 6561 15-0", "07232", "emh-bitburg-pruem", "Kreisverwaltung Eifelkreis Bitburg-Prüm"),
        ("0049 6592 9330", "07233", "emh-vulkaneifel", "Kreisverwaltung Vulkaneifel"),
    ],
)
def test_each_switchboard_routes_to_its_county_pool_even_for_callers_from_elsewhere(
    policy: Policy, called: str, county: str, pool: str, greeting: str
) -> None:
    decision = route(policy, called=called, caller=COCHEM)
    assert (decision.county, decision.target.id) == (county, pool)
    assert decision.greeting == f"{greeting}, Servicecenter, guten Tag"


@pytest.mark.parametrize(
    ("caller", "area", "reason"),
    [
        ("+49 2671 123456", "02671", "Cochem"),
        ("06592 1234", "06592", "Daun"),
        ("+49 6571 98765", "06571", "Wittlich"),
        ("06561 4711", "06561", "Bitburg"),
    ],
)
def test_115_county_comes_from_the_callers_area_code(
    policy: Policy, caller: str, area: str, reason: str
) -> None:
    decision = route(policy, caller=caller)
    assert decision.rule == "115-by-caller-area"
    assert decision.target.id == policy.rule_file.counties[decision.county or ""].pool
    assert any(area in line and reason in line for line in decision.trace)


def test_cochem_zell_switchboard_at_night_plays_the_closed_announcement(policy: Policy) -> None:
    decision = route(policy, called="02671 61-0", at=TUESDAY_NIGHT)
    assert (decision.open, decision.rule, decision.county) == (False, "switchboard-closed", "07135")
    assert decision.target.kind == "announcement"
    assert decision.fallbacks == []


def test_115_at_night_plays_the_announcement_then_offers_a_callback(policy: Policy) -> None:
    decision = route(policy, at=TUESDAY_NIGHT)
    assert (decision.open, decision.rule) == (False, "115-closed")
    assert decision.target.kind == "announcement"
    assert [target.kind for target in decision.fallbacks] == ["callback"]
    assert any("08:00–18:00" in line for line in decision.trace)


@pytest.mark.parametrize(
    ("caller", "reason"),
    [
        ("+49 151 12345678", "Mobilnummer"),
        ("0171 1234567", "Mobilnummer"),
        ("anonymous", "unterdrückt"),
        (None, "unterdrückt"),
        ("", "unterdrückt"),
        ("+33 1 42 68 53 00", "Ausland"),
        ("0033 1 42 68 53 00", "Ausland"),
        ("+49 30 1234567", "030"),
        ("06502 1234", "gehört nicht zum Servicecenter"),
        ("not a number", "nicht lesbar"),
    ],
)
def test_callers_without_a_member_county_go_to_emh_all(
    policy: Policy, caller: str | None, reason: str
) -> None:
    decision = route(policy, caller=caller)
    assert (decision.county, decision.target.id) == (None, "emh-all")
    assert [target.id for target in decision.fallbacks] == ["callback"]
    assert any(reason in line for line in decision.trace[1:3])


ZELL_OR_REIL = "06542 12345"
CZ, BW = "emh-cochem-zell", "emh-bernkastel-wittlich"
CZ_BUSY = {CZ: SATURATED}
COUNTY_POOLS_BUSY = {CZ: SATURATED, BW: SATURATED}
SHARED_BUSY = {"emh-all": SATURATED}
ALL_BUSY = {CZ: SATURATED, BW: SATURATED, "emh-all": SATURATED}
FRONLEICHNAM = "2026-06-04T10:00"


@pytest.mark.parametrize(
    ("called", "caller", "at", "pools", "rule", "target", "county"),
    [
        ("115", ZELL_OR_REIL, TUESDAY_MORNING, {}, "115-no-county", "emh-all", None),
        ("115", "+49 6542 12345", TUESDAY_MORNING, {}, "115-no-county", "emh-all", None),
        ("115", ZELL_OR_REIL, TUESDAY_MORNING, COUNTY_POOLS_BUSY, "115-no-county", "emh-all", None),
        ("115", ZELL_OR_REIL, TUESDAY_MORNING, SHARED_BUSY, "all-saturated-callback", "callback", None),
        ("115", ZELL_OR_REIL, TUESDAY_NIGHT, {}, "115-closed", "closed-115", None),
        ("115", ZELL_OR_REIL, FRONLEICHNAM, {}, "115-closed", "closed-115", None),
        ("06571 14-0", ZELL_OR_REIL, TUESDAY_MORNING, {}, "switchboard-by-called-county", BW, "07231"),
        ("02671 61-0", ZELL_OR_REIL, TUESDAY_MORNING, {}, "switchboard-by-called-county", CZ, "07135"),
        ("02671 61-0", ZELL_OR_REIL, TUESDAY_MORNING, CZ_BUSY, "overflow-emh-all", "emh-all", "07135"),
    ],
)
def test_area_code_06542_of_zell_and_reil_gives_no_caller_county_and_names_both(
    policy: Policy,
    called: str,
    caller: str,
    at: str,
    pools: dict[str, PoolState],
    rule: str,
    target: str,
    county: str | None,
) -> None:
    decision = route(policy, called=called, caller=caller, at=at, pools=pools)
    assert (decision.rule, decision.target.id, decision.county) == (rule, target, county)
    assert decision.trace[1] == (
        "Anrufer: Vorwahl 06542 gehört zu mehreren Kreisen: Cochem-Zell (Zell (Mosel)) oder "
        "Bernkastel-Wittlich (Reil)."
    )
    assert decision.greeting == (
        GREETING_115 if called == "115" else policy.rule_file.counties[county or ""].greeting
    )


@pytest.mark.parametrize(
    ("caller", "reason"),
    [
        ("+49 151 12345678", "Mobilnummer, also keine Vorwahl"),
        ("0171 1234567", "Mobilnummer, also keine Vorwahl"),
        ("anonymous", "Rufnummer unterdrückt"),
        (None, "Rufnummer unterdrückt"),
        ("+33 1 42 68 53 00", "Anruf aus dem Ausland (+33)"),
        ("+352 12 34 56", "Anruf aus dem Ausland (+352)"),
    ],
)
@pytest.mark.parametrize(
    ("called", "at", "pools", "rule", "target", "county"),
    [
        ("115", TUESDAY_MORNING, {}, "115-no-county", "emh-all", None),
        ("115", TUESDAY_MORNING, CZ_BUSY, "115-no-county", "emh-all", None),
        ("115", TUESDAY_MORNING, SHARED_BUSY, "all-saturated-callback", "callback", None),
        ("115", TUESDAY_NIGHT, SHARED_BUSY, "115-closed", "closed-115", None),
        ("02671 61-0", TUESDAY_MORNING, {}, "switchboard-by-called-county", CZ, "07135"),
        ("02671 61-0", TUESDAY_MORNING, CZ_BUSY, "overflow-emh-all", "emh-all", "07135"),
        ("02671 61-0", TUESDAY_MORNING, ALL_BUSY, "all-saturated-callback", "callback", "07135"),
        ("02671 61-0", TUESDAY_NIGHT, {}, "switchboard-closed", "closed-switchboard", "07135"),
    ],
)
def test_mobile_anonymous_and_foreign_callers_on_every_line(
    policy: Policy,
    caller: str | None,
    reason: str,
    called: str,
    at: str,
    pools: dict[str, PoolState],
    rule: str,
    target: str,
    county: str | None,
) -> None:
    decision = route(policy, called=called, caller=caller, at=at, pools=pools)
    assert (decision.rule, decision.target.id, decision.county) == (rule, target, county)
    assert decision.trace[1] == f"Anrufer: {reason}."


@pytest.mark.parametrize(
    ("county_pool", "expected"),
    [
        (SATURATED, ["emh-all", "callback"]),
        (PoolState(agents_available=0, calls_waiting=1, longest_wait_s=30.5), ["emh-all", "callback"]),
        (PoolState(agents_available=0, calls_waiting=4, longest_wait_s=30), COUNTY_FIRST),
        (PoolState(agents_available=1, calls_waiting=4, longest_wait_s=95), COUNTY_FIRST),
        (PoolState(agents_available=0, calls_waiting=0, longest_wait_s=0), COUNTY_FIRST),
    ],
)
@pytest.mark.parametrize("called", ["115", "02671 610"])
def test_overflow_to_emh_all_only_when_no_agent_is_free_and_the_wait_exceeds_30_s(
    policy: Policy, county_pool: PoolState, expected: list[str], called: str
) -> None:
    decision = route(policy, called=called, pools={"emh-cochem-zell": county_pool})
    assert route_ids(decision) == expected
    assert decision.county == "07135"


def test_overflow_is_explained_in_the_trace(policy: Policy) -> None:
    decision = route(policy, pools={"emh-cochem-zell": SATURATED})
    assert decision.rule == "overflow-emh-all"
    assert any(
        "Pool „EMH Cochem-Zell“ ist ausgelastet (0 frei, längste Wartezeit 31 s" in line
        for line in decision.trace
    )


@pytest.mark.parametrize(
    ("called", "caller"), [("115", COCHEM), ("115", "anonymous"), ("06592 933-0", COCHEM)]
)
def test_both_pools_saturated_leaves_a_callback(policy: Policy, called: str, caller: str) -> None:
    pools = {"emh-cochem-zell": SATURATED, "emh-vulkaneifel": SATURATED, "emh-all": SATURATED}
    decision = route(policy, called=called, caller=caller, pools=pools)
    assert (decision.target.kind, decision.rule) == ("callback", "all-saturated-callback")
    assert decision.fallbacks == []


def test_a_saturated_shared_pool_alone_does_not_stop_the_county_pool(policy: Policy) -> None:
    decision = route(policy, pools={"emh-all": SATURATED})
    assert decision.target.id == "emh-cochem-zell"


@pytest.mark.parametrize(
    ("called", "caller", "at", "expected"),
    [
        ("02671 61-0", None, TUESDAY_MORNING, "kfz-zulassung-07135"),
        ("115", COCHEM, TUESDAY_MORNING, "kfz-zulassung-07135"),
        ("115", "06592 1234", TUESDAY_MORNING, "kfz-zulassung-07233"),
        ("06592 933-0", None, "2026-03-12T17:30", "kfz-zulassung-07233"),  # Thursday afternoon hours
        ("02671 61-0", None, "2026-03-12T17:45", "kfz-zulassung-07135"),  # the catalogue's Thu 13:30-18:00
        ("02671 61-0", None, "2026-03-12T13:00", "emh-cochem-zell"),  # lunch break of the unit
        ("02671 61-0", None, "2026-03-10T16:30", "emh-cochem-zell"),  # Tuesday after the unit closed
        ("02671 61-0", None, "2026-03-10T07:15", "closed-switchboard"),  # before both open
        ("02671 61-0", None, "2026-06-04T10:00", "closed-switchboard"),  # holiday
        ("115", "06542 1234", TUESDAY_MORNING, "emh-all"),  # no county, so no department
        ("115", "+49 151 12345678", TUESDAY_MORNING, "emh-all"),
    ],
)
def test_topic_goes_to_the_department_extension_only_during_its_hours(
    policy: Policy, called: str, caller: str | None, at: str, expected: str
) -> None:
    decision = route(policy, called=called, caller=caller, at=at, topic="kfz-zulassung")
    assert decision.target.id == expected


def test_department_extension_falls_back_to_the_county_pool(policy: Policy) -> None:
    decision = route(policy, called="02671 61-0", topic="kfz-zulassung")
    assert decision.target == decision.target.model_validate(
        {"kind": "extension", "id": "kfz-zulassung-07135", "uri": "sip:300@kv-cochem-zell.pbx.local"}
    )
    assert route_ids(decision)[1:] == ["emh-cochem-zell", "emh-all", "callback"]


def test_unconfigured_topic_routes_normally(policy: Policy) -> None:
    assert route(policy, topic="hundesteuer").target.id == "emh-cochem-zell"


@pytest.mark.parametrize("called", ["+49 30 1234567", "110", "06571 17-1", "+33 1 42 68 53 00"])
def test_numbers_that_are_not_lines_of_this_center_raise_unknown_line(policy: Policy, called: str) -> None:
    with pytest.raises(UnknownLine):
        route(policy, called=called)


@pytest.mark.parametrize("called", ["abc", "  ", "+"])
def test_called_numbers_that_are_no_phone_numbers_raise_invalid_call(policy: Policy, called: str) -> None:
    with pytest.raises(InvalidCall):
        route(policy, called=called)


@pytest.mark.parametrize(
    ("caller", "digits"),
    [
        ("02671 123456", "123456"),
        ("+49 6542 987654", "987654"),
        ("+49 151 12345678", "12345678"),
        ("+33 1 42 68 53 00", "42685300"),
        ("+49 30 7654321", "7654321"),
        ("06502 55555", "55555"),
    ],
)
@pytest.mark.parametrize("at", [TUESDAY_MORNING, TUESDAY_NIGHT])
def test_trace_never_contains_the_full_caller_number(
    policy: Policy, caller: str, digits: str, at: str
) -> None:
    decision = route(policy, caller=caller, at=at, pools={"emh-cochem-zell": SATURATED})
    body = str(decision.model_dump(mode="json"))
    assert digits not in re.sub(r"\D", "", body.replace(decision.decision_id, ""))
    assert caller not in body


def test_every_rule_tried_leaves_one_trace_line(policy: Policy) -> None:
    decision = route(policy, pools={"emh-cochem-zell": SATURATED, "emh-all": SATURATED})
    rule_lines = [line for line in decision.trace if line.startswith("Regel ")]
    assert [line.split(" „")[0] for line in rule_lines] == [
        f"Regel {position}" for position in range(1, len(policy.rule_file.rules) + 1)
    ]
    assert decision.trace[-1] == "Weiterleitung: Rückrufwunsch aufnehmen."


def test_the_trace_speaks_german_with_names_never_ids(policy: Policy) -> None:
    decision = route(policy, caller=COCHEM, pools={"emh-cochem-zell": SATURATED})
    assert decision.trace[:3] == [
        "Anruf über die Behördennummer 115.",
        "Anrufer: Vorwahl 02671 gehört zu Cochem-Zell (Cochem).",
        "Kreis Cochem-Zell: aus der Vorwahl des Anrufers.",
    ]
    assert "Überlauf in den gemeinsamen Pool“: trifft zu –" in decision.trace[-2]
    text = " ".join(decision.trace)
    for rule in policy.rule_file.rules:
        assert rule.id not in text
    assert "07135" not in text and "emh-cochem-zell" not in text
    assert decision.caller_area == "02671"


def test_a_call_to_an_extension_is_the_county_switchboard_call_with_the_extension(policy: Policy) -> None:
    decision = route(policy, called="+49 6561 15-50", caller="06561 4711")
    assert (decision.line, decision.county, decision.called_extension) == ("switchboard", "07232", "50")
    assert decision.greeting == "Kreisverwaltung Eifelkreis Bitburg-Prüm, Servicecenter, guten Tag"
    assert route_ids(decision) == ["emh-bitburg-pruem", "emh-all", "callback"]
    assert decision.trace[0] == (
        "Anruf über die Telefonzentrale Eifelkreis Bitburg-Prüm, Durchwahl 50 in ihrem Nummernblock."
    )
    assert (decision.called_unit, decision.called_person) == (None, None), "routing knows no units or people"
    assert route(policy, called="+49 6561 15-0").called_extension is None
