"""Validation at the edge: query strings and JSON bodies become pydantic models or a 4xx problem.

Text with a NUL character is refused here (422 naming each field), whatever the database: PostgreSQL
cannot store it, and no name, number or text of the catalogue has one. Paths: servicecenter/middleware.py.
"""

from __future__ import annotations

import json
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from servicecenter.problems import Problem, validation_problem

__all__ = ["parse_json", "parse_query", "path_int", "read_json"]

M = TypeVar("M", bound=BaseModel)


def _nul_locations(data: object, prefix: str) -> list[list[str | int]]:
    """Where in decoded JSON (or a query) a string or key holds a NUL character; iterative, as JSON
    nests as deep as the decoder allows."""
    found: list[list[str | int]] = []
    pending: list[tuple[list[str | int], object]] = [([prefix], data)]
    while pending:
        loc, value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            found.append(loc)
        elif isinstance(value, dict):
            found += [[*loc, key] for key in value if "\x00" in key]
            pending += [([*loc, key], item) for key, item in value.items() if "\x00" not in key]
        elif isinstance(value, list):
            pending += [([*loc, i], item) for i, item in enumerate(value)]
    return sorted(found, key=str)


def _refuse_nul(data: object, prefix: str) -> None:
    locations = _nul_locations(data, prefix)
    if locations:
        fields = ", ".join(".".join(map(str, loc[1:])) or prefix for loc in locations)
        raise Problem(
            422,
            f"invalid {prefix}: {fields}",
            title="Validation failed",
            errors=[{"loc": loc, "msg": "text may not contain NUL characters"} for loc in locations],
        )


def parse_query(request: web.Request, model: type[M]) -> M:
    """The query string as `model`; unknown parameters are refused so typos do not pass silently."""
    query = dict(request.query)
    _refuse_nul(query, "query")
    try:
        return model.model_validate(query)
    except ValidationError as error:
        raise validation_problem(error, prefix="query") from None


async def read_json(request: web.Request) -> object:
    """The decoded JSON body: 415 if not JSON, 400 if malformed or nested deeper than the decoder allows,
    422 for text with NUL characters."""
    if request.content_type != "application/json":
        raise Problem(415, "send the body as application/json")
    try:
        data = json.loads(await request.read())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Problem(400, f"malformed JSON: {error}") from None
    except RecursionError:
        raise Problem(400, "malformed JSON: nested too deeply") from None
    _refuse_nul(data, "body")
    return data


async def parse_json(request: web.Request, model: type[M]) -> M:
    """The JSON body as `model`: 415 if not JSON, 400 if malformed, 422 if invalid."""
    data = await read_json(request)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise validation_problem(error, prefix="body") from None


def path_int(request: web.Request, name: str) -> int:
    """A numeric path part (an id or version); 404 for anything a 32-bit database integer cannot hold."""
    value = request.match_info[name]
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise Problem(404, f"no such {name}")
    return int(value)
