"""The IVR's callback script of docs/telephony.md (config/telephony/emh-callback.sh) against the real
service: a confirmed callback becomes one ticket, also when the dialplan runs it twice, and an instance
that is down is skipped."""

import asyncio
import os
import socket
from pathlib import Path

import aiohttp

from config import CONFIG_DIR
from servicecenter.app import create_app

SCRIPT = CONFIG_DIR / "telephony" / "emh-callback.sh"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _run(*args: str, env: dict) -> int:
    process = await asyncio.create_subprocess_exec(
        "/bin/sh",
        str(SCRIPT),
        *args,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await asyncio.wait_for(process.wait(), 30)


async def test_a_confirmed_callback_is_recorded_once(
    aiohttp_server, settings, make_user, tmp_path: Path, system_tool
) -> None:
    system_tool("curl")
    pbx = await make_user("asterisk", "pbx")
    admin = await make_user("ada", "admin")
    config = tmp_path / "emh-api.curl"
    config.write_text(f'header = "Authorization: {pbx["Authorization"]}"\n', encoding="utf-8")
    server = await aiohttp_server(
        create_app(settings.model_copy(update={"ticket_worker": False})), host="127.0.0.1"
    )
    url = str(server.make_url("")).rstrip("/")
    env = {
        **os.environ,
        "EMH_URLS": f"http://127.0.0.1:{_closed_port()} {url}",
        "EMH_CURL_CONFIG": str(config),
    }

    call = ("1732623311.42", "+4926715551", "07135", "0f3a9c")
    assert await _run(*call, env=env) == 0
    assert await _run(*call, env=env) == 0, "the same call again returns the stored ticket"
    assert await _run("1732623311.43", "12;reboot", "-", "-", env=env) == 2
    assert (
        await _run(
            "1732623311.44",
            "+4926715551",
            "-",
            "-",
            env={**env, "EMH_URLS": url, "EMH_CURL_CONFIG": os.devnull},
        )
        == 1
    )

    async with aiohttp.ClientSession() as http, http.get(f"{url}/api/v1/tickets", headers=admin) as response:
        tickets = await response.json()
    assert len(tickets) == 1
    [ticket] = tickets
    assert (ticket["kind"], ticket["county"], ticket["decision_id"], ticket["created_by"]) == (
        "callback",
        "07135",
        "0f3a9c",
        "asterisk",
    )
    assert ticket["contact"]["phone"] == "+4926715551" and ticket["consent"] is True
