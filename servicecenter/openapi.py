"""The OpenAPI 3.1 description of the JSON API, built from the pydantic models the handlers use.

`ApiRoutes.add` registers a route on the router and declares its operation in the same call, so the
description cannot leave out a route and lists exactly what the URL map serves. Schemas come from
pydantic (`TypeAdapter.json_schemas`, one set of component names for every model); error responses,
security and the If-Match header follow from what an operation declares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from servicecenter.auth import CSRF_HEADER, SESSION_COOKIE
from servicecenter.problems import PROBLEM_JSON, ProblemBody

__all__ = ["API_ROUTES", "ApiRoutes", "Operation", "Reply", "ok", "openapi_json", "problem"]

REF = "#/components/schemas/{model}"
INFO = {
    "title": "115-Servicecenter EMH",
    "version": "1",
    "description": "Leistungsverzeichnis search and call routing for the 115-Servicecenter Eifel-Mosel-Hunsrück. "
    "Errors are application/problem+json (RFC 9457); bad input never yields a 5xx.",
}
_PATH_PARAM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Reply:
    """One documented response: the body type per media type (none: no body) and its headers."""

    description: str
    content: dict[str, Any] = field(default_factory=dict)
    headers: tuple[str, ...] = ()


def ok(model: Any, description: str, *headers: str) -> Reply:
    """A JSON response whose body is `model` (a pydantic model or any type a TypeAdapter takes)."""
    return Reply(description, {"application/json": model}, headers)


def problem(description: str, *headers: str) -> Reply:
    """An error response: RFC 9457 problem+json."""
    return Reply(description, {PROBLEM_JSON: ProblemBody}, headers)


HEADERS = {
    "ETag": {
        "description": "the entry's version; send it back as If-Match to change the entry",
        "schema": {"type": "string", "pattern": r'^"\d+"$'},
    },
    "Location": {"description": "the URL of the new entry", "schema": {"type": "string"}},
    "Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "string"}},
    "Set-Cookie": {
        "description": f"`{SESSION_COOKIE}`, HttpOnly, SameSite=Lax",
        "schema": {"type": "string"},
    },
    "WWW-Authenticate": {"description": "the scheme to authenticate with", "schema": {"type": "string"}},
}

SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "a token from `servicecenter token create`",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "the web session from `POST /api/v1/session`",
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": CSRF_HEADER,
        "description": "the session's CSRF token; required with the session cookie on unsafe methods",
    },
}

IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "the ETag of the version you read; a stale one gets 412 and changes nothing",
    "schema": {"type": "string", "pattern": r'^"\d{1,9}"$'},
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "a key of your choice (e.g. a UUID); sending the same key again returns the entry it created "
    "with 200 instead of creating another",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
}

QUERY_PROBLEMS = {422: problem("invalid query parameters, each named in `errors`")}
BODY_PROBLEMS = {
    400: problem("a malformed body (JSON that does not parse, text that is not UTF-8)"),
    413: problem("the body is larger than 8 MiB"),
    415: problem("the body is not of the media type documented"),
    422: problem("invalid fields, each named in `errors`"),
}
AUTH_PROBLEMS = {
    401: problem("no credentials, or an unknown token", "WWW-Authenticate"),
    403: problem("the role or county may not do this (or a session request without its CSRF token)"),
}
IF_MATCH_PROBLEMS = {
    412: problem("If-Match names another version than the current one", "ETag"),
    428: problem("If-Match is missing"),
}
DATABASE_PROBLEMS = {503: problem("the catalogue database is unreachable", "Retry-After")}


@dataclass(frozen=True)
class Operation:
    """What a route does and accepts: the declaration its OpenAPI operation is built from."""

    summary: str
    tag: str
    replies: dict[int, Reply]
    query: type[BaseModel] | None = None
    body: Any = None
    body_media: str = "application/json"
    auth: bool = False
    """Bearer token or session cookie (with its CSRF token on unsafe methods) required."""
    if_match: bool = False
    idempotency: bool = False
    """An optional Idempotency-Key header makes a repeated create return the first result."""
    database: bool = True
    """False for the answers from memory that keep working while the database is down."""
    path_params: dict[str, str] = field(default_factory=dict)
    """Descriptions of the path parameters; undescribed ones are plain strings."""

    def all_replies(self) -> dict[int, Reply]:
        """The declared replies plus the problems that follow from query, body, auth, If-Match, database."""
        derived: dict[int, Reply] = {}
        for applies, problems in (
            (self.query, QUERY_PROBLEMS),
            (self.body, BODY_PROBLEMS),
            (self.auth, AUTH_PROBLEMS),
            (self.if_match, IF_MATCH_PROBLEMS),
            (self.database, DATABASE_PROBLEMS),
        ):
            if applies:
                derived |= problems
        return dict(sorted((derived | self.replies).items()))


class ApiRoutes:
    """The JSON API's routes: each registered on the router and described in the OpenAPI document."""

    def __init__(self, router: web.UrlDispatcher, *, only: frozenset[str] | None = None) -> None:
        self.router = router
        self.only = only
        """The paths to serve (None: all); the others are left out."""
        self.operations: list[tuple[str, str, Operation]] = []

    def add(self, method: str, path: str, handler: Handler, operation: Operation) -> None:
        """Serve `method path` with `handler` (GET also answers HEAD) and describe it as `operation`."""
        if self.only is not None and path not in self.only:
            return
        if method == "GET":
            self.router.add_get(path, handler)
        else:
            self.router.add_route(method, path, handler)
        self.operations.append((method, path, operation))

    @cached_property
    def document(self) -> dict:
        """The OpenAPI 3.1 document of every operation added; built on first use (it takes ~40 ms)."""
        inputs: list[tuple[Any, JsonSchemaMode]] = []
        for _, _, op in self.operations:
            inputs += [(t, "validation") for t in (op.query, op.body) if t is not None]
            inputs += [(m, "serialization") for r in op.all_replies().values() for m in r.content.values()]
        keys = list(dict.fromkeys(inputs))
        schemas, definitions = TypeAdapter.json_schemas(
            [(model, mode, TypeAdapter(model)) for model, mode in keys], ref_template=REF
        )
        components = definitions.get("$defs", {})
        paths: dict[str, dict] = {}
        for method, path, op in self.operations:
            paths.setdefault(path, {})[method.lower()] = _operation(method, path, op, schemas, components)
        return {
            "openapi": "3.1.0",
            "info": INFO,
            "paths": paths,
            "components": {"schemas": components, "securitySchemes": SECURITY_SCHEMES},
        }


def _query_parameters(schema: dict, components: dict) -> list[dict]:
    """One parameter per field of a query model; a query parameter is absent rather than null."""
    model = components[schema["$ref"].rsplit("/", 1)[-1]]
    parameters = []
    for name, prop in model["properties"].items():
        prop = dict(prop)
        variants = [v for v in prop.pop("anyOf", [prop]) if v.get("type") != "null"]
        if prop.get("default", 0) is None:
            del prop["default"]
        prop = (variants[0] | prop) if len(variants) == 1 else prop | {"anyOf": variants}
        parameter = {
            "name": name,
            "in": "query",
            "required": name in model.get("required", []),
            "schema": prop,
        }
        if "description" in prop:
            parameter["description"] = prop.pop("description")
        parameters.append(parameter)
    return parameters


def _operation(method: str, path: str, op: Operation, schemas: dict, components: dict) -> dict:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        | ({"description": op.path_params[name]} if name in op.path_params else {})
        for name in _PATH_PARAM.findall(path)
    ]
    if op.query is not None:
        parameters += _query_parameters(schemas[(op.query, "validation")], components)
    if op.if_match:
        parameters.append(IF_MATCH)
    if op.idempotency:
        parameters.append(IDEMPOTENCY_KEY)
    described: dict[str, Any] = {
        "summary": op.summary,
        "operationId": f"{method.lower()}{re.sub(r'[^A-Za-z0-9]+', '_', path)}".rstrip("_"),
        "tags": [op.tag],
        "parameters": parameters,
        "responses": {str(status): _reply(reply, schemas) for status, reply in op.all_replies().items()},
    }
    if op.body is not None:
        described["requestBody"] = {
            "required": True,
            "content": {op.body_media: {"schema": schemas[(op.body, "validation")]}},
        }
    if op.auth:
        session: dict[str, list[str]] = (
            {"session": [], "csrf": []} if method not in ("GET", "HEAD") else {"session": []}
        )
        described["security"] = [{"bearer": []}, session]
    return described


def _reply(reply: Reply, schemas: dict) -> dict:
    described: dict[str, Any] = {"description": reply.description}
    if reply.content:
        described["content"] = {
            media: {"schema": schemas[(model, "serialization")]} for media, model in reply.content.items()
        }
    if reply.headers:
        described["headers"] = {name: HEADERS[name] for name in reply.headers}
    return described


API_ROUTES = web.AppKey("api_routes", ApiRoutes)
"""The application's JSON routes; declared here, as servicecenter/keys.py cannot import this module."""


async def openapi_json(request: web.Request) -> web.Response:
    """GET /api/openapi.json: the description of every JSON route."""
    return web.json_response(request.app[API_ROUTES].document)
