"""Request context for logs, the one place where errors become problem+json responses, and how answers
travel: text compressed for clients that accept it, static files cached by their versioned URL."""

from __future__ import annotations

import os
from pathlib import PurePosixPath

import structlog
from aiohttp import hdrs, web
from aiohttp.typedefs import Handler
from aiohttp.web_response import ContentCoding

from knowledge.catalogue.document import DocumentError
from knowledge.errors import Conflict, NotFound, StaleVersion
from knowledge.search.index import SearchUnavailable
from routing.errors import InvalidCall, UnknownLine, UnknownPool
from servicecenter.api.entries import etag
from servicecenter.outages import is_database_outage
from servicecenter.problems import Problem, problem_response

__all__ = [
    "compression_middleware",
    "error_middleware",
    "request_context_middleware",
]

log = structlog.get_logger(__name__)


@web.middleware
async def request_context_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bind a request id (the client's X-Request-ID if sane, else 32 random hex digits), method and path to
    every log line. The id only correlates lines, so it is plain random bytes: building a UUID object cost
    four times as much, on every call the PBX routes."""
    incoming = request.headers.get("X-Request-ID", "")
    request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else os.urandom(16).hex()
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
    """Every error leaves as problem+json; unexpected ones are logged and never show a traceback. A request
    no handler can take (`_refuse_malformed`) is answered here, without one more middleware per request."""
    try:
        _refuse_malformed(request)
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


def _refuse_malformed(request: web.Request) -> None:
    """400 for a header that is not UTF-8: aiohttp keeps such bytes as lone surrogates, which no token,
    cookie or name can contain and which cannot be hashed, stored or compared. Then 404 for a path with a
    NUL character (%00): no entry has one, and PostgreSQL cannot even look it up."""
    for name, value in request.raw_headers:
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            raise Problem(400, f"header {name.decode('ascii', 'replace')} is not UTF-8") from None
    if "\x00" in request.path:
        raise Problem(404, "no such resource")


COMPRESSIBLE_TYPES = frozenset(
    {
        "application/json",
        "application/problem+json",
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "text/csv",
        "text/plain",
        "image/svg+xml",
    }
)
COMPRESSIBLE_SUFFIXES = frozenset({".css", ".js", ".svg", ".json", ".txt"})
MIN_COMPRESSED_BYTES = 1024
"""Smaller answers (a health check, a short list) go as they are: gzip saves little there."""
UNCOMPRESSED_PATHS = frozenset({"/api/v1/route"})
"""The PBX's routing decision goes as it is, whatever its size (1–2 KB with its trace): on the LAN it fits
a segment or two either way, and the PBX waits for the answer while both sides would (de)compress it."""
STATIC_PREFIX = "/static/"
VERSIONED_CACHE = "public, max-age=31536000, immutable"
"""A static URL carries its content hash (`?v=`), so what it names never changes."""
UNVERSIONED_CACHE = "no-cache"
"""Without the hash, a browser keeps the file but asks again (ETag, answered 304 when unchanged)."""


def _quality(params: str) -> float:
    """The q value of one Accept-Encoding entry's parameters (1 when absent or unreadable)."""
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key == "q":
            try:
                return float(value)
            except ValueError:
                return 1.0
    return 1.0


def _accepted_coding(request: web.Request) -> ContentCoding | None:
    """gzip if the client accepts it, else deflate, else None; a coding with q=0 is refused."""
    accepted = set()
    for entry in request.headers.get(hdrs.ACCEPT_ENCODING, "").lower().split(","):
        name, _, params = entry.strip().partition(";")
        if name and _quality(params) > 0:
            accepted.add(name.strip())
    for coding in (ContentCoding.gzip, ContentCoding.deflate):
        if coding.value in accepted:
            return coding
    return None


def _worth_compressing(request: web.Request, response: web.StreamResponse) -> bool:
    """Text answers of 1 KiB or more, and static text files when the answer is the whole file."""
    if hdrs.CONTENT_ENCODING in response.headers:
        return False
    if isinstance(response, web.FileResponse):
        conditional = (hdrs.IF_NONE_MATCH, hdrs.IF_MODIFIED_SINCE, hdrs.RANGE, hdrs.IF_RANGE)
        # a 304 or a byte range is no whole file to compress
        return PurePosixPath(request.path).suffix in COMPRESSIBLE_SUFFIXES and not any(
            header in request.headers for header in conditional
        )
    if isinstance(response, web.Response):
        body = response.body
        return (
            response.content_type in COMPRESSIBLE_TYPES
            and isinstance(body, bytes)
            and len(body) >= MIN_COMPRESSED_BYTES
        )
    return False


@web.middleware
async def compression_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Compress text answers (search results, pages, scripts) with gzip or deflate as the client's
    Accept-Encoding allows, and give static files their cache headers. Bodies over 4 KiB are compressed
    in aiohttp's executor, so a large answer does not hold up the event loop."""
    response = await handler(request)
    path = request.path
    if path in UNCOMPRESSED_PATHS:
        return response
    if path.startswith(STATIC_PREFIX) and response.status < 400:
        response.headers[hdrs.CACHE_CONTROL] = VERSIONED_CACHE if "v" in request.query else UNVERSIONED_CACHE
    if _worth_compressing(request, response):
        response.headers[hdrs.VARY] = hdrs.ACCEPT_ENCODING
        coding = _accepted_coding(request)
        if coding is not None:
            response.enable_compression(coding)
    return response
