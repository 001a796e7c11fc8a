"""End to end: sipp callers -> Kamailio with config/telephony/kamailio.cfg -> the service -> sipp targets.

The rig (conftest.py) runs the service on a copy of the EMH rule file whose target URIs point at sipp
endpoints on 127.0.0.1 and whose service hours are open all week (here, after a SIGHUP, never open),
because Kamailio cannot set the time of a call. Each call must arrive where the service's decision
says, or at the static fallback while the service is down.
"""

from __future__ import annotations

import datetime as dt
import signal
import time
import urllib.parse

from knowledge.calendar import BERLIN, ServiceCalendar

CALLERS = {  # one number per call, so each arrival names its call
    "cochem": "026715550101",
    "daun": "065925550102",
    "night": "+4965515550103",
    "outage": "026715550104",
    "stranger": "065515550105",
}


def _decision(service, called: str, caller: str) -> dict:
    return service.get_json("/api/v1/route?" + urllib.parse.urlencode({"called": called, "caller": caller}))


def test_calls_arrive_where_the_service_decides_and_at_the_static_fallback_while_it_is_down(
    start_telephony,
) -> None:
    telephony = start_telephony()
    sip, service = telephony.sip, telephony.service

    # (a) 115 from Cochem-Zell (area code 02671) in service hours -> the Cochem-Zell pool.
    decision = _decision(service, "115", CALLERS["cochem"])
    ordinary_day = ServiceCalendar().closed_because(dt.datetime.now(BERLIN).date()) is None
    assert decision["target"]["id"] == ("emh-cochem-zell" if ordinary_day else "closed-115")
    assert sip.call("115", CALLERS["cochem"]) == 0
    [arrival] = sip.arrivals_of(CALLERS["cochem"])
    assert arrival.user == decision["target"]["id"]
    assert arrival.endpoint == (arrival.user if ordinary_day else "after-hours")
    headers = arrival.emh_headers()
    assert headers["X-EMH-Line"] == "115" and headers["X-EMH-County"] == "07135"
    assert headers["X-EMH-Target"] == f"{decision['target']['kind']}; id={decision['target']['id']}"

    # A busy county pool (486) -> Kamailio takes the decision's next route, the shared pool.
    if ordinary_day:
        decision = _decision(service, "115", CALLERS["daun"])
        assert [decision["target"]["id"], decision["fallbacks"][0]["id"]] == ["emh-vulkaneifel", "emh-all"]
        assert sip.call("115", CALLERS["daun"]) == 0
        busy, shared = sip.arrivals_of(CALLERS["daun"])
        assert [(a.endpoint, a.user) for a in (busy, shared)] == [
            ("emh-vulkaneifel", "emh-vulkaneifel"),
            ("emh-all", "emh-all"),
        ]
        assert shared.emh_headers()["X-EMH-Target"] == "pool; id=emh-all"
        assert shared.emh_headers()["X-EMH-Decision"] == busy.emh_headers()["X-EMH-Decision"]

    # (b) The Vulkaneifel switchboard at night (service hours now never open) -> the after-hours target.
    telephony.write_rules(open_all_week=False)
    service.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 15
    while _decision(service, "+4965929330", CALLERS["night"])["open"] and time.monotonic() < deadline:
        time.sleep(0.1)
    decision = _decision(service, "+4965929330", CALLERS["night"])
    assert (decision["open"], decision["target"]["id"]) == (False, "closed-switchboard")
    assert sip.call("+4965929330", CALLERS["night"]) == 0
    [arrival] = sip.arrivals_of(CALLERS["night"])
    assert (arrival.endpoint, arrival.user) == ("after-hours", "closed-switchboard")
    assert arrival.emh_headers()["X-EMH-County"] == "07233"

    # A number that is not a line of this center: the service refuses it (4xx), Kamailio answers 404.
    with sip.raw_caller(CALLERS["stranger"]) as caller:
        uri = f"sip:+4930901820@127.0.0.1:{sip.kamailio_port}"
        caller.send("INVITE", uri, 1, "z9hG4bK-not-ours")
        status, answer = caller.final("INVITE")
        caller.send("ACK", uri, 1, "z9hG4bK-not-ours", to_tag=caller.to_tag(answer))
    assert status == 404
    assert "routing service refused the call (HTTP 422)" in sip.log()
    assert sip.arrivals_of(CALLERS["stranger"]) == []

    # (c) The service is down -> the static fallback, marked as such.
    service.stop()
    assert sip.call("115", CALLERS["outage"]) == 0
    [arrival] = sip.arrivals_of(CALLERS["outage"])
    assert (arrival.endpoint, arrival.user) == ("static-fallback", "static-fallback")
    assert arrival.emh_headers() == {"X-EMH-Fallback": "static"}

    # Neither Kamailio nor the service wrote a caller's number into its log.
    logs = sip.log() + service.log_path.read_text(errors="replace")
    assert "static fallback" in logs
    for number in CALLERS.values():
        assert number.lstrip("+0") not in logs
