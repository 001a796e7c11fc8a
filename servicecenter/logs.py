"""Logging configured once: readable console output for people, JSON lines for machines.

Our own structlog loggers write straight to stderr (a routing decision is logged per call, so the
stdlib detour would cost more than the decision); standard-library loggers (aiohttp, alembic) go
through the same processors, so every line has the same shape and carries the request id bound by
the middleware.
"""

from __future__ import annotations

import logging
import sys

import structlog

__all__ = ["configure_logging"]


def configure_logging(*, log_format: str = "console", level: str = "info") -> None:
    """Route structlog and stdlib logging to stderr in the chosen format."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    # JSON needs tracebacks as text; the console renderer prints them itself.
    rendering: list[structlog.types.Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
        if log_format == "json"
        else [structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())]
    )
    structlog.configure(
        processors=[*shared, *rendering],
        logger_factory=structlog.WriteLoggerFactory(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # Alembic says at INFO on every start what it is about to do; a migration that happened is logged
    # by knowledge.storage.migrate.upgrade as one `schema_migrated` line instead.
    logging.getLogger("alembic").setLevel(logging.WARNING)
