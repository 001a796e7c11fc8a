"""People of the switchboard directory over HTTP: list, create, read, change, delete.

Changing follows the edit flow of every catalogue entry (servicecenter/api/entries.py: If-Match, one
conditional write, audit, history, restore); who may is servicecenter/auth.py (`edit_person`: the county's
editors and admins). Anyone may read a person's office contact data; the internal note only the center's
staff (`read_internal_notes`).
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.catalogue import editing
from knowledge.catalogue.editing import read_entry
from knowledge.catalogue.models import Unit
from knowledge.counties import CountyKey
from knowledge.directory.models import PersonId
from knowledge.directory.people import PersonFields, deputies_of, list_people, new_person_id, person_problems
from knowledge.errors import Conflict, StaleVersion
from servicecenter.api.entries import EDITABLE, Editable, entry_response, if_match
from servicecenter.api.params import parse_json, parse_query
from servicecenter.auth import Action, authorize, check_county, identify, may
from servicecenter.keys import SESSIONMAKER
from servicecenter.problems import Problem

__all__ = [
    "PeopleQuery",
    "PersonCreate",
    "PersonPatch",
    "create_person",
    "delete_person",
    "get_person",
    "list_people_handler",
    "shows_internal_notes",
]


class PersonPatch(PersonFields):
    """A change of a person (county editors of its county): name, function, unit and topics cannot be
    emptied, everything else can (null)."""

    @field_validator("name", "unit_id", "topics")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class PersonCreate(PersonPatch):
    """A new person; the county is the unit's, the id is made from county and name unless given."""

    id: PersonId | None = None
    name: str = Field(min_length=1, max_length=200)
    unit_id: str = Field(min_length=1, max_length=300)


class PeopleQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    county: CountyKey | None = None
    limit: int = Field(default=500, ge=1, le=5000)


async def shows_internal_notes(request: web.Request) -> bool:
    """Whether the caller is center staff who may read the operators' notes (anonymous: no)."""
    try:
        identity = await identify(request)
    except (Problem, SQLAlchemyError, OSError):
        return False
    return identity is not None and may(identity, Action.read_internal_notes, None)


def _shown(state: dict, notes: bool) -> dict:
    return state if notes else state | {"internal_note": None}


async def _problems(session: AsyncSession, before: dict, changes: dict) -> list[dict]:
    """A changed unit must lie in the person's county, a deputy must be a colleague of that county."""
    return await person_problems(session, before["id"], before["county"], changes)


EDITABLE["people"] = Editable(editing.KINDS["person"], Action.edit_person, PersonPatch, _problems)


async def list_people_handler(request: web.Request) -> web.Response:
    """GET /api/v1/people: every person (of one county), by county and name."""
    query = parse_query(request, PeopleQuery)
    kind = editing.KINDS["person"]
    notes = await shows_internal_notes(request)
    async with request.app[SESSIONMAKER]() as session:
        people = await list_people(session, county=query.county)
    return web.json_response(
        [_shown(editing.snapshot(kind, p) | {"version": p.version}, notes) for p in people[: query.limit]]
    )


async def get_person(request: web.Request) -> web.Response:
    """GET /api/v1/people/{id}: one person with the ETag a change must send back."""
    async with request.app[SESSIONMAKER]() as session:
        state, version = await read_entry(session, editing.KINDS["person"], request.match_info["id"])
    return entry_response(_shown(state, await shows_internal_notes(request)), version)


async def create_person(request: web.Request) -> web.Response:
    """POST /api/v1/people: a new person in the unit's county (that county's editors, admins)."""
    identity = await authorize(request, Action.edit_person)
    body = await parse_json(request, PersonCreate)
    kind = editing.KINDS["person"]
    async with request.app[SESSIONMAKER]() as session:
        unit = await session.get(Unit, body.unit_id)
        if unit is None or unit.county is None:
            what = "unknown unit" if unit is None else "a unit without a county has no people"
            raise Problem(
                422,
                "invalid body: unit_id",
                title="Validation failed",
                errors=[{"loc": ["body", "unit_id"], "msg": f"{what} {body.unit_id!r}"}],
            )
        check_county(identity, Action.edit_person, unit.county)
        values = body.model_dump(mode="json", exclude={"id"}) | {"county": unit.county}
        values["topics"] = values["topics"] or []
        person_id = body.id or await new_person_id(session, county=unit.county, name=body.name)
        problems = await person_problems(session, person_id, unit.county, values)
        if await session.get(kind.table, person_id) is not None:
            raise Conflict(f"Die Kennung {person_id!r} ist schon vergeben.")
    if problems:
        fields = ", ".join(str(p["loc"][-1]) for p in problems)
        raise Problem(422, f"invalid body: {fields}", title="Validation failed", errors=problems)
    try:
        async with request.app[SESSIONMAKER].begin() as session:
            state = await editing.create_entry(
                session, kind=kind, values=values | {"id": person_id}, actor=identity.name
            )
    except IntegrityError:
        raise Conflict(
            f"Die Kennung {person_id!r} wurde inzwischen vergeben; bitte erneut speichern."
        ) from None
    response = entry_response(state, 1, status=201)
    response.headers["Location"] = f"/api/v1/people/{person_id}"
    return response


async def delete_person(request: web.Request) -> web.Response:
    """DELETE /api/v1/people/{id}: someone left; If-Match required. Refused (409) while the person stands
    in for a colleague, so no entry names a deputy who is gone."""
    identity = await authorize(request, Action.edit_person)
    expected = if_match(request)
    kind = editing.KINDS["person"]
    async with request.app[SESSIONMAKER]() as session:
        before, current = await read_entry(session, kind, request.match_info["id"])
        check_county(identity, Action.edit_person, before["county"])
        covering = await deputies_of(session, person_id=before["id"])
    if current != expected:
        raise StaleVersion(expected, current)
    if covering:
        names = ", ".join(p.name for p in covering)
        raise Conflict(
            f"{before['name']} ist als Vertretung eingetragen für: {names}. "
            "Bitte zuerst dort eine andere Vertretung wählen."
        )
    async with request.app[SESSIONMAKER].begin() as session:
        await editing.delete_entry(session, kind=kind, before=before, expected=expected, actor=identity.name)
    return web.Response(status=204)
