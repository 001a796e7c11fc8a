"""Validation at the edge: query strings and JSON bodies become pydantic models or a 4xx problem.

Text with a NUL character is refused here (422 naming each field), whatever the database: PostgreSQL
cannot store it, and no name, number or text of the catalogue has one. Paths: servicecenter/middleware.py.

JSON is bounded before any model sees it (400): integers of at most MAX_INTEGER_DIGITS digits (Python
refuses to convert longer ones, and converting is quadratic below that limit), finite numbers only (NaN
and Infinity are no JSON), nesting at most MAX_JSON_DEPTH deep.
"""

from __future__ import annotations

import json
import math
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from servicecenter.problems import Problem, german_validation_problem, validation_problem

__all__ = ["parse_json", "parse_query", "path_int", "read_json"]

M = TypeVar("M", bound=BaseModel)

MAX_INTEGER_DIGITS = 30
"""More digits than any count, id or version of the API has; a longer integer is no honest request."""
MAX_JSON_DEPTH = 32
"""Deeper than any document of the API (the catalogue document nests 7 levels)."""


class _Unbounded(ValueError):
    """A JSON number the reader refuses."""


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _Unbounded(f"an integer has more than {MAX_INTEGER_DIGITS} digits")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Unbounded("a number is too large")
    return value


def _no_constant(name: str) -> object:
    raise _Unbounded(f"{name} is not JSON")


def _nul_locations(data: object, prefix: str) -> list[list[str | int]]:
    """Where in decoded JSON (or a query) a string or key holds a NUL character; iterative, as JSON
    nests as deep as the decoder allows. 400 when it nests deeper than MAX_JSON_DEPTH."""
    found: list[list[str | int]] = []
    pending: list[tuple[list[str | int], object]] = [([prefix], data)]
    while pending:
        loc, value = pending.pop()
        if len(loc) > MAX_JSON_DEPTH and isinstance(value, dict | list):
            raise Problem(400, f"malformed JSON: nested deeper than {MAX_JSON_DEPTH} levels")
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
    """The query string as `model`; unknown parameters are refused so typos do not pass silently. A query is
    flat, so one look at its texts tells whether any holds a NUL (the PBX's every call passes here); only
    then are they walked to name each field."""
    query = dict(request.query)
    if any("\x00" in text for item in query.items() for text in item):
        _refuse_nul(query, "query")
    try:
        return model.model_validate(query)
    except ValidationError as error:
        raise validation_problem(error, prefix="query") from None


async def read_json(request: web.Request) -> object:
    """The decoded JSON body: 415 if not JSON, 400 if malformed, nested too deeply or with unbounded numbers,
    422 for text with NUL characters."""
    if request.content_type != "application/json":
        raise Problem(415, "send the body as application/json")
    try:
        data = json.loads(
            await request.read(),
            parse_int=_bounded_int,
            parse_float=_finite_float,
            parse_constant=_no_constant,
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Problem(400, f"malformed JSON: {error}") from None
    except _Unbounded as error:
        raise Problem(400, f"malformed JSON: {error}") from None
    except RecursionError:
        raise Problem(400, "malformed JSON: nested too deeply") from None
    _refuse_nul(data, "body")
    return data


async def parse_json(request: web.Request, model: type[M], *, german: bool = False) -> M:
    """The JSON body as `model`: 415 if not JSON, 400 if malformed, 422 if invalid (with German messages
    when `german`, for forms people fill in)."""
    data = await read_json(request)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problem = german_validation_problem if german else validation_problem
        raise problem(error, prefix="body") from None


def path_int(request: web.Request, name: str) -> int:
    """A numeric path part (an id or version); 404 for anything a 32-bit database integer cannot hold."""
    value = request.match_info[name]
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise Problem(404, f"no such {name}")
    return int(value)
