"""Logging configured once: readable console output for people, JSON lines for machines.

Our own structlog loggers write straight to stderr (a routing decision is logged per call, so the
stdlib detour would cost more than the decision); standard-library loggers (aiohttp, alembic) go
through the same processors, so every line has the same shape and carries the request id bound by
the middleware.

Nothing a log line carries can leak: tracebacks are plain text without local variables in both formats
(the console renderer would otherwise show every frame's locals, request bodies included), values under
secret-sounding keys are dropped, and every phone number in a line is cut to its area code. A request
aiohttp refuses before it reaches a handler (a request line over 8190 bytes, a broken header) is logged
as `bad_request` at INFO, without the excerpt of the request aiohttp would quote and without traceback.
"""

from __future__ import annotations

import json
import logging
import re
import sys

import phonenumbers
import structlog
from aiohttp.http_exceptions import HttpProcessingError
from structlog.types import EventDict, WrappedLogger

from routing.numbers import parse

__all__ = ["ClientErrorFilter", "area_code_only", "configure_logging", "redact"]

SECRET_KEYS = frozenset(
    {"authorization", "body", "cookie", "csrf_token", "password", "session_id", "text", "token", "caller"}
)
"""Keys whose values never reach a log line, whoever passes them."""

UNTOUCHED_KEYS = frozenset({"timestamp", "request_id", "decision_id", "ticket", "level", "logger"})
"""Keys whose values are ids or times, never phone numbers (scrubbing them would only break correlation)."""

_PHONE_NUMBER = re.compile(r"(?<![\w.])(?:(?:\+|0)\d(?:[ /-]?\d){5,}|\d{7,})(?!\w)")
"""What a phone number looks like: seven or more digits after "+" or "0", grouped by spaces, slashes or
hyphens as people write them, or seven or more digits in a row as a PBX sends them (dates are neither)."""


def _cut(match: re.Match[str]) -> str:
    number = parse(match.group())
    if number is None:
        return "…"
    national = phonenumbers.national_significant_number(number)
    length = phonenumbers.length_of_national_destination_code(number)
    return f"+{number.country_code} {national[:length]} …" if length else f"+{number.country_code} …"


def area_code_only(text: str) -> str:
    """`text` with every phone number cut to country and area code ("+49 2671 …"), as statistics keep them."""
    return _PHONE_NUMBER.sub(_cut, text)


_SHORTEST_NUMBER = 7
"""No text shorter than this holds a phone number as `_PHONE_NUMBER` sees one (its shortest match)."""


def redact(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Drop secret values and cut phone numbers in every text value, the event and the traceback included.
    Short texts (a method, a line, a county key) cannot hold a number and are passed by: this runs for
    every routed call."""
    for key, value in event_dict.items():
        if key.lower() in SECRET_KEYS:
            event_dict[key] = "[redacted]"
        elif isinstance(value, str) and len(value) >= _SHORTEST_NUMBER and key not in UNTOUCHED_KEYS:
            event_dict[key] = area_code_only(value)
    return event_dict


_JSON = json.JSONEncoder(default=repr)


def render_json(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> str:
    """The line as JSON, values JSON does not know by their repr (as structlog's JSONRenderer writes it).
    One encoder serves every line: json.dumps with any option builds a new encoder per call, which cost
    as much as encoding a routed call's line."""
    return _JSON.encode(event_dict)


class ClientErrorFilter(logging.Filter):
    """aiohttp logs a request it cannot parse at ERROR with a traceback whose message quotes the start of
    the request line (a caller number in the query included). A client's mistake is no server error: the
    record becomes `bad_request` at INFO with the kind and status of the error only."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError) and error.code < 500:
            record.msg, record.args, record.exc_info, record.exc_text = "bad_request", (), None, None
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.status, record.error = error.code, type(error).__name__
            return logging.getLogger(record.name).isEnabledFor(logging.INFO)
        return True


def configure_logging(*, log_format: str = "console", level: str = "info") -> None:
    """Route structlog and stdlib logging to stderr in the chosen format."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    # Tracebacks become plain text (no locals) before anything renders them, and are redacted like the rest.
    rendering: list[structlog.types.Processor] = [
        structlog.processors.format_exc_info,
        redact,
        render_json
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        ),
    ]
    structlog.configure(
        processors=[*shared, *rendering],
        logger_factory=structlog.WriteLoggerFactory(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                *shared,
                structlog.stdlib.add_logger_name,
                structlog.stdlib.ExtraAdder(allow=["status", "error"]),
            ],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    server = logging.getLogger("aiohttp.server")
    for old in [f for f in server.filters if isinstance(f, ClientErrorFilter)]:
        server.removeFilter(old)
    server.addFilter(ClientErrorFilter())
    # The access log would print request lines, query strings with caller numbers included; `serve` turns
    # it off, and this keeps it off for any other runner.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # Alembic says at INFO on every start what it is about to do; a migration that happened is logged
    # by knowledge.storage.migrate.upgrade as one `schema_migrated` line instead.
    logging.getLogger("alembic").setLevel(logging.WARNING)
