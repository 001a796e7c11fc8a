"""The one flow of every catalogue edit: authorise, check If-Match, validate, write conditionally, audit.

Each editable kind is declared once in `EDITABLE` (who may edit it, which fields a PATCH may set); the
PATCH, history and restore handlers of every kind are this module's generic ones, registered per
collection with the collection bound (`functools.partial`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge import audit
from knowledge.calendar import WeeklyHours
from knowledge.catalogue import editing
from knowledge.catalogue.editing import Kind, read_entry
from knowledge.errors import NotFound, StaleVersion
from routing.units import UnitFacts, unit_problems
from servicecenter.api.params import parse_json, path_int
from servicecenter.auth import Action, Identity, authorize, check_county
from servicecenter.keys import CALL_ROUTER, SESSIONMAKER
from servicecenter.problems import Problem

__all__ = [
    "EDITABLE",
    "Editable",
    "entry_response",
    "etag",
    "history",
    "if_match",
    "patch",
    "restore",
]

_ETAG = re.compile(r'^\s*"(\d{1,9})"\s*$')


@dataclass(frozen=True)
class Editable:
    """A kind of entry that can be edited over HTTP."""

    kind: Kind
    action: Action
    patch_model: type[BaseModel]
    problems: Callable[[AsyncSession, dict, dict], Awaitable[list[dict]]] | None = None
    """What is wrong with applying (entry before, changes) beyond the patch model: 422 `errors`."""


EDITABLE: dict[str, Editable] = {}
"""By URL collection (`services`, `units`, …); filled by the modules that declare the patch models."""


def etag(version: int) -> str:
    """The strong ETag of an entry's version."""
    return f'"{version}"'


def if_match(request: web.Request) -> int:
    """The version the client last saw: 428 without If-Match, 412 for one no entry can have."""
    header = request.headers.get("If-Match")
    if header is None:
        raise Problem(428, "send If-Match with the ETag of the entry you read", title="Precondition required")
    match = _ETAG.match(header)
    if match is None:
        raise Problem(412, "If-Match names no version of this entry", title="Precondition failed")
    return int(match.group(1))


def entry_response(state: dict, version: int, *, status: int = 200) -> web.Response:
    """The entry with its version, and the ETag a later If-Match must send."""
    return web.json_response(state | {"version": version}, status=status, headers={"ETag": etag(version)})


async def _write(
    request: web.Request,
    editable: Editable,
    identity: Identity,
    entry_id: str,
    expected: int,
    changes: dict,
    action: str,
) -> web.Response:
    kind = editable.kind
    async with request.app[SESSIONMAKER]() as session:
        before, current = await read_entry(session, kind, entry_id)
        check_county(identity, editable.action, kind.county(before))
        if "county" in changes:
            check_county(identity, editable.action, changes["county"])
        problems = await editable.problems(session, before, changes) if editable.problems else []
    if problems:
        fields = ", ".join(str(p["loc"][-1]) for p in problems)
        raise Problem(422, f"invalid body: {fields}", title="Validation failed", errors=problems)
    if current != expected:
        raise StaleVersion(expected, current)
    if kind is editing.KINDS["unit"]:
        _check_routing(request, before | changes)
    try:
        async with request.app[SESSIONMAKER].begin() as session:
            version = await editing.update_entry(
                session,
                kind=kind,
                before=before,
                expected=expected,
                changes=changes,
                actor=identity.name,
                action=action,
            )
    except IntegrityError:
        raise Problem(
            422,
            "the change refers to an entry that does not exist",
            title="Validation failed",
            errors=[
                {"loc": ["body", name], "msg": "unknown reference"}
                for name in changes
                if name in ("unit", "place", "county")
            ],
        ) from None
    return entry_response(before | changes, version)


def _check_routing(request: web.Request, unit: dict) -> None:
    """Refuse a unit change that would break the routing in force (a department target rings this unit)."""
    hours = WeeklyHours.model_validate(unit["hours"]) if unit.get("hours") is not None else None
    facts = UnitFacts(unit["id"], unit.get("county"), unit.get("extension"), hours)
    problems = unit_problems(request.app[CALL_ROUTER].policy.rule_file, facts)
    if problems:
        raise Problem(
            422,
            "Die Anrufsteuerung verbindet zu dieser Stelle; sie braucht eine wählbare Durchwahl und "
            "Öffnungszeiten. Nichts wurde gespeichert.",
            title="Validation failed",
            errors=[{"loc": ["body"], "msg": message} for message in problems],
        )


async def patch(request: web.Request, collection: str) -> web.Response:
    """PATCH /api/v1/{collection}/{id}: change some fields of an entry, If-Match required."""
    editable = EDITABLE[collection]
    identity = await authorize(request, editable.action)
    expected = if_match(request)
    body = await parse_json(request, editable.patch_model)
    changes = body.model_dump(mode="json", exclude_unset=True)
    if not changes:
        raise Problem(
            422,
            "the body names no field to change",
            title="Validation failed",
            errors=[{"loc": ["body"], "msg": "no field to change"}],
        )
    return await _write(request, editable, identity, request.match_info["id"], expected, changes, "update")


async def history(request: web.Request, collection: str) -> web.Response:
    """GET /api/v1/{collection}/{id}/history: every change, newest first — who, when, before, after.

    Readable by those who may edit the entry (as the history page): earlier versions hold what a county's
    editors wrote, which another county's editors have no business reading."""
    editable = EDITABLE[collection]
    identity = await authorize(request, editable.action)
    entry_id = request.match_info["id"]
    async with request.app[SESSIONMAKER]() as session:
        changes = await audit.history(session, entity=editable.kind.name, entry_id=entry_id)
        try:
            latest, _ = await read_entry(session, editable.kind, entry_id)
        except NotFound:
            if not changes:
                raise
            latest = changes[0].before or changes[0].after or {}
    check_county(identity, editable.action, editable.kind.county(latest))
    return web.json_response(
        [
            {
                "version": c.version,
                "action": c.action,
                "actor": c.actor,
                "at": c.at.isoformat(),
                "before": c.before,
                "after": c.after,
            }
            for c in changes
        ]
    )


async def restore(request: web.Request, collection: str) -> web.Response:
    """POST /api/v1/{collection}/{id}/history/{version}/restore: bring back an earlier version's fields.

    Only the fields a PATCH may set are restored; it is itself a change (audited, If-Match required).
    """
    editable = EDITABLE[collection]
    identity = await authorize(request, editable.action)
    expected = if_match(request)
    entry_id = request.match_info["id"]
    wanted = path_int(request, "version")
    async with request.app[SESSIONMAKER]() as session:
        state = await audit.state_at(session, entity=editable.kind.name, entry_id=entry_id, version=wanted)
    if state is None:
        raise Problem(404, f"the history of {editable.kind.name} {entry_id!r} has no version {wanted}")
    changes = {name: state[name] for name in editable.patch_model.model_fields if name in state}
    return await _write(request, editable, identity, entry_id, expected, changes, "restore")
