"""RFC 9457 problem details: the one error shape of the HTTP API."""

from __future__ import annotations

from http import HTTPStatus

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError
from pydantic_core import ErrorDetails

__all__ = [
    "PROBLEM_JSON",
    "Problem",
    "ProblemBody",
    "german_validation_problem",
    "problem_response",
    "validation_problem",
]

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


def _german(error: ErrorDetails) -> str:
    """One pydantic error as a German sentence for an editor's form; our own checks already speak German."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "scope_kind":  # the custom error of a scope object (knowledge.closures.schemas)
        return str(error["msg"])
    if kind in ("missing", "string_too_short"):
        return "Bitte ausfüllen."
    if kind == "string_too_long":
        return f"Höchstens {ctx.get('max_length')} Zeichen."
    if kind.startswith("datetime") or kind.startswith("date_"):
        return "Bitte Datum und Uhrzeit angeben, z. B. 2026-11-27T14:00."
    if kind == "literal_error":
        return f"Erlaubt: {ctx.get('expected')}."
    if kind == "extra_forbidden":
        return "Diese Angabe gibt es hier nicht."
    if kind == "string_pattern_mismatch":
        return "Das Format stimmt nicht."
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return "Falscher Typ."
    return "Diese Angabe ist ungültig."


def german_validation_problem(error: ValidationError, *, prefix: str) -> Problem:
    """`validation_problem` for the forms editors and supervisors fill in: the messages in German."""
    errors = [{"loc": [prefix, *e["loc"]], "msg": _german(e)} for e in error.errors(include_url=False)]
    fields = ", ".join(sorted({".".join(map(str, e["loc"][1:])) or prefix for e in errors}))
    return Problem(422, f"Bitte prüfen: {fields}", title="Ungültige Angaben", errors=errors)


def problem_response(problem: Problem, headers: dict | None = None) -> web.Response:
    """The HTTP response for `problem`."""
    return web.json_response(
        problem.body(), status=problem.status, content_type=PROBLEM_JSON, headers=headers
    )
