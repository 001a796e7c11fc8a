"""The cluster rig: PostgreSQL, three `servicecenter serve` instances and HAProxy in front of them, on loopback.

HAProxy runs the shipped `config/haproxy/servicecenter.cfg` with the addresses in its environment, so
the test exercises the configuration operators deploy (docs/deployment.md). Each instance has its own
data dir and search index and shares the one database. PostgreSQL runs from Debian's binaries as the
`postgres` user when we are root (as in `.ci/run`). Every process is stopped by its PID, and every wait
is bounded. `benchmarks/cluster.py` loads this file for the same rig outside pytest.

Ports: free ones from the operating system, or from SERVICECENTER_CLUSTER_PORTS (e.g. `56000-56099`)
where a machine shares port ranges among people.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HAPROXY_CFG = ROOT / "config" / "haproxy" / "servicecenter.cfg"
START_S = 300
"""A first start loads the demo catalogue and the LeiKa list and builds the index: a minute on a busy machine."""


def _bound(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class Ports:
    """Free TCP ports on 127.0.0.1, each handed out once."""

    def __init__(self) -> None:
        spec = os.environ.get("SERVICECENTER_CLUSTER_PORTS")
        first, _, last = (spec or "").partition("-")
        self._range = iter(range(int(first), int(last) + 1)) if spec else None
        self._given: set[int] = set()

    def __call__(self) -> int:
        if self._range is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                return s.getsockname()[1]
        for port in self._range:
            if port not in self._given and not _bound(port):
                self._given.add(port)
                return port
        raise RuntimeError("no free port left in SERVICECENTER_CLUSTER_PORTS")


def postgres_bin() -> Path | None:
    """Debian's newest PostgreSQL server binaries, if installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def stop_pid(process: subprocess.Popen, first: signal.Signals = signal.SIGTERM, wait_s: float = 20) -> None:
    """Stop one process we started: `first`, a bounded wait, then SIGKILL."""
    if process.poll() is None:
        process.send_signal(first)
        try:
            process.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=wait_s)


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = START_S) -> None:
    """Until `url` answers 200; fails when the process exits first or the time is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args[:4]} exited during start-up:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError as error:  # not ready yet; the error holds the answer's connection
            error.close()
            time.sleep(0.2)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} not ready within {seconds} s")


@dataclass
class Postgres:
    """A throwaway PostgreSQL server on loopback, stopped by the PID in its postmaster.pid. Its directory is
    a fresh one under /tmp that the postgres user can reach (pytest's own are private to us)."""

    port: int
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sc-cluster-pg-")))
    pid: int = 0

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *argv], check=True, capture_output=True, timeout=120)

    def start(self, bin_dir: Path) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        data = self.directory / "db"
        self._run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off"
        self._run(
            str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(self.directory / "log"), "-w", "-t", "60",
            "-o", options, "start",
        )  # fmt: skip
        self.pid = int((data / "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGINT)
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    os.kill(self.pid, 0)
                    time.sleep(0.1)
                os.kill(self.pid, signal.SIGKILL)
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class Instance:
    """One `servicecenter serve` (with its workers) on its own port and data dir."""

    name: str
    port: int
    route_port: int
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def route_url(self) -> str:
        """The instance's routing process (`serve --route-port`)."""
        return f"http://127.0.0.1:{self.route_port}"

    @property
    def log(self) -> Path:
        return self.data_dir.parent / f"{self.name}.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "servicecenter",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--route-port",
                    str(self.route_port),
                ],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                cwd=ROOT,
            )

    def wait_ready(self) -> None:
        assert self.process is not None
        wait_for(f"{self.url}/readyz", self.process, self.log)
        wait_for(f"{self.route_url}/readyz", self.process, self.log)

    def kill(self) -> None:
        """SIGKILL: the instance vanishes mid-request, as on a crash or a pulled cable."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is not None:
            stop_pid(self.process, signal.SIGINT, wait_s=60)


@dataclass
class HAProxy:
    """HAProxy in the foreground (-db) on the shipped configuration."""

    port: int
    pbx_port: int
    socket_path: Path
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pbx_url(self) -> str:
        """Where the PBX asks for decisions: the instances' routing processes behind it."""
        return f"http://127.0.0.1:{self.pbx_port}"

    def start(self, binary: str, instances: list[Instance]) -> None:
        env = {
            **os.environ,
            "SC_LISTEN": f"127.0.0.1:{self.port}",
            "SC_PBX_LISTEN": f"127.0.0.1:{self.pbx_port}",
            "SC_STATS_SOCKET": str(self.socket_path),
            **{f"SC_INSTANCE_{i}": f"127.0.0.1:{instance.port}" for i, instance in enumerate(instances, 1)},
            **{
                f"SC_ROUTING_{i}": f"127.0.0.1:{instance.route_port}"
                for i, instance in enumerate(instances, 1)
            },
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [binary, "-f", str(HAPROXY_CFG), "-db"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )

    def servers(self, backend: str = "instances") -> dict[str, str]:
        """Each server's status in `backend` (`instances`, or `routing` for the routing processes) as HAProxy
        sees it now (`UP`, `DOWN`, …), from `show stat`."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(str(self.socket_path))
            s.sendall(b"show stat\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        rows = csv.DictReader(io.StringIO(data.decode().lstrip("# ")))
        return {
            row["svname"]: row["status"]
            for row in rows
            if row["pxname"] == backend and row["svname"].startswith("sc")
        }

    def wait_all_up(self, count: int) -> None:
        deadline = time.monotonic() + 60
        seen: dict[str, dict[str, str]] = {}
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                seen = {backend: self.servers(backend) for backend in ("instances", "routing")}
            except OSError:  # the stats socket is not there yet
                seen = {}
            if seen and all(list(up.values()).count("UP") == count for up in seen.values()):
                return
            time.sleep(0.1)
        raise AssertionError(f"HAProxy does not see {count} instances up: {seen}")

    def stop(self) -> None:
        if self.process is not None:
            stop_pid(self.process, signal.SIGTERM)


@dataclass
class Cluster:
    """PostgreSQL, three instances, HAProxy; tokens of a PBX, a catalogue editor and an agent (logged-in
    agents' searches are not limited per client address, which behind the load balancer is one)."""

    postgres: Postgres
    instances: list[Instance]
    haproxy: HAProxy
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def _cli(env: dict[str, str], *argv: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "servicecenter", *argv],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@contextlib.contextmanager
def running_cluster(
    tmp: Path, haproxy_binary: str, pg_bin: Path, *, workers: int = 1, search_workers: int = 1
) -> Iterator[Cluster]:
    """The whole rig, started in order (database, first instance, the other two on a copy of its index,
    HAProxy) and stopped by PID in reverse order, whatever happens in between."""
    ports = Ports()
    postgres = Postgres(ports())
    instances: list[Instance] = []
    haproxy = HAProxy(ports(), ports(), tmp / "haproxy.sock", tmp / "haproxy.log")
    try:
        postgres.start(pg_bin)
        for n in (1, 2, 3):
            data_dir = tmp / f"sc{n}" / "data"
            data_dir.mkdir(parents=True)
            env = {
                **os.environ,
                "SERVICECENTER_DATABASE_URL": postgres.url,
                "SERVICECENTER_DATA_DIR": str(data_dir),
                "SERVICECENTER_LOG_FORMAT": "json",
                "SERVICECENTER_WORKERS": str(workers),
                "SERVICECENTER_SEARCH_WORKERS": str(search_workers),
                "SERVICECENTER_TICKET_WORKER": "true" if n == 1 else "false",
            }
            instances.append(Instance(f"sc{n}", ports(), ports(), data_dir, env))
        first, *others = instances
        first.start()
        first.wait_ready()
        for instance in others:  # the index is derived data: a copy of a current one needs no rebuild
            shutil.copytree(first.data_dir / "index", instance.data_dir / "index")
            instance.start()
        for instance in others:
            instance.wait_ready()
        haproxy.start(haproxy_binary, instances)
        haproxy.wait_all_up(len(instances))
        cluster = Cluster(postgres, instances, haproxy)
        for name, role in (("acd", "pbx"), ("cora", "catalogue_editor"), ("anna", "agent")):
            _cli(first.env, "user", "add", name, "--role", role, stdin="Passwort-115-lang\n")
            cluster.tokens[role] = _cli(first.env, "token", "create", name)
        yield cluster
    finally:
        haproxy.stop()
        for instance in instances:
            instance.stop()
        postgres.stop()


@pytest.fixture
def cluster(tmp_path: Path, system_tool) -> Iterator[Cluster]:
    """The running rig; skipped without haproxy or PostgreSQL's server binaries (CI installs both)."""
    haproxy = system_tool("haproxy")
    pg_bin = postgres_bin()
    if pg_bin is None:
        if os.environ.get("SERVICECENTER_CI") == "1":
            pytest.fail("PostgreSQL's server is not installed, and CI must run this test")
        pytest.skip("PostgreSQL's server is not installed (.ci/run installs it)")
    with running_cluster(tmp_path, haproxy, pg_bin) as running:
        yield running
