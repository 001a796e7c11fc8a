"""Validation at the edge: query strings and JSON bodies become pydantic models or a 4xx problem."""

from __future__ import annotations

import json
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from servicecenter.problems import Problem, validation_problem

__all__ = ["parse_json", "parse_query", "path_int", "read_json"]

M = TypeVar("M", bound=BaseModel)


def parse_query(request: web.Request, model: type[M]) -> M:
    """The query string as `model`; unknown parameters are refused so typos do not pass silently."""
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as error:
        raise validation_problem(error, prefix="query") from None


async def read_json(request: web.Request) -> object:
    """The decoded JSON body: 415 if not JSON, 400 if malformed or nested deeper than the decoder allows."""
    if request.content_type != "application/json":
        raise Problem(415, "send the body as application/json")
    try:
        return json.loads(await request.read())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Problem(400, f"malformed JSON: {error}") from None
    except RecursionError:
        raise Problem(400, "malformed JSON: nested too deeply") from None


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
