"""The attacks of the hardening review as inputs: how long each takes to be answered, and its memory.

Starts the real service on a loopback port with a fresh data dir, sends each hostile request over HTTP
(as an admin where it needs one) and prints status and time; then parses each hostile rule file in
process and prints time and peak memory (tracemalloc). The tests hold the answers (tests/routing/
test_rulefile.py, tests/servicecenter/test_api_catalogue.py, test_error_shape.py); this prints the cost.

    .venv/bin/python -m benchmarks.hostile_input
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import tracemalloc
from pathlib import Path

import aiohttp
from aiohttp import web

from knowledge import accounts
from knowledge.accounts import Role
from routing.errors import RuleFileError
from routing.rulefile import parse_rule_file
from servicecenter.app import create_app
from servicecenter.keys import SESSIONMAKER
from servicecenter.settings import Settings

BOMB = "\n".join(
    ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
)
RULE_FILES = {
    "alias bomb (9 lines, 9^9 nodes)": BOMB,
    "alias containing itself": "a: &a [*a]",
    '"- " × 5000': "- " * 5000,
    '"[" × 10000': "[" * 10000,
    '"[" × 199000': "[" * 199_000,
}
SEARCHES = {
    "Personalausweis": "Personalausweis",
    '"ß" × 200': "ß" * 200,
    "16 misspelt words": " ".join(["ausweiss"] * 16),
    "17 words": " ".join(["ausweiss"] * 17),
    "40-letter word": "a" * 40,
}


async def _admin_token(app: web.Application) -> str:
    async with app[SESSIONMAKER].begin() as session:
        user = await accounts.add_user(session, name="bench", role=Role.admin, county=None, password_hash="!")
        return await accounts.create_token(session, user=user)


async def _timed(http: aiohttp.ClientSession, method: str, path: str, **kwargs) -> tuple[int, float]:
    began = time.perf_counter()
    async with http.request(method, path, **kwargs) as response:
        await response.read()
        return response.status, (time.perf_counter() - began) * 1000


async def over_http() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir), database_url=None))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        admin = {"Authorization": f"Bearer {await _admin_token(app)}"}
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            await _timed(http, "GET", "/api/v1/search", params={"q": "warm up"})
            for name, q in SEARCHES.items():
                status, ms = await _timed(http, "GET", "/api/v1/search", params={"q": q})
                print(f"search {name:<35} {status}  {ms:8.1f} ms")
            big = '{"called": "115", "at": ' + "9" * 5000 + "}"
            status, ms = await _timed(
                http, "POST", "/api/v1/route", data=big, headers={"Content-Type": "application/json"}
            )
            print(f"{'route, integer of 5000 digits':<42} {status}  {ms:8.1f} ms")
            for name, text in RULE_FILES.items():
                status, ms = await _timed(
                    http, "PUT", "/api/v1/routing/rules", json={"text": text}, headers=admin
                )
                print(f"PUT rules {name:<32} {status}  {ms:8.1f} ms")
        await runner.cleanup()


def in_process() -> None:
    for name, text in RULE_FILES.items():
        tracemalloc.start()
        began = time.perf_counter()
        try:
            parse_rule_file(text, "rules.yaml")
            outcome = "accepted"
        except RuleFileError as error:
            outcome = error.problems[0].message
        ms = (time.perf_counter() - began) * 1000
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        print(f"parse {name:<36} {ms:8.1f} ms  peak {peak:6.1f} MB  {outcome}")


if __name__ == "__main__":
    asyncio.run(over_http())
    in_process()
