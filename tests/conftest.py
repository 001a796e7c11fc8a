"""Real parts for every test: a migrated database with the demo catalogue, a whoosh index, the app.

The database runs on SQLite by default and on PostgreSQL when SERVICECENTER_TEST_DATABASE_URL names a
server (`.ci/run` starts one). Migrating and seeding happen once per session into a template, which
every test copies: a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from knowledge.index import SearchIndex
from knowledge.sync import ensure_index
from servicecenter.app import create_app
from servicecenter.bootstrap import open_database
from servicecenter.settings import Settings

POSTGRES_URL = os.environ.get("SERVICECENTER_TEST_DATABASE_URL")
_counter = itertools.count()


async def _admin(url: str, *statements: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _database_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


async def _prepare_template(data_dir: Path, url: str | None) -> None:
    settings = Settings(data_dir=data_dir, database_url=url)
    engine, sessionmaker = await open_database(settings)
    index = SearchIndex(settings.index_dir)
    try:
        await ensure_index(index, sessionmaker)
    finally:
        index.close()
        await engine.dispose()


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data dir (and on PostgreSQL a template database) holding the migrated demo catalogue."""
    data_dir = tmp_path_factory.mktemp("template")
    url = None
    if POSTGRES_URL:
        url = _database_url("sc_template")
        asyncio.run(_admin(POSTGRES_URL, "DROP DATABASE IF EXISTS sc_template", "CREATE DATABASE sc_template"))
    asyncio.run(_prepare_template(data_dir, url))
    yield data_dir
    if POSTGRES_URL:
        asyncio.run(_admin(POSTGRES_URL, "DROP DATABASE IF EXISTS sc_template"))


@contextlib.asynccontextmanager
async def _database_for_test(data_dir: Path, template: str | None) -> AsyncIterator[Settings]:
    """Settings on SQLite in `data_dir`, or on a new PostgreSQL database (a copy of `template`)."""
    if not POSTGRES_URL:
        yield Settings(data_dir=data_dir, database_url=None)
        return
    name = f"sc_test_{os.getpid()}_{next(_counter)}"
    await _admin(POSTGRES_URL, f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    try:
        yield Settings(data_dir=data_dir, database_url=_database_url(name))
    finally:
        await _admin(POSTGRES_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def settings(template_dir: Path, tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings on a private copy of the template database and index."""
    shutil.copytree(template_dir, tmp_path / "data")
    async with _database_for_test(tmp_path / "data", "sc_template") as settings:
        yield settings


@pytest.fixture
async def client(aiohttp_client, settings: Settings):
    """An HTTP client on the real app, served by aiohttp's test server."""
    return await aiohttp_client(create_app(settings))


@pytest.fixture
async def empty_settings(tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings on an empty data dir and an empty database: a first start."""
    async with _database_for_test(tmp_path / "fresh", None) as settings:
        yield settings


@pytest.fixture
def cut_database(settings: Settings):
    """A function that makes the test database unreachable for new connections, as an outage would."""

    async def cut(engine) -> None:
        await engine.dispose()
        if settings.database_url is None:
            database = settings.data_dir / "servicecenter.db"
            database.rename(database.with_suffix(".away"))
            database.mkdir()
            return
        name = make_url(settings.database_url).database
        await _admin(
            POSTGRES_URL,
            f"ALTER DATABASE {name} ALLOW_CONNECTIONS false",
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        )

    return cut


@pytest.fixture(scope="session")
def system_tool():
    """A function that finds a system program (kamailio, sipp, chromium) or skips the test without it.

    `.ci/run` installs every such program and sets SERVICECENTER_CI=1, so there a missing program fails
    the test instead of skipping it.
    """

    def find(name: str) -> str:
        path = shutil.which(name) or next(
            (str(p) for d in ("/usr/sbin", "/usr/bin", "/usr/lib/chromium") if (p := Path(d) / name).exists()), None
        )
        if path:
            return path
        if os.environ.get("SERVICECENTER_CI") == "1":
            pytest.fail(f"{name} is not installed, and CI must run this test")
        pytest.skip(f"{name} is not installed (.ci/run installs it)")

    return find
