"""Catalogue edits: what a PATCH of each kind may set, and responsibilities created and deleted.

Who may edit what is decided in servicecenter/auth.py; the flow (If-Match, conditional write, audit) is
servicecenter/api/entries.py.
"""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.calendar import WeeklyHours
from knowledge.catalogue import editing
from knowledge.catalogue.contact import Extension, PhoneNumber, WebAddress
from knowledge.catalogue.editing import read_entry
from knowledge.catalogue.models import County, Place, Responsibility, Service, Unit
from knowledge.counties import CountyKey
from knowledge.errors import Conflict, NotFound, StaleVersion
from servicecenter.api.entries import (
    EDITABLE,
    Editable,
    entry_response,
    if_match,
)
from servicecenter.api.params import parse_json
from servicecenter.auth import Action, authorize, check_county
from servicecenter.keys import SESSIONMAKER
from servicecenter.problems import Problem

__all__ = [
    "PlacePatch",
    "ResponsibilityCreate",
    "ResponsibilityPatch",
    "ServicePatch",
    "UnitPatch",
    "create_responsibility",
    "delete_responsibility",
    "get_entry",
    "list_responsibilities",
]

Text = Annotated[str, StringConstraints(max_length=20_000)]
Line = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Short = Annotated[str, StringConstraints(max_length=300)]
Digits5 = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]


class _Patch(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServicePatch(_Patch):
    """Service texts and synonyms (catalogue editors)."""

    title: Line | None = None
    synonyms: list[Line] | None = Field(default=None, max_length=200)
    short_text: Text | None = None
    full_text: Text | None = None
    requirements: Text | None = None
    documents: Text | None = None
    fees: Text | None = None
    deadlines: Text | None = None
    processing_time: Text | None = None
    procedure: Text | None = None
    legal_basis: Text | None = None
    forms: Text | None = None
    online_service: WebAddress | None = None
    notes: Text | None = None

    @field_validator("title", "synonyms")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class UnitPatch(_Patch):
    """A unit's contact data, hours and everyday names (county editors of its county)."""

    aliases: list[Line] | None = Field(default=None, max_length=50)
    phone: PhoneNumber | None = None
    extension: Extension | None = None
    email: Short | None = None
    street: Short | None = None
    postcode: Digits5 | None = None
    city: Short | None = None
    hours: WeeklyHours | None = None

    @field_validator("aliases")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class PlacePatch(_Patch):
    """A place's names and codes (admins)."""

    name: Line | None = None
    postal_codes: list[Digits5] | None = Field(default=None, max_length=100)
    area_codes: list[Annotated[str, StringConstraints(pattern=r"^0\d{2,5}$")]] | None = Field(
        default=None, max_length=20
    )

    @field_validator("name", "postal_codes", "area_codes")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class ResponsibilityPatch(_Patch):
    """Who handles a service in a county (county editors of that county)."""

    unit: Line | None = None
    fees: Text | None = None
    hours: WeeklyHours | None = None
    notes: Text | None = None

    @field_validator("unit")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class ResponsibilityCreate(ResponsibilityPatch):
    unit: Line
    county: CountyKey
    place: Line | None = None


async def _unit_problems(session: AsyncSession, unit_id: str, county: str) -> list[dict]:
    """A responsibility's unit must serve its county: a unit of that county, or one without a county (a
    state or federal agency, the Beitragsservice). A county editor could otherwise send their county's
    callers to another county's office."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        return [{"loc": ["body", "unit"], "msg": f"unknown unit {unit_id!r}"}]
    if unit.county not in (None, county):
        return [
            {
                "loc": ["body", "unit"],
                "msg": f"unit {unit_id!r} belongs to county {unit.county}, not {county}",
            }
        ]
    return []


async def _responsibility_problems(session: AsyncSession, before: dict, changes: dict) -> list[dict]:
    return await _unit_problems(session, changes["unit"], before["county"]) if "unit" in changes else []


EDITABLE.update(
    {
        "services": Editable(editing.KINDS["service"], Action.edit_service, ServicePatch),
        "units": Editable(editing.KINDS["unit"], Action.edit_unit, UnitPatch),
        "places": Editable(editing.KINDS["place"], Action.edit_place, PlacePatch),
        "responsibilities": Editable(
            editing.KINDS["responsibility"],
            Action.edit_responsibility,
            ResponsibilityPatch,
            _responsibility_problems,
        ),
    }
)


async def get_entry(request: web.Request, collection: str) -> web.Response:
    """GET /api/v1/places/{id}, /api/v1/responsibilities/{id}: one entry with its ETag."""
    kind = EDITABLE[collection].kind
    async with request.app[SESSIONMAKER]() as session:
        state, version = await read_entry(session, kind, request.match_info["id"])
    return entry_response(state, version)


async def list_responsibilities(request: web.Request) -> web.Response:
    """GET /api/v1/services/{id}/responsibilities: the raw entries with ids and versions, for editing."""
    service_id = request.match_info["id"]
    kind = editing.KINDS["responsibility"]
    async with request.app[SESSIONMAKER]() as session:
        if await session.get(Service, service_id) is None:
            raise NotFound("service", service_id)
        rows = (
            await session.scalars(
                select(Responsibility).where(Responsibility.service == service_id).order_by(Responsibility.id)
            )
        ).all()
    return web.json_response([editing.snapshot(kind, r) | {"version": r.version} for r in rows])


async def _check_references(session: AsyncSession, service_id: str, body: ResponsibilityCreate) -> None:
    errors = await _unit_problems(session, body.unit, body.county)
    if body.place is not None:
        place = await session.get(Place, body.place)
        if place is None or place.county != body.county:
            errors.append({"loc": ["body", "place"], "msg": f"{body.place!r} is no place in {body.county}"})
    if errors:
        raise Problem(
            422,
            "invalid body: " + ", ".join(e["loc"][1] for e in errors),
            title="Validation failed",
            errors=errors,
        )
    taken = await session.scalar(
        select(Responsibility.id).where(
            Responsibility.service == service_id,
            Responsibility.county == body.county,
            Responsibility.place.is_(None) if body.place is None else Responsibility.place == body.place,
        )
    )
    if taken is not None:
        raise Conflict(f"responsibility {taken} covers this territory already; change that one")


async def create_responsibility(request: web.Request) -> web.Response:
    """POST /api/v1/services/{id}/responsibilities: a unit becomes responsible for a territory."""
    identity = await authorize(request, Action.edit_responsibility)
    body = await parse_json(request, ResponsibilityCreate)
    check_county(identity, Action.edit_responsibility, body.county)
    service_id = request.match_info["id"]
    async with request.app[SESSIONMAKER]() as session:
        if await session.get(Service, service_id) is None:
            raise NotFound("service", service_id)
        if await session.get(County, body.county) is None:
            raise Problem(
                422,
                "invalid body: county",
                title="Validation failed",
                errors=[{"loc": ["body", "county"], "msg": f"unknown county {body.county!r}"}],
            )
        await _check_references(session, service_id, body)
    values = body.model_dump(mode="json") | {"service": service_id}
    try:
        async with request.app[SESSIONMAKER].begin() as session:
            state = await editing.create_entry(
                session, kind=editing.KINDS["responsibility"], values=values, actor=identity.name
            )
    except IntegrityError:
        raise Conflict("this territory got a responsibility meanwhile; read again") from None
    response = entry_response(state, 1, status=201)
    response.headers["Location"] = f"/api/v1/responsibilities/{state['id']}"
    return response


async def delete_responsibility(request: web.Request) -> web.Response:
    """DELETE /api/v1/responsibilities/{id}: If-Match required, like every change."""
    identity = await authorize(request, Action.edit_responsibility)
    expected = if_match(request)
    kind = editing.KINDS["responsibility"]
    async with request.app[SESSIONMAKER]() as session:
        before, current = await read_entry(session, kind, request.match_info["id"])
    check_county(identity, Action.edit_responsibility, before["county"])
    if current != expected:
        raise StaleVersion(expected, current)
    async with request.app[SESSIONMAKER].begin() as session:
        await editing.delete_entry(session, kind=kind, before=before, expected=expected, actor=identity.name)
    return web.Response(status=204)
