"""Kamailio under load and while the service hangs (SIGSTOP: the kernel still accepts its TCP
connections, nothing answers): every call must reach the decided target at 200 calls/s and the static
fallback at 20 calls/s, and a retransmitted INVITE must not be looked up again. What is asserted is
where each call arrived and that the caller saw it answered, never how fast: the machine running this
may be slow and busy.
"""

from __future__ import annotations

import contextlib
import re
import signal
import time
import urllib.parse
from collections.abc import Iterator

import pytest

HUNG_CALLS, HUNG_RATE = 60, 20
HEALTHY_CALLS, HEALTHY_RATE = 1000, 200
TIMED_OUT = "timed out on request"  # http_client's warning for each lookup that ran out of time


def _callers(count: int, first: int) -> list[str]:
    """Distinct Cochem-Zell numbers (area code 02671), so each arrival names its call."""
    return [f"02671{first + i:07d}" for i in range(count)]


@contextlib.contextmanager
def _hung(service) -> Iterator[None]:
    """The service process stopped (SIGSTOP) for the block, then resumed, so it can be stopped by PID."""
    service.process.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        service.process.send_signal(signal.SIGCONT)


def _decision(service, caller: str) -> dict:
    """The service's decision for a 115 call from `caller`."""
    return service.get_json("/api/v1/route?" + urllib.parse.urlencode({"called": "115", "caller": caller}))


def _where(sip, callers: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Caller -> the (endpoint, target) pairs its call arrived at."""
    arrivals: dict[str, list[tuple[str, str]]] = {caller: [] for caller in callers}
    for arrival in sip.arrivals():
        if arrival.caller in arrivals:
            arrivals[arrival.caller].append((arrival.endpoint, arrival.user))
    return arrivals


def test_a_retransmitted_invite_is_absorbed_not_looked_up_again(start_telephony) -> None:
    telephony = start_telephony()
    sip = telephony.sip
    with _hung(telephony.service), sip.raw_caller("026719990001") as caller:
        branch, uri = "z9hG4bK-raw-invite", f"sip:115@127.0.0.1:{sip.kamailio_port}"
        for _ in range(3):  # back to back: copies that arrive before the lookup could have ended
            caller.send("INVITE", uri, 1, branch)
        assert caller.receive("INVITE")[0] == 100  # the transaction exists, the lookup waits
        caller.send("INVITE", uri, 1, branch)  # a retransmission into the existing transaction
        status, answer = caller.final("INVITE")
        assert status == 200
        # Hang up through Kamailio (the Record-Route), so the fallback's sipp finishes the call.
        target, route = caller.header(answer, "Contact").strip("<>"), caller.header(answer, "Record-Route")
        caller.send("ACK", target, 1, "z9hG4bK-raw-ack", to_tag=caller.to_tag(answer), route=route)
        caller.send("BYE", target, 2, "z9hG4bK-raw-bye", to_tag=caller.to_tag(answer), route=route)
        assert caller.final("BYE")[0] == 200

    # One lookup, one decision, one INVITE to the fallback for the four copies.
    mine = [line for line in sip.log().splitlines() if caller.call_id in line]
    assert sum(TIMED_OUT in line for line in mine) == 1
    assert sum("static fallback" in line for line in mine) == 1
    relayed = {
        re.search(r"branch=([^;,\s]+)", caller.header(headers, "Via")).group(1)
        for _, headers in sip.invites("static-fallback")
        if caller.call_id in headers
    }
    assert len(relayed) == 1


def _assert_all_at_static_fallback(sip, callers: list[str]) -> None:
    where = _where(sip, callers)
    fallback = [("static-fallback", "static-fallback")]
    astray = {caller: places for caller, places in where.items() if places != fallback}
    assert not astray, f"{len(astray)} of {len(callers)} calls not (only) at the static fallback: {astray}"
    headers = {arrival.caller: arrival.emh_headers() for arrival in sip.arrivals() if arrival.caller in where}
    assert all(found == {"X-EMH-Fallback": "static"} for found in headers.values())


@pytest.mark.parametrize("breaker", ["with breaker", "workers alone"])
def test_every_call_reaches_the_static_fallback_at_20_calls_per_second_while_the_service_hangs(
    start_telephony,
    breaker: str,
) -> None:
    # "workers alone": no breaker, so every call waits for its own lookup to time out (1 s).
    telephony = start_telephony(**({} if breaker == "with breaker" else {"BREAKER_TIMEOUTS": "0"}))
    sip = telephony.sip
    callers = _callers(HUNG_CALLS, 1000)

    with _hung(telephony.service):
        calls = sip.calls("115", callers, rate=HUNG_RATE, timeout_s=120)
        _assert_all_at_static_fallback(sip, callers)
    assert (calls.returncode, calls.successful) == (0, HUNG_CALLS), calls.errors

    log = sip.log()
    # Each call was decided once: a lookup that timed out, a lookup that never got a task worker in
    # time ("lookup late"), or (breaker open) no lookup at all.
    assert log.count("; static fallback") == HUNG_CALLS
    timeouts = log.count(TIMED_OUT)
    if breaker == "with breaker":
        # After BREAKER_TIMEOUTS (5) timed-out lookups the other calls went straight to the fallback.
        assert "lookups in a row timed out; breaker open" in log
        assert "(status breaker open); static fallback" in log
        assert 5 <= timeouts < HUNG_CALLS
    else:
        assert "breaker" not in log
        assert timeouts + log.count("(status lookup late); static fallback") == HUNG_CALLS
    for caller in callers:
        assert caller.lstrip("0") not in log


def test_the_breaker_lets_one_call_probe_and_closes_when_the_service_answers_again(start_telephony) -> None:
    telephony = start_telephony(BREAKER_OPEN_S="2")
    sip, service = telephony.sip, telephony.service
    caller_numbers = iter(_callers(1000, 2000))
    target = _decision(service, "026712000000")["target"]["id"]

    with _hung(service):
        callers = [next(caller_numbers) for _ in range(20)]
        calls = sip.calls("115", callers, rate=HUNG_RATE, timeout_s=120)
        _assert_all_at_static_fallback(sip, callers)
        assert calls.returncode == 0, calls.errors
        assert "breaker open" in sip.log()

    # The service answers again. Calls go to the fallback until the open period (2 s) ends; the next
    # call probes, gets an answer, closes the breaker and reaches the decided target.
    deadline = time.monotonic() + 60
    probe_reached = None
    while probe_reached is None and time.monotonic() < deadline:
        caller = next(caller_numbers)
        assert sip.call("115", caller) == 0
        [arrival] = sip.arrivals_of(caller)
        if arrival.endpoint != "static-fallback":
            probe_reached = arrival
    assert probe_reached is not None, (
        "no call reached the decided target within 60 s after the service resumed"
    )
    assert probe_reached.user == target
    assert "routing service answers again; breaker closed" in sip.log()
    caller = next(caller_numbers)
    assert sip.call("115", caller) == 0
    [arrival] = sip.arrivals_of(caller)
    assert arrival.user == target and arrival.emh_headers()["X-EMH-Line"] == "115"


def test_every_call_reaches_the_decided_target_at_200_calls_per_second(start_telephony) -> None:
    # A generous lookup timeout: on a busy machine a slow answer must not count as an outage here.
    telephony = start_telephony(ROUTE_TIMEOUT_S="5")
    sip, service = telephony.sip, telephony.service
    callers = _callers(HEALTHY_CALLS, 3000)
    decision = _decision(service, callers[0])
    target = decision["target"]["id"]
    endpoint = target if target in sip.ports else "after-hours"

    calls = sip.calls("115", callers, rate=HEALTHY_RATE, limit=HEALTHY_RATE, timeout_s=180)

    where = _where(sip, callers)
    astray = {caller: places for caller, places in where.items() if places != [(endpoint, target)]}
    some = dict(list(astray.items())[:5])
    assert not astray, f"{len(astray)} of {len(callers)} calls not (only) at {target}, e.g. {some}"
    assert (calls.returncode, calls.successful) == (0, HEALTHY_CALLS), calls.errors
    expected = f"{decision['target']['kind']}; id={target}"
    assert all(arrival.emh_headers()["X-EMH-Target"] == expected for arrival in sip.arrivals())
    assert "static fallback" not in sip.log()
