"""`servicecenter serve` as a real process on an empty data dir: first start, JSON logs, privacy."""

import asyncio
import json
import os
import signal
import socket
import sys

import aiohttp

from servicecenter.settings import Settings

CALLER = "+49 2671 987654"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _wait_until_up(url: str, process: asyncio.subprocess.Process, seconds: float) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(int(seconds * 10)):
            if process.returncode is not None:
                raise AssertionError("the service exited during start-up")
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the service did not come up")


async def test_first_start_serves_the_demo_catalogue_and_logs_json_without_caller_numbers(
    empty_settings: Settings,
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "SERVICECENTER_LOG_FORMAT": "json",
        "SERVICECENTER_DATA_DIR": str(empty_settings.data_dir),
    }
    if empty_settings.database_url:
        env["SERVICECENTER_DATABASE_URL"] = empty_settings.database_url
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "servicecenter",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env=env,
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_until_up(f"{base}/readyz", process, seconds=90)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/api/v1/search", params={"q": "Personalausweis"}) as response:
                assert "Personalausweis" in (await response.json())["hits"][0]["title"]
            params = {"called": "115", "caller": CALLER, "at": "2026-11-23T09:30:00+01:00"}
            async with http.get(
                f"{base}/api/v1/route", params=params, headers={"X-Request-ID": "req-42"}
            ) as r:
                decision = await r.json()
                assert decision["county"] == "07135"
    finally:
        process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    lines = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    routed = [line for line in lines if line.get("event") == "call_routed"]
    assert routed and routed[0]["request_id"] == "req-42" and routed[0]["county"] == "07135"
    assert any(line.get("event") == "demo_catalogue_loaded" for line in lines)
    [migrated] = [line for line in lines if line.get("event") == "schema_migrated"]
    assert migrated["from_revision"] is None and migrated["to_revision"]
    assert all(line.get("logger", "").split(".")[0] != "alembic" for line in lines)
    assert "Running upgrade" not in err.decode() and "Context impl" not in err.decode()
    assert any(line.get("event") == "serving" and line["url"] == f"http://127.0.0.1:{port}" for line in lines)
    digits = CALLER.replace(" ", "").removeprefix("+49")
    assert digits not in err.decode() and "987654" not in err.decode()
