"""Decisions as Kamailio rtjson documents for serial routing."""

from __future__ import annotations

import datetime as dt

from routing.engine import evaluate
from routing.models import Call
from routing.policy import Policy
from routing.rtjson import to_rtjson


def test_target_then_fallbacks_in_order_for_serial_routing(policy: Policy) -> None:
    decision = evaluate(policy, Call(called="115", caller="02671 123456", at=dt.datetime(2026, 3, 10, 9)), {})
    document = to_rtjson(decision)
    assert (document["version"], document["routing"]) == ("1.0", "serial")
    assert [route["uri"] for route in document["routes"]] == [
        "sip:emh-cochem-zell@pbx.local",
        "sip:emh-all@pbx.local",
        "sip:rueckruf@pbx.local",
    ]
    extra = document["routes"][0]["headers"]["extra"]
    assert extra == (
        f"X-EMH-Decision: {decision.decision_id}\r\n"
        "X-EMH-Line: 115\r\n"
        "X-EMH-Target: pool; id=emh-cochem-zell\r\n"
        "X-EMH-County: 07135\r\n"
    )


def test_no_county_header_without_a_county(policy: Policy) -> None:
    decision = evaluate(policy, Call(called="115", caller=None, at=dt.datetime(2026, 3, 10, 22)), {})
    routes = to_rtjson(decision)["routes"]
    uris = [route["uri"] for route in routes]
    assert uris == ["sip:ansage-servicezeiten-115@pbx.local", "sip:rueckruf@pbx.local"]
    assert all("X-EMH-County" not in route["headers"]["extra"] for route in routes)
