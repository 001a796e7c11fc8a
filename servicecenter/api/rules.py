"""Routing rules over HTTP (admins): versions in the database, checked before they are stored,
activated by swapping the live policy (pool state kept), rolled back by activating an earlier one."""

from __future__ import annotations

import datetime as dt

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from knowledge import rule_versions
from knowledge.rule_versions import RuleVersion
from routing.errors import RuleFileError
from routing.rulefile import MAX_TEXT_CHARS
from servicecenter.api.params import parse_json, path_int
from servicecenter.auth import Action, authorize
from servicecenter.keys import POLICY_SERVICE, SESSIONMAKER, SETTINGS
from servicecenter.problems import Problem

__all__ = [
    "RulesUpload",
    "RulesVersionInfo",
    "activate_version",
    "get_rules",
    "get_version",
    "list_versions",
    "put_rules",
]

log = structlog.get_logger(__name__)


class RulesUpload(BaseModel):
    """A complete rule file (YAML, as `config/routing/emh.yaml`)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    activate: bool = Field(default=True, description="make it the live policy at once")


class RulesVersionInfo(BaseModel):
    version: int | None = Field(description="None: the rules file of the settings is in force")
    author: str | None
    created_at: dt.datetime | None
    active: bool
    text: str | None = None


def _info(row: RuleVersion, *, with_text: bool = False) -> dict:
    info = RulesVersionInfo(
        version=row.version,
        author=row.author,
        created_at=row.created_at,
        active=row.active,
        text=row.text if with_text else None,
    )
    return info.model_dump(mode="json", exclude_none=not with_text)


def _invalid(error: RuleFileError) -> Problem:
    errors = [{"loc": ["body", "text"], "line": p.line, "msg": p.message} for p in error.problems]
    return Problem(
        422,
        f"{len(errors)} Fehler in der Regeldatei; nichts wurde gespeichert",
        title="Ungültige Routing-Regeln",
        errors=errors,
    )


async def get_rules(request: web.Request) -> web.Response:
    """GET /api/v1/routing/rules: the rules in force, with their text."""
    await authorize(request, Action.manage_routing_rules)
    async with request.app[SESSIONMAKER]() as session:
        active = await rule_versions.active_version(session)
    if active is not None:
        return web.json_response(_info(active, with_text=True))
    rules_file = request.app[SETTINGS].rules_file
    info = RulesVersionInfo(
        version=None, author=None, created_at=None, active=True, text=rules_file.read_text(encoding="utf-8")
    )
    return web.json_response(info.model_dump(mode="json"))


async def put_rules(request: web.Request) -> web.Response:
    """PUT /api/v1/routing/rules: store a new version (and by default activate it); 422 lists every problem."""
    identity = await authorize(request, Action.manage_routing_rules)
    upload = await parse_json(request, RulesUpload)
    try:
        row = await request.app[POLICY_SERVICE].save(
            upload.text, author=identity.name, activate=upload.activate
        )
    except RuleFileError as error:
        raise _invalid(error) from None
    return web.json_response(_info(row), status=201)


async def list_versions(request: web.Request) -> web.Response:
    """GET /api/v1/routing/rules/versions: every stored version, newest first (without text)."""
    await authorize(request, Action.manage_routing_rules)
    async with request.app[SESSIONMAKER]() as session:
        rows = await rule_versions.list_versions(session)
    return web.json_response([_info(r) for r in rows])


async def get_version(request: web.Request) -> web.Response:
    """GET /api/v1/routing/rules/versions/{version}: one stored version with its text."""
    await authorize(request, Action.manage_routing_rules)
    async with request.app[SESSIONMAKER]() as session:
        row = await rule_versions.get_version(session, version=path_int(request, "version"))
    if row is None:
        raise Problem(404, "no such version")
    return web.json_response(_info(row, with_text=True))


async def activate_version(request: web.Request) -> web.Response:
    """POST /api/v1/routing/rules/versions/{version}/activate: make a stored version live (rollback)."""
    identity = await authorize(request, Action.manage_routing_rules)
    try:
        row = await request.app[POLICY_SERVICE].activate(path_int(request, "version"), actor=identity.name)
    except RuleFileError as error:
        raise _invalid(error) from None
    if row is None:
        raise Problem(404, "no such version")
    return web.json_response(_info(row))
