"""Request context for logs, and the one place where errors become problem+json responses."""

from __future__ import annotations

import uuid

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler

from knowledge.catalogue.document import DocumentError
from knowledge.errors import Conflict, NotFound, StaleVersion
from knowledge.search.index import SearchUnavailable
from routing.errors import InvalidCall, UnknownLine, UnknownPool
from servicecenter.api.entries import etag
from servicecenter.outages import is_database_outage
from servicecenter.problems import Problem, problem_response

__all__ = [
    "error_middleware",
    "header_encoding_middleware",
    "nul_path_middleware",
    "request_context_middleware",
]

log = structlog.get_logger(__name__)


@web.middleware
async def request_context_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bind a request id (the client's X-Request-ID if sane), method and path to every log line."""
    incoming = request.headers.get("X-Request-ID", "")
    request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id, method=request.method, path=request.path)
    response = await handler(request)
    response.headers["X-Request-ID"] = request_id
    return response


ROUTING_PROBLEMS = (
    (InvalidCall, 422, "Invalid call"),
    (UnknownLine, 422, "Not a line of this center"),
    (UnknownPool, 404, "Unknown pool"),
)


def _as_problem(error: Exception) -> Problem | None:
    """Domain errors of the packages, mapped to HTTP in one table."""
    if isinstance(error, Problem):
        return error
    if isinstance(error, NotFound):
        return Problem(404, str(error))
    if isinstance(error, StaleVersion):
        headers = {"ETag": etag(error.current)} if error.current is not None else None
        return Problem(412, str(error), title="Precondition failed", headers=headers)
    if isinstance(error, Conflict):
        return Problem(409, str(error))
    if isinstance(error, DocumentError):
        return Problem(422, str(error), title="Invalid catalogue document", errors=error.problems)
    for kind, status, title in ROUTING_PROBLEMS:
        if isinstance(error, kind):
            return Problem(status, str(error), title=title)
    if isinstance(error, SearchUnavailable):
        log.warning("search_unavailable", reason=str(error))
        return Problem(
            503,
            "Die Suche ist gerade ausgelastet oder startet neu; bitte gleich noch einmal suchen.",
            title="Search unavailable",
        )
    if is_database_outage(error):
        log.warning("database_unavailable", error=type(error).__name__)
        return Problem(
            503, "the catalogue database is unreachable; routing still answers", title="Database unavailable"
        )
    return None


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error leaves as problem+json; unexpected ones are logged and never show a traceback."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        problem = Problem(
            error.status, error.text if error.text and error.text != error.reason else error.reason
        )
        headers = {k: v for k, v in error.headers.items() if k in ("Allow", "Retry-After")}
        return problem_response(problem, headers)
    except Exception as error:
        mapped = _as_problem(error)
        if mapped is None:
            log.exception("unhandled_error")
            mapped = Problem(500, "internal error; the request id in the logs identifies it")
        return problem_response(mapped, {"Retry-After": "5"} if mapped.status == 503 else mapped.headers)


@web.middleware
async def nul_path_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """404 for a path with a NUL character (%00): no entry has one, and PostgreSQL cannot even look it up."""
    if "\x00" in request.path:
        raise Problem(404, "no such resource")
    return await handler(request)


@web.middleware
async def header_encoding_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """400 for a header that is not UTF-8: aiohttp keeps such bytes as lone surrogates, which no token,
    cookie or name can contain and which cannot be hashed, stored or compared."""
    for name, value in request.raw_headers:
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            raise Problem(400, f"header {name.decode('ascii', 'replace')} is not UTF-8") from None
    return await handler(request)
