"""RFC 9457 problem details: the one error shape of the HTTP API."""

from __future__ import annotations

from http import HTTPStatus

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

__all__ = ["PROBLEM_JSON", "Problem", "ProblemBody", "problem_response", "validation_problem"]

PROBLEM_JSON = "application/problem+json"


class ProblemError(BaseModel):
    """One invalid field: where (`body`/`query` first, then the path into it) and what is wrong."""

    loc: list[str | int]
    msg: str
    line: int | None = Field(default=None, description="the line in an uploaded rule file")


class ProblemBody(BaseModel):
    """The one error shape of the API (RFC 9457), as `Problem.body()` writes it."""

    type: str = Field(description="about:blank unless a more specific type is named")
    title: str
    status: int
    detail: str
    errors: list[ProblemError] | None = Field(default=None, description="validation errors, one per field")


class Problem(Exception):
    """An error the client can act on; the middleware renders it as problem+json."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        errors: list[dict] | None = None,
        type_: str = "about:blank",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.headers = headers
        self.status = status
        self.title = title or HTTPStatus(status).phrase
        self.detail = detail
        self.errors = errors
        self.type = type_

    def body(self) -> dict:
        body = {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def validation_problem(error: ValidationError, *, prefix: str) -> Problem:
    """A 422 naming each invalid field, with `prefix` ('query' or 'body') as the first location part."""
    errors = [{"loc": [prefix, *e["loc"]], "msg": e["msg"]} for e in error.errors(include_url=False)]
    fields = ", ".join(sorted({".".join(map(str, e["loc"][1:])) or prefix for e in errors}))
    return Problem(422, f"invalid {prefix}: {fields}", title="Validation failed", errors=errors)


def problem_response(problem: Problem, headers: dict | None = None) -> web.Response:
    """The HTTP response for `problem`."""
    return web.json_response(
        problem.body(), status=problem.status, content_type=PROBLEM_JSON, headers=headers
    )
