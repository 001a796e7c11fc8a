"""Real parts for every test: a migrated database with the demo catalogue, a whoosh index, the app.

The database runs on SQLite by default and on PostgreSQL when SERVICECENTER_TEST_DATABASE_URL names a
server (`.ci/run` starts one). Migrating and seeding happen once per session into a template, which
every test copies: a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from knowledge import accounts
from knowledge.accounts import Role
from knowledge.search.index import SearchIndex
from knowledge.search.sync import ensure_index
from knowledge.storage.db import create_engine, create_sessionmaker
from servicecenter.app import create_app
from servicecenter.auth import hash_password
from servicecenter.bootstrap import open_database
from servicecenter.settings import Settings

POSTGRES_URL = os.environ.get("SERVICECENTER_TEST_DATABASE_URL")
TEMPLATE = f"sc_template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
"""Each pytest-xdist worker prepares its own template database."""
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
        url = _database_url(TEMPLATE)
        asyncio.run(
            _admin(POSTGRES_URL, f"DROP DATABASE IF EXISTS {TEMPLATE}", f"CREATE DATABASE {TEMPLATE}")
        )
    asyncio.run(_prepare_template(data_dir, url))
    yield data_dir
    if POSTGRES_URL:
        asyncio.run(_admin(POSTGRES_URL, f"DROP DATABASE IF EXISTS {TEMPLATE}"))


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
    async with _database_for_test(tmp_path / "data", TEMPLATE) as settings:
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
def make_user(settings: Settings):
    """`await make_user(name, role, county=None, password=None)` -> a bearer header for that user.

    Without a password the user can only use its token (the stored hash matches no password).
    """

    async def make(name: str, role: str, county: str | None = None, password: str | None = None) -> dict:
        engine = create_engine(settings.database)
        try:
            async with create_sessionmaker(engine).begin() as session:
                user = await accounts.add_user(
                    session,
                    name=name,
                    role=Role(role),
                    county=county,
                    password_hash=hash_password(password) if password else "!",
                )
                token = await accounts.create_token(session, user=user)
        finally:
            await engine.dispose()
        return {"Authorization": f"Bearer {token}"}

    return make


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
            (
                str(p)
                for d in ("/usr/sbin", "/usr/bin", "/usr/lib/chromium")
                if (p := Path(d) / name).exists()
            ),
            None,
        )
        if path:
            return path
        if os.environ.get("SERVICECENTER_CI") == "1":
            pytest.fail(f"{name} is not installed, and CI must run this test")
        pytest.skip(f"{name} is not installed (.ci/run installs it)")

    return find


@dataclass
class ServiceProcess:
    """A `servicecenter serve` process on loopback, its JSON log in a file."""

    process: subprocess.Popen
    url: str
    log_path: Path

    def log_lines(self) -> list[dict]:
        """The JSON log lines written so far."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def get_json(self, path: str) -> dict:
        """GET `path` and decode the JSON answer (raises on a non-2xx status)."""
        with urllib.request.urlopen(self.url + path, timeout=5) as response:
            return json.load(response)

    def stop(self) -> None:
        """Stop by PID: SIGINT (graceful), a bounded wait, then SIGKILL."""
        stop_process(self.process, signal.SIGINT)


def stop_process(
    process: subprocess.Popen, first: signal.Signals = signal.SIGTERM, wait_s: float = 10
) -> None:
    """Stop one process we started: `first`, wait at most `wait_s`, then kill it."""
    if process.poll() is None:
        process.send_signal(first)
        try:
            process.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=wait_s)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def start_service(settings: Settings, tmp_path: Path) -> Iterator[Callable[..., ServiceProcess]]:
    """A function that starts `servicecenter serve` on the test database (environment overrides as
    keyword arguments, e.g. SERVICECENTER_RULES_FILE=...; one worker process unless
    SERVICECENTER_WORKERS says otherwise) and waits until /readyz answers; every process it started is
    stopped by its PID at the end of the test."""
    started: list[ServiceProcess] = []

    def start(**env: str) -> ServiceProcess:
        port = free_port()
        log_path = tmp_path / f"serve-{len(started)}.log"
        full_env = {
            **os.environ,
            "SERVICECENTER_LOG_FORMAT": "json",
            "SERVICECENTER_DATA_DIR": str(settings.data_dir),
            "SERVICECENTER_WORKERS": "1",
        }
        if settings.database_url:
            full_env["SERVICECENTER_DATABASE_URL"] = settings.database_url
        full_env.update(env)
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                [sys.executable, "-m", "servicecenter", "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=full_env,
                stdout=subprocess.DEVNULL,
                stderr=log_file,
                stdin=subprocess.DEVNULL,
            )
        service = ServiceProcess(process, f"http://127.0.0.1:{port}", log_path)
        started.append(service)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"the service exited during start-up:\n{log_path.read_text()}")
            try:
                service.get_json("/readyz")
                return service
            except urllib.error.HTTPError as error:  # not ready yet; the error holds the answer's connection
                error.close()
                time.sleep(0.1)
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the service did not become ready within 60 s")

    yield start
    for service in started:
        service.stop()
