"""What reaches the log of a real `servicecenter serve`: never a body, password, token or caller number,
never a traceback's local variables, and client errors without a traceback — in both log formats."""

import datetime as dt
import http.client
import socket
import subprocess
import sys

import pytest
import structlog

from servicecenter.logs import area_code_only, render_json

PASSWORD = "geheim-pferd-batterie-42"
CALLER_DIGITS = "2671987654"
BIG = "7" * 5000


def _post(url: str, path: str, body: str, headers: dict | None = None) -> int:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json", **(headers or {})})
        return connection.getresponse().status
    finally:
        connection.close()


def _raw(url: str, data: bytes) -> int:
    """Send `data` as it is; the status of the answer, read until the server closes the connection."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(data)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize("log_format", ["console", "json"])
def test_attacks_leave_no_secret_caller_number_or_locals_in_the_log(start_service, log_format: str) -> None:
    service = start_service(SERVICECENTER_LOG_FORMAT=log_format)
    login = f'{{"name": "anna", "password": "{PASSWORD}", "n": {BIG}}}'
    route = f'{{"called": "115", "caller": "+49 {CALLER_DIGITS}", "at": {BIG}}}'
    assert _post(service.url, "/api/v1/session", login) == 400
    assert _post(service.url, "/api/v1/route", route) == 400
    assert _post(service.url, "/api/v1/route", "[" * 50_000) == 400
    long_line = f"GET /api/v1/route?caller=%2B49{CALLER_DIGITS}&called=115&x={'y' * 9000} HTTP/1.1\r\n\r\n"
    assert _raw(service.url, long_line.encode()) == 400
    bad_header = b"GET /api/v1/pools HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\nConnection: close\r\n\r\n"
    assert _raw(service.url, bad_header) == 400
    service.stop()
    log = service.log_path.read_text(encoding="utf-8", errors="replace")
    assert PASSWORD not in log
    assert CALLER_DIGITS not in log and CALLER_DIGITS[-6:] not in log
    assert BIG[:100] not in log
    assert "Traceback" not in log and "locals" not in log.lower()
    assert "[error" not in log and '"level": "error"' not in log
    assert "bad_request" in log


UNHANDLED = """
import logging, structlog
from servicecenter.logs import configure_logging
configure_logging(log_format={log_format!r})

def handler(body):
    password = body["password"]
    raise RuntimeError("boom")

for log in (structlog.get_logger("ours"), logging.getLogger("theirs")):
    try:
        handler({{"password": "{password}", "caller": "+49 {caller}"}})
    except RuntimeError:
        log.exception("unhandled_error")
"""


@pytest.mark.parametrize("log_format", ["console", "json"])
def test_a_traceback_shows_no_local_variables(log_format: str) -> None:
    """rich (installed with the test tools) would print every frame's locals; the traceback stays plain."""
    script = UNHANDLED.format(log_format=log_format, password=PASSWORD, caller=CALLER_DIGITS)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stderr.count("RuntimeError: boom") == 2
    assert PASSWORD not in done.stderr and CALLER_DIGITS not in done.stderr


def test_phone_numbers_are_cut_to_their_area_code() -> None:
    line = "caller +49 2671 987654, also 0049 6592 939-110, 06571/14300 and 4926719876543 at 2026-11-26"
    assert (
        area_code_only(line) == "caller +49 2671 …, also +49 6592 …, +49 6571 … and +49 2671 … at 2026-11-26"
    )


def test_json_lines_are_what_structlog_would_render() -> None:
    event = {"event": "call_routed", "county": "07135", "at": dt.datetime(2026, 11, 27, tzinfo=dt.UTC)}
    event |= {"unknown": object(), "text": 'Behördennummer 115 "…"', "count": 3, "open": True, "none": None}
    assert render_json(None, "info", dict(event)) == structlog.processors.JSONRenderer()(None, "info", event)
