"""`servicecenter serve --workers N [--route-port P]`: N processes answering on one port, so every core
serves, and a routing process of its own for the PBX.

Design: a small supervisor process prepares once (schema migrated, demo catalogue and synonyms seeded,
the search index built), then starts N worker processes (multiprocessing "spawn": each a clean
interpreter). Each worker is the whole application and binds the port itself with SO_REUSEPORT, so the
kernel spreads new connections evenly over the workers' own accept queues (no shared accept lock, no
thundering herd). The supervisor restarts a worker that dies, forwards SIGHUP (reload the rules file)
and SIGINT/SIGTERM (graceful stop) to every worker, and a worker whose supervisor is gone (SIGKILL)
stops on its own.

What makes N workers one service: they are exactly like N instances on one PostgreSQL database — pool
reports, decisions, rules, synonyms and the catalogue travel through it (`servicecenter.live_state`,
`servicecenter.live_channel`). SQLite has no such channel, so several workers would each route with
their own pool state: `serve` refuses more than one worker on SQLite and says why.

The search index in DATA_DIR/index is written by worker 0 alone (`WorkerSlot.writes_index`), which
announces each update; the others read it and reopen it when told. Each worker keeps its own search
read processes, so routing stays isolated from search CPU in every worker as before; the ticket worker
runs in worker 0.

The PBX's own port (`--route-port`, PostgreSQL only): one more process, a routing worker, answers there
what the PBX and the balancer ask (`servicecenter.routes.ROUTING_SURFACE`) and nothing else. It is one more
instance on the shared database, so pool reports, rules and closures reach it, and its decisions reach
the others, within a second. Within a worker, a routing request waits for whatever the event loop is
doing — a search's answer being assembled, a page, an import; in the routing worker there is nothing else.
A separate port rather than a path on the shared one, because SO_REUSEPORT spreads connections, not
requests: only a port of its own keeps the PBX's requests away from the search traffic.

Prometheus event metrics are kept per process in a directory the supervisor makes (PROMETHEUS_MULTIPROC_DIR)
and summed on every scrape.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import AsyncIterator
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess

import structlog
from aiohttp import web
from prometheus_client import multiprocess
from sqlalchemy import make_url

from knowledge.search.index import SearchIndex
from knowledge.search.sync import ensure_index
from servicecenter.app import create_app, frozen_startup_ctx
from servicecenter.bootstrap import open_database
from servicecenter.logs import configure_logging
from servicecenter.metrics import MULTIPROCESS_DIR
from servicecenter.reload import reload_rules_on_sighup
from servicecenter.settings import Settings
from servicecenter.worker_slot import WorkerSlot

__all__ = ["WorkerCountError", "resolve_workers", "run_worker", "serve_workers"]

log = structlog.get_logger(__name__)

STOP_WAIT_S = 50
"""How long stopping waits for a worker (its ticket worker may finish an SMTP attempt of up to 40 s)."""
RESTART_PAUSE_S = 1.0
ORPHAN_CHECK_S = 1.0
YIELD_TO_ROUTING_NICENESS = 5
"""With a routing process, how much the other workers (searches, pages, imports, and their search processes
after them) yield the CPU to it: on a saturated machine the kernel then runs the PBX's decisions first and
lets searches wait, instead of sharing the cores evenly and letting both queue."""


class WorkerCountError(ValueError):
    """A worker count this database cannot serve correctly."""


def resolve_workers(settings: Settings, requested: int | None) -> int:
    """How many workers to run: as requested (the flag, else the setting), by default the number of cores on
    PostgreSQL and 1 on SQLite; more than 1, or a routing process, on SQLite raises WorkerCountError."""
    postgres = make_url(settings.database).get_backend_name() == "postgresql"
    if settings.route_port is not None and not postgres:
        raise WorkerCountError(
            "the routing process shares pool state and decisions with the workers through PostgreSQL; on SQLite "
            "it would route with its own: leave out --route-port, or set SERVICECENTER_DATABASE_URL to a "
            "PostgreSQL database"
        )
    if settings.route_port == settings.port:
        raise WorkerCountError("--route-port must differ from --port")
    wanted = requested if requested is not None else settings.workers
    if wanted is None:
        return (os.cpu_count() or 1) if postgres else 1
    if wanted < 1:
        raise WorkerCountError("--workers must be 1 or more")
    if wanted > 1 and not postgres:
        raise WorkerCountError(
            "several workers share pool state and decisions through PostgreSQL; on SQLite each would route "
            "with its own: run one worker, or set SERVICECENTER_DATABASE_URL to a PostgreSQL database"
        )
    return wanted


# -- a worker -----------------------------------------------------------------------------------------


def _orphan_watch(parent: int):
    """Cleanup context: stop gracefully once the supervisor `parent` is gone (it was killed)."""

    async def watch() -> None:
        while os.getppid() == parent:
            await asyncio.sleep(ORPHAN_CHECK_S)
        log.warning("supervisor_gone", supervisor=parent)
        os.kill(os.getpid(), signal.SIGTERM)

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        watching = asyncio.create_task(watch(), name="orphan-watch")
        yield
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watching

    return ctx


def run_worker(settings: Settings, slot: WorkerSlot, parent: int | None = None) -> None:
    """Serve until stopped: the whole application as worker `slot`; with a supervisor `parent`, in a
    process group of its own (a terminal's Ctrl-C reaches the supervisor, which stops the workers in
    order) and sharing the port (SO_REUSEPORT)."""
    if parent is not None:
        os.setpgid(0, 0)
        configure_logging(log_format=settings.log_format, level=settings.log_level)
    if settings.route_port is not None and not slot.routing_only:
        os.nice(YIELD_TO_ROUTING_NICENESS)
    port = settings.route_port if slot.routing_only else settings.port
    url = f"http://{settings.host}:{port}"
    app = create_app(settings, worker=slot)
    app.cleanup_ctx.extend([reload_rules_on_sighup, frozen_startup_ctx])
    if parent is not None:
        app.cleanup_ctx.append(_orphan_watch(parent))
    web.run_app(
        app,
        host=settings.host,
        port=port,
        reuse_port=parent is not None,
        print=lambda _: log.info(
            "serving",
            url=url,
            data_dir=str(settings.data_dir.resolve()),
            worker=slot.index,
            workers=slot.count,
            routing_only=slot.routing_only,
        ),
        access_log=None,
    )


# -- the supervisor -----------------------------------------------------------------------------------


async def _prepare(settings: Settings) -> None:
    """Once, before any worker starts: schema, seeds and the search index (so workers never race on them)."""
    engine, sessionmaker = await open_database(settings)
    index = SearchIndex(settings.index_dir)
    try:
        await ensure_index(index, sessionmaker)
    finally:
        index.close()
        await engine.dispose()


def _port_is_free(host: str, port: int) -> bool:
    """Whether nothing listens on host:port (the workers' SO_REUSEPORT would otherwise share it silently)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


class _Supervisor:
    """Starts, restarts and stops the workers."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.context = multiprocessing.get_context("spawn")
        self.workers: dict[WorkerSlot, BaseProcess] = {}
        self.stopping = False

    def start(self, slot: WorkerSlot) -> None:
        process = self.context.Process(
            target=run_worker,
            args=(self.settings, slot, os.getpid()),
            name=f"servicecenter-{'routing' if slot.routing_only else 'worker'}-{slot.index}",
        )
        process.start()
        self.workers[slot] = process
        log.info("worker_started", worker=slot.index, routing_only=slot.routing_only, pid=process.pid)

    def signal_all(self, signum: int) -> None:
        for process in self.workers.values():
            if process.pid is not None and process.is_alive():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signum)

    def watch(self) -> None:
        """Until stopped: restart each worker that exits (its metrics files are marked dead first)."""
        while not self.stopping:
            sentinels = {process.sentinel: slot for slot, process in self.workers.items()}
            for sentinel in wait(list(sentinels), timeout=0.5):
                if self.stopping:
                    break
                slot = sentinels[sentinel]  # type: ignore[index]
                process = self.workers[slot]
                process.join()
                log.error(
                    "worker_exited",
                    worker=slot.index,
                    routing_only=slot.routing_only,
                    pid=process.pid,
                    exitcode=process.exitcode,
                )
                if process.pid is not None:
                    multiprocess.mark_process_dead(process.pid)
                time.sleep(RESTART_PAUSE_S)
                if not self.stopping:
                    self.start(slot)

    def stop(self) -> None:
        """Stop every worker gracefully (SIGINT), killing one that does not end in STOP_WAIT_S."""
        self.signal_all(signal.SIGINT)
        deadline = time.monotonic() + STOP_WAIT_S
        for process in self.workers.values():
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.error("worker_killed", pid=process.pid)
                process.kill()
                process.join()


def serve_workers(settings: Settings, count: int) -> int:
    """Run `count` workers on one port, and a routing worker on the route port if one is set, until SIGINT or
    SIGTERM; SIGHUP reaches every worker."""
    for port in (settings.port, settings.route_port):
        if port is not None and not _port_is_free(settings.host, port):
            log.error("port_in_use", host=settings.host, port=port)
            return 1
    asyncio.run(_prepare(settings))
    metrics_dir = tempfile.mkdtemp(prefix="servicecenter-metrics-")
    os.environ[MULTIPROCESS_DIR] = metrics_dir
    if "search_workers" not in settings.model_fields_set:
        settings = settings.model_copy(update={"search_workers": max(1, (os.cpu_count() or 1) // count)})
    slots = [WorkerSlot(index, count) for index in range(count)]
    if settings.route_port is not None:
        slots.append(WorkerSlot(count, count, routing_only=True))
    supervisor = _Supervisor(settings)

    def on_stop(_signum: int, _frame: object) -> None:
        supervisor.stopping = True

    def on_hup(_signum: int, _frame: object) -> None:
        supervisor.signal_all(signal.SIGHUP)

    previous = {
        signum: signal.signal(signum, handler)
        for signum, handler in ((signal.SIGINT, on_stop), (signal.SIGTERM, on_stop), (signal.SIGHUP, on_hup))
    }
    try:
        for slot in slots:
            supervisor.start(slot)
        supervisor.watch()
    finally:
        supervisor.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        shutil.rmtree(metrics_dir, ignore_errors=True)
        os.environ.pop(MULTIPROCESS_DIR, None)
    log.info("workers_stopped", workers=count)
    return 0
