"""What the console costs on the wire: bytes of search answers, pages and static files, with and without
compression, and whether a static file is cached.

Starts the real service on a loopback port with a fresh data dir and asks each URL twice: once with
`Accept-Encoding: identity` (what goes over the wire uncompressed) and once with `gzip, deflate, br` as a
browser sends it. Prints the body bytes of both, the Content-Encoding and, for static files, Cache-Control
and whether a repeated request with the ETag is answered 304.

    .venv/bin/python benchmarks/transfer_sizes.py
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

import aiohttp
from aiohttp import web

from servicecenter.app import create_app
from servicecenter.settings import Settings

SEARCHES = [
    "Personalausweis",
    "Personalausweis Daun",
    "perso verloren",
    "Hundesteuer Gerolstein",
    "Wunschkennzeichen",
    "Baugenehmigung",
]
PAGES = ["/", "/routing", "/vermittlung"]


async def _size(
    session: aiohttp.ClientSession, url: str, encoding: str
) -> tuple[int, str, aiohttp.ClientResponse]:
    """Bytes on the wire (the body as sent, before the client decodes it) and the Content-Encoding."""
    async with session.get(url, headers={"Accept-Encoding": encoding}, auto_decompress=False) as response:
        body = await response.read()
        return len(body), response.headers.get("Content-Encoding", "-"), response


async def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        runner = web.AppRunner(
            create_app(Settings(data_dir=Path(data_dir), database_url=None)), access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        totals = [0, 0]
        async with aiohttp.ClientSession(base) as session:
            print(f"{'what':52} {'identity':>9} {'browser':>9}  encoding")
            urls = [f"/api/v1/search?q={q}&limit=12" for q in SEARCHES] + PAGES
            page = await (await session.get("/")).text()
            statics = re.findall(r'"(/static/[^"]+)"', page)
            for url in urls + statics:
                plain, _, _ = await _size(session, url, "identity")
                wire, coding, response = await _size(session, url, "gzip, deflate, br")
                totals[0] += plain
                totals[1] += wire
                extra = ""
                if url.startswith("/static/"):
                    etag = response.headers.get("ETag", "")
                    async with session.get(url, headers={"If-None-Match": etag}) as again:
                        extra = (
                            f"  {response.headers.get('Cache-Control', '-')}; with ETag again: {again.status}"
                        )
                print(f"{url[:52]:52} {plain:9d} {wire:9d}  {coding}{extra}")
            print(f"{'total':52} {totals[0]:9d} {totals[1]:9d}  ({100 * totals[1] / totals[0]:.0f} %)")
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
