"""The telephony rig: sipp callers -> Kamailio (config/telephony/kamailio.cfg) -> the service -> sipp targets.

The service runs as a real process (the `start_service` fixture) on a copy of the EMH rule file whose
target URIs point at sipp endpoints on 127.0.0.1 and whose service hours are open all week, because
Kamailio cannot set the time of a call. Every process is bound to loopback and stopped by its PID.
`benchmarks/kamailio_outage.py` loads this file for the same rig outside pytest.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import CONFIG_DIR

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


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 that nothing is bound to right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """Stop one process we started, by its PID: SIGTERM, a bounded wait, then SIGKILL."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass(frozen=True)
class Arrival:
    """One INVITE an endpoint received."""

    endpoint: str
    user: str  # the Request-URI's user part: which target the INVITE was sent to
    caller: str
    headers: str

    def emh_headers(self) -> dict[str, str]:
        """The X-EMH-* headers of the INVITE."""
        return dict(re.findall(r"^(X-EMH-[\w-]+): *(.*?)\r?$", self.headers, re.MULTILINE))


@dataclass(frozen=True)
class Calls:
    """What one sipp caller run reported: its exit status (0: every call answered and hung up), its call
    counts, and the start of its error log (unexpected messages, timeouts) for assertion messages."""

    returncode: int
    successful: int
    failed: int
    mean_answer_s: float  # INVITE sent to 200 received, mean over the answered calls
    errors: str


class RawCaller:
    """One call over a plain UDP socket, for what sipp cannot do (send the same INVITE several times
    at once) or does awkwardly (look at a final error reply)."""

    def __init__(self, kamailio_port: int, caller: str) -> None:
        self.kamailio = ("127.0.0.1", kamailio_port)
        self.caller = caller
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.settimeout(15)
        self.port = self.socket.getsockname()[1]
        self.call_id = f"raw-{time.monotonic_ns()}@127.0.0.1"

    def close(self) -> None:
        self.socket.close()

    def send(
        self, method: str, uri: str, cseq: int, branch: str, *, to_tag: str = "", route: str = ""
    ) -> None:
        """A request of this call (no body); `to_tag` and `route` once the dialog has them."""
        self.socket.sendto(
            (
                f"{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{self.port};branch={branch}\r\n"
                + (f"Route: {route}\r\n" if route else "")
                + f"From: <sip:{self.caller}@127.0.0.1:{self.port}>;tag=raw\r\n"
                f"To: <sip:115@127.0.0.1:{self.kamailio[1]}>{f';tag={to_tag}' if to_tag else ''}\r\n"
                f"Call-ID: {self.call_id}\r\nCSeq: {cseq} {method}\r\n"
                f"Contact: <sip:{self.caller}@127.0.0.1:{self.port}>\r\n"
                "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
            ).encode(),
            self.kamailio,
        )

    def receive(self, method: str) -> tuple[int, str]:
        """The next reply to `method`: (status, text); raises TimeoutError after 15 s without one."""
        while True:
            text = self.socket.recv(65535).decode(errors="replace")
            if re.search(rf"^CSeq: *\d+ {method}\r?$", text, re.MULTILINE | re.IGNORECASE):
                return int(text.split(" ", 2)[1]), text

    def final(self, method: str) -> tuple[int, str]:
        """The final reply to `method`, provisional ones skipped."""
        status, text = self.receive(method)
        while status < 200:
            status, text = self.receive(method)
        return status, text

    @staticmethod
    def header(text: str, name: str) -> str:
        """The first value of header `name` in a SIP message."""
        return re.search(rf"^{name}: *(.*?)\r?$", text, re.MULTILINE | re.IGNORECASE).group(1)

    @staticmethod
    def to_tag(text: str) -> str:
        return re.search(r";tag=([^;>\s]+)", RawCaller.header(text, "To")).group(1)


@dataclass
class Rig:
    sipp: str
    kamailio_port: int
    ports: dict[str, int]
    tmp: Path
    kamailio_log: Path

    def call(self, called: str, caller: str) -> int:
        """One call through Kamailio; sipp's exit status (0: answered and hung up cleanly)."""
        return self.calls(called, [caller], rate=1, timeout_s=15).returncode

    @contextlib.contextmanager
    def raw_caller(self, caller: str) -> Iterator[RawCaller]:
        """A RawCaller with the number `caller`, its socket closed on leaving."""
        raw = RawCaller(self.kamailio_port, caller)
        try:
            yield raw
        finally:
            raw.close()

    def calls(
        self, called: str, callers: Sequence[str], *, rate: int, limit: int | None = None, timeout_s: int = 60
    ) -> Calls:
        """One call per caller to `called`, started at `rate` calls per second (at most `limit` at a
        time); returns when sipp has placed and finished them all, or after `timeout_s`."""
        run = f"{callers[0]}-{len(callers)}"
        csv = self.tmp / f"callers-{run}.csv"
        csv.write_text("SEQUENTIAL\n" + "".join(f"{caller};\n" for caller in callers), encoding="ascii")
        stats, errors = self.tmp / f"uac-{run}.csv", self.tmp / f"uac-{run}.err"
        argv = [
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
            str(free_udp_port()),
            "-nostdin",
            "-m",
            str(len(callers)),
            "-r",
            str(rate),
            "-l",
            str(limit or len(callers)),
            "-timeout",
            str(timeout_s),
            "-timeout_error",
            "-trace_err",
            "-error_file",
            str(errors),
            "-trace_stat",
            "-stf",
            str(stats),
            "-fd",
            "3600",
        ]
        result = subprocess.run(
            argv,
            check=False,
            cwd=self.tmp,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout_s + 30,
        )
        final = stats.read_text(encoding="utf-8", errors="replace").splitlines() if stats.exists() else []
        columns = dict(zip(final[0].split(";"), final[-1].split(";"), strict=False)) if len(final) > 1 else {}
        unexpected = errors.read_text(encoding="utf-8", errors="replace")[:4000] if errors.exists() else ""
        hours, minutes, seconds, micros = map(int, columns.get("ResponseTime1(C)", "0:0:0:0").split(":"))
        mean_answer_s = hours * 3600 + minutes * 60 + seconds + micros / 1e6
        successful, failed = (
            int(columns.get(f"{name}(C)", 0) or 0) for name in ("SuccessfulCall", "FailedCall")
        )
        return Calls(result.returncode, successful, failed, mean_answer_s, unexpected + result.stderr[-2000:])

    def invites(self, endpoint: str) -> list[tuple[str, str]]:
        """(Request-URI user, headers) of every INVITE `endpoint` received so far, retransmissions too."""
        log = self.tmp / f"{endpoint}.log"
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        pattern = r"^INVITE sip:([^@\s]+)@\S+ SIP/2\.0\r?\n(.*?)\r?\n\r?\n"
        found = re.finditer(pattern, text, re.MULTILINE | re.DOTALL)
        return [(match.group(1), match.group(2)) for match in found]

    def arrivals(self) -> list[Arrival]:
        """Every INVITE the endpoints received so far (retransmissions counted once)."""
        found: dict[tuple[str, str, str], Arrival] = {}
        for endpoint in self.ports:
            for user, headers in self.invites(endpoint):
                caller = re.search(r"^From:.*?sip:([^@>;]+)@", headers, re.MULTILINE)
                arrival = Arrival(endpoint, user, caller.group(1) if caller else "", headers)
                found.setdefault((endpoint, arrival.user, arrival.caller), arrival)
        return list(found.values())

    def arrivals_of(self, caller: str) -> list[Arrival]:
        return [arrival for arrival in self.arrivals() if arrival.caller == caller]

    def log(self) -> str:
        return self.kamailio_log.read_text(encoding="utf-8", errors="replace")


def rules_yaml(ports: dict[str, int], *, open_all_week: bool) -> str:
    """The EMH rule file with every target on a sipp endpoint, open all week or never."""
    rules: dict[str, Any] = yaml.safe_load((CONFIG_DIR / "routing" / "emh.yaml").read_text(encoding="utf-8"))
    for target_id, target in rules["targets"].items():
        endpoint = target_id if target_id in ports else "after-hours"
        target.pop("unit", None)  # a catalogue unit's extension would ring the county PBX, not sipp
        target["uri"] = f"sip:{target_id}@127.0.0.1:{ports[endpoint]}"
    for by_county in rules.get("departments", {}).values():
        for department in by_county.values():
            department.setdefault("hours", "service")  # its unit's hours went with the unit
    rules["schedules"]["service"] = dict.fromkeys(WEEKDAYS, ALL_WEEK) if open_all_week else {}
    return yaml.safe_dump(rules, allow_unicode=True, sort_keys=False)


def _wait_for_kamailio(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
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


@contextlib.contextmanager
def running_rig(
    sipp: str,
    kamailio: str,
    tmp: Path,
    ports: dict[str, int],
    route_url: str,
    *,
    cfg: Path = KAMAILIO_CFG,
    defines: dict[str, str] | None = None,
) -> Iterator[Rig]:
    """sipp endpoints on `ports` and Kamailio (`cfg`, defines overridden with -A) asking `route_url`;
    all stopped by their PIDs on leaving."""
    processes: list[subprocess.Popen] = []
    kamailio_log = tmp / "kamailio.log"
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
                        str(tmp / f"{endpoint}.log"),
                    ],
                    cwd=tmp,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        kamailio_port = free_udp_port()
        all_defines = {
            "SIP_LISTEN": f"udp:127.0.0.1:{kamailio_port}",
            "ROUTE_URL": f'"{route_url}"',
            "FALLBACK_URI": f'"sip:static-fallback@127.0.0.1:{ports["static-fallback"]}"',
            **(defines or {}),
        }
        with kamailio_log.open("wb") as log:
            processes.append(
                kamailio_process := subprocess.Popen(
                    [
                        kamailio,
                        "-DD",
                        "-E",
                        "-f",
                        str(cfg),
                        "-Y",
                        str(tmp),
                        "-w",
                        str(tmp),
                        "-n",
                        "2",
                        "-m",
                        "64",
                        "-M",
                        "8",
                        *(arg for name, value in all_defines.items() for arg in ("-A", f"{name}={value}")),
                    ],
                    cwd=tmp,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                )
            )
        _wait_for_kamailio(kamailio_port, kamailio_process)
        yield Rig(sipp, kamailio_port, ports, tmp, kamailio_log)
    finally:
        for process in reversed(processes):
            stop(process)


@dataclass
class Telephony:
    """A started rig with the service it asks and the rule file that service reads."""

    sip: Rig
    service: Any  # tests/conftest.py's ServiceProcess
    rules_file: Path

    def write_rules(self, *, open_all_week: bool) -> None:
        """Rewrite the service's rule file (open all week or never); the service reads it on SIGHUP."""
        self.rules_file.write_text(rules_yaml(self.sip.ports, open_all_week=open_all_week), encoding="utf-8")


@pytest.fixture
def start_telephony(system_tool, start_service, tmp_path: Path) -> Iterator[Callable[..., Telephony]]:
    """A function that starts the service on the test rule file, the sipp endpoints and Kamailio in front
    (keyword arguments override the config's defines, e.g. BREAKER_TIMEOUTS="0"); stopped afterwards."""
    sipp, kamailio = system_tool("sipp"), system_tool("kamailio")
    with contextlib.ExitStack() as stack:

        def start(**defines: str) -> Telephony:
            ports = {endpoint: free_udp_port() for endpoint in ENDPOINTS}
            rules_file = tmp_path / "rules.yaml"
            rules_file.write_text(rules_yaml(ports, open_all_week=True), encoding="utf-8")
            service = start_service(SERVICECENTER_RULES_FILE=str(rules_file))
            sip = stack.enter_context(
                running_rig(
                    sipp,
                    kamailio,
                    tmp_path,
                    ports,
                    f"{service.url}/api/v1/route?format=rtjson",
                    defines=defines,
                )
            )
            return Telephony(sip, service, rules_file)

        yield start
