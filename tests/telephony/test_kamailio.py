"""End to end: sipp callers -> Kamailio with config/telephony/kamailio.cfg -> the service -> sipp targets.

The service runs as a real process on a copy of the EMH rule file whose target URIs point at sipp
endpoints on 127.0.0.1 and whose service hours are open all week (then, after a SIGHUP, never open),
because Kamailio cannot set the time of a call. Each call must arrive where the service's decision
says, or at the static fallback while the service is down.
"""

from __future__ import annotations

import datetime as dt
import re
import signal
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import CONFIG_DIR
from knowledge.calendar import BERLIN, ServiceCalendar

HERE = Path(__file__).parent
KAMAILIO_CFG = CONFIG_DIR / "telephony" / "kamailio.cfg"
ALL_WEEK = ["00:00-23:59"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Endpoint name -> sipp scenario. "after-hours" answers for every target without an endpoint of its own.
ENDPOINTS = {
    "emh-cochem-zell": "uas.xml",
    "emh-vulkaneifel": "uas_busy.xml",
    "emh-all": "uas.xml",
    "after-hours": "uas.xml",
    "static-fallback": "uas.xml",
}
CALLERS = {  # one number per call, so each arrival names its call
    "cochem": "026715550101",
    "daun": "065925550102",
    "night": "+4965515550103",
    "outage": "026715550104",
}


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass(frozen=True)
class Arrival:
    endpoint: str
    user: str  # the Request-URI's user part: which target the INVITE was sent to
    caller: str
    headers: str


@dataclass
class Rig:
    sipp: str
    kamailio_port: int
    ports: dict[str, int]
    tmp: Path

    def call(self, called: str, caller: str) -> int:
        """One call through Kamailio; sipp's exit status (0: answered and hung up cleanly)."""
        csv = self.tmp / f"caller-{caller}.csv"
        csv.write_text(f"SEQUENTIAL\n{caller};\n", encoding="ascii")
        result = subprocess.run(
            [
                self.sipp,
                f"127.0.0.1:{self.kamailio_port}",
                "-sf",
                str(HERE / "uac.xml"),
                "-inf",
                str(csv),
                "-s",
                called,
                "-i",
                "127.0.0.1",
                "-p",
                str(_free_udp_port()),
                "-m",
                "1",
                "-nostdin",
                "-timeout",
                "15",
                "-timeout_error",
            ],
            cwd=self.tmp,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )
        return result.returncode

    def arrivals(self) -> list[Arrival]:
        """Every INVITE the endpoints received so far (retransmissions counted once)."""
        found: dict[tuple[str, str, str], Arrival] = {}
        for endpoint in self.ports:
            log = self.tmp / f"{endpoint}.log"
            text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
            for match in re.finditer(
                r"^INVITE sip:([^@\s]+)@\S+ SIP/2\.0\r?\n(.*?)\r?\n\r?\n", text, re.M | re.S
            ):
                headers = match.group(2)
                caller = re.search(r"^From:.*?sip:([^@>;]+)@", headers, re.M)
                arrival = Arrival(endpoint, match.group(1), caller.group(1) if caller else "", headers)
                found.setdefault((endpoint, arrival.user, arrival.caller), arrival)
        return list(found.values())

    def arrivals_of(self, caller: str) -> list[Arrival]:
        return [arrival for arrival in self.arrivals() if arrival.caller == caller]


def _rules(ports: dict[str, int], *, open_all_week: bool) -> str:
    """The EMH rule file with every target on a sipp endpoint, open all week or never."""
    rules: dict[str, Any] = yaml.safe_load((CONFIG_DIR / "routing" / "emh.yaml").read_text(encoding="utf-8"))
    for target_id, target in rules["targets"].items():
        endpoint = target_id if target_id in ports else "after-hours"
        target["uri"] = f"sip:{target_id}@127.0.0.1:{ports[endpoint]}"
    rules["schedules"]["service"] = dict.fromkeys(WEEKDAYS, ALL_WEEK) if open_all_week else {}
    return yaml.safe_dump(rules, allow_unicode=True, sort_keys=False)


def _wait_for_kamailio(port: int, process: subprocess.Popen, seconds: float = 20) -> None:
    """Kamailio is ready when it answers an OPTIONS request."""
    deadline = time.monotonic() + seconds
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(0.2)
        local = s.getsockname()[1]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError("kamailio exited during start-up")
            branch = f"z9hG4bK-probe-{time.monotonic_ns()}"
            s.sendto(
                (
                    f"OPTIONS sip:probe@127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{local};branch={branch}\r\n"
                    f"From: <sip:probe@127.0.0.1:{local}>;tag=probe\r\nTo: <sip:probe@127.0.0.1:{port}>\r\n"
                    f"Call-ID: {branch}@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\nContent-Length: 0\r\n\r\n"
                ).encode(),
                ("127.0.0.1", port),
            )
            try:
                if s.recv(4096).startswith(b"SIP/2.0 200"):
                    return
            except TimeoutError:
                pass
    raise AssertionError("kamailio did not answer OPTIONS")


@pytest.fixture
def rig(system_tool, start_service, tmp_path: Path) -> Iterator[tuple[Rig, Any, Path, Path]]:
    """sipp endpoints, the service on the test rule file, Kamailio in front; all stopped by PID afterwards."""
    sipp, kamailio = system_tool("sipp"), system_tool("kamailio")
    ports = {endpoint: _free_udp_port() for endpoint in ENDPOINTS}
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(_rules(ports, open_all_week=True), encoding="utf-8")
    service = start_service(SERVICECENTER_RULES_FILE=str(rules_file))
    processes: list[subprocess.Popen] = []
    kamailio_log = tmp_path / "kamailio.log"
    try:
        for endpoint, scenario in ENDPOINTS.items():
            processes.append(
                subprocess.Popen(
                    [
                        sipp,
                        "-sf",
                        str(HERE / scenario),
                        "-i",
                        "127.0.0.1",
                        "-p",
                        str(ports[endpoint]),
                        "-nostdin",
                        "-trace_msg",
                        "-message_file",
                        str(tmp_path / f"{endpoint}.log"),
                    ],
                    cwd=tmp_path,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        kamailio_port = _free_udp_port()
        with kamailio_log.open("wb") as log:
            processes.append(
                kamailio_process := subprocess.Popen(
                    [
                        kamailio,
                        "-DD",
                        "-E",
                        "-f",
                        str(KAMAILIO_CFG),
                        "-Y",
                        str(tmp_path),
                        "-w",
                        str(tmp_path),
                        "-n",
                        "2",
                        "-m",
                        "32",
                        "-M",
                        "4",
                        "-A",
                        f"SIP_LISTEN=udp:127.0.0.1:{kamailio_port}",
                        "-A",
                        f'ROUTE_URL="{service.url}/api/v1/route?format=rtjson"',
                        "-A",
                        f'FALLBACK_URI="sip:static-fallback@127.0.0.1:{ports["static-fallback"]}"',
                    ],
                    cwd=tmp_path,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                )
            )
        _wait_for_kamailio(kamailio_port, kamailio_process)
        yield Rig(sipp, kamailio_port, ports, tmp_path), service, rules_file, kamailio_log
    finally:
        for process in reversed(processes):
            _stop(process)


def _decision(service, called: str, caller: str) -> dict:
    return service.get_json("/api/v1/route?" + urllib.parse.urlencode({"called": called, "caller": caller}))


def _headers(arrival: Arrival) -> dict[str, str]:
    return dict(re.findall(r"^(X-EMH-[\w-]+): *(.*?)\r?$", arrival.headers, re.M))


def test_calls_arrive_where_the_service_decides_and_at_the_static_fallback_while_it_is_down(rig) -> None:
    sip, service, rules_file, kamailio_log = rig

    # (a) 115 from Cochem-Zell (area code 02671) in service hours -> the Cochem-Zell pool.
    decision = _decision(service, "115", CALLERS["cochem"])
    ordinary_day = ServiceCalendar().closed_because(dt.datetime.now(BERLIN).date()) is None
    assert decision["target"]["id"] == ("emh-cochem-zell" if ordinary_day else "closed-115")
    assert sip.call("115", CALLERS["cochem"]) == 0
    [arrival] = sip.arrivals_of(CALLERS["cochem"])
    assert arrival.user == decision["target"]["id"]
    assert arrival.endpoint == (arrival.user if ordinary_day else "after-hours")
    headers = _headers(arrival)
    assert headers["X-EMH-Line"] == "115" and headers["X-EMH-County"] == "07135"
    assert headers["X-EMH-Target"] == f"{decision['target']['kind']}; id={decision['target']['id']}"

    # A busy county pool (486) -> Kamailio takes the decision's next route, the shared pool.
    if ordinary_day:
        decision = _decision(service, "115", CALLERS["daun"])
        assert [decision["target"]["id"], decision["fallbacks"][0]["id"]] == ["emh-vulkaneifel", "emh-all"]
        assert sip.call("115", CALLERS["daun"]) == 0
        assert [(a.endpoint, a.user) for a in sip.arrivals_of(CALLERS["daun"])] == [
            ("emh-vulkaneifel", "emh-vulkaneifel"),
            ("emh-all", "emh-all"),
        ]

    # (b) The Vulkaneifel switchboard at night (service hours now never open) -> the after-hours target.
    rules_file.write_text(_rules(sip.ports, open_all_week=False), encoding="utf-8")
    service.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 15
    while _decision(service, "+4965929330", CALLERS["night"])["open"] and time.monotonic() < deadline:
        time.sleep(0.1)
    decision = _decision(service, "+4965929330", CALLERS["night"])
    assert (decision["open"], decision["target"]["id"]) == (False, "closed-switchboard")
    assert sip.call("+4965929330", CALLERS["night"]) == 0
    [arrival] = sip.arrivals_of(CALLERS["night"])
    assert (arrival.endpoint, arrival.user) == ("after-hours", "closed-switchboard")
    assert _headers(arrival)["X-EMH-County"] == "07233"

    # (c) The service is down -> the static fallback, marked as such.
    service.stop()
    assert sip.call("115", CALLERS["outage"]) == 0
    [arrival] = sip.arrivals_of(CALLERS["outage"])
    assert (arrival.endpoint, arrival.user) == ("static-fallback", "static-fallback")
    assert _headers(arrival) == {"X-EMH-Fallback": "static"}

    # Neither Kamailio nor the service wrote a caller's number into its log.
    logs = kamailio_log.read_text(errors="replace") + service.log_path.read_text(errors="replace")
    assert "static fallback" in logs
    for number in CALLERS.values():
        assert number.lstrip("+0") not in logs
