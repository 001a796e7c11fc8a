"""The queue_log forwarder (config/telephony/queue_log_forwarder.py) against the real service on loopback:
it tails the file through rotation, skips a malformed line, resumes where it stopped, and the service
counts every call of the day exactly once."""

import asyncio
import os
import sys
from pathlib import Path

from config import CONFIG_DIR
from servicecenter.app import create_app

FORWARDER = CONFIG_DIR / "telephony" / "queue_log_forwarder.py"
DAY = (Path(__file__).parents[1] / "servicecenter" / "data" / "queue_log_day.txt").read_text(encoding="utf-8")
RUN_LIMIT_S = 60


async def _forward(url: str, token_file: Path, log: Path, state: Path, *extra: str) -> str:
    """Run the forwarder once over the file; its log (stderr) is returned. Stopped by its PID if it overruns."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(FORWARDER),
        str(log),
        "--url",
        f"{url}/api/v1/acd/events",
        "--token-file",
        str(token_file),
        "--state",
        str(state),
        "--once",
        *extra,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k != "SERVICECENTER_TOKEN"},
    )
    try:
        _, err = await asyncio.wait_for(process.communicate(), RUN_LIMIT_S)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    return err.decode()


async def test_the_forwarder_brings_a_rotating_queue_log_to_the_service(
    aiohttp_server, aiohttp_client, settings, make_user, tmp_path: Path
) -> None:
    server = await aiohttp_server(create_app(settings), host="127.0.0.1")
    url = str(server.make_url("")).rstrip("/")
    pbx = await make_user("telefonanlage", "pbx")
    token_file = tmp_path / "token"
    token_file.write_text(pbx["Authorization"].removeprefix("Bearer "), encoding="utf-8")
    log, state = tmp_path / "queue_log", tmp_path / "queue_log.forwarded"
    lines = DAY.splitlines(keepends=True)

    log.write_text("".join(lines[:10]) + "kaputte Zeile\n" + "".join(lines[10:20]), encoding="utf-8")
    first = await _forward(url, token_file, log, state, "--batch", "7")
    assert "skipping malformed line" in first and "4711" not in first and "Zwackelmann" not in first

    with log.open("a", encoding="utf-8") as appended:  # a half-written line waits for its end
        appended.write("".join(lines[20:30]) + lines[30].rstrip("\n"))
    second = await _forward(url, token_file, log, state)
    assert "sent 10 lines" in second

    log.rename(tmp_path / "queue_log.1")  # rotated while the forwarder is stopped; Asterisk starts anew
    with (tmp_path / "queue_log.1").open("a", encoding="utf-8") as old:
        old.write("\n")
    log.write_text("".join(lines[31:]), encoding="utf-8")
    third = await _forward(url, token_file, log, state)
    assert "rotated" in third and f"sent {1 + len(lines) - 31} lines" in third

    lead = await make_user("teamleitung", "supervisor")
    http = await aiohttp_client(server)
    answer = await http.get("/api/v1/stats", params={"from": "2026-03-03", "to": "2026-03-03"}, headers=lead)
    totals = (await answer.json())["totals"]
    assert (totals["offered"], totals["answered"], totals["answered_within_30s"]) == (13, 8, 6)
    assert (totals["abandoned"], totals["abandoned_within_5s"], totals["service_level"]) == (4, 2, 0.5455)
