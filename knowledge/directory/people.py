"""People of the switchboard directory: what may be written about them, the checks every write passes
(API, CSV import, demo data alike), and reading them back. Writes go through the versioned, audited
machinery of knowledge/catalogue/editing.py (kind `person`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from knowledge.audit import Change
from knowledge.catalogue.contact import Extension
from knowledge.catalogue.models import Unit
from knowledge.directory.models import OfficeEmail, Person, PersonId
from knowledge.search.analysis import fold_text

__all__ = [
    "PersonFields",
    "PersonRecord",
    "deputies_of",
    "list_people",
    "new_person_id",
    "person_problems",
    "person_values",
]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Note = Annotated[str, StringConstraints(max_length=2000)]


class PersonFields(BaseModel):
    """What a county's editors write about a person; every field optional, as a PATCH sends them."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    function: Line | None = None
    unit_id: Line | None = None
    extension: Extension | None = None
    email: OfficeEmail | None = None
    topics: list[Line] | None = Field(default=None, max_length=50)
    absent_until: dt.date | None = None
    deputy_id: PersonId | None = None
    internal_note: Note | None = None


class PersonRecord(PersonFields):
    """A whole person as a CSV line or the demo data gives it (the county comes from the file)."""

    id: PersonId
    name: Name
    unit_id: Line
    topics: list[Line] = Field(default_factory=list, max_length=50)


def person_values(record: PersonRecord, county: str) -> dict:
    """The table values of `record` in `county`."""
    return record.model_dump(mode="json", exclude_unset=False) | {"county": county}


async def person_problems(
    session: AsyncSession, person_id: str, county: str, values: dict, *, people: dict[str, str] | None = None
) -> list[dict]:
    """What is wrong with a person of `county` having `values` (only the fields given are checked): a unit
    that does not exist or lies in another county, a deputy who does not exist, is in another county, or is
    the person. `people` (id -> county) stands in for the stored people, for an import checking a file."""
    problems = []
    if values.get("unit_id") is not None:
        unit = await session.get(Unit, values["unit_id"])
        if unit is None:
            problems.append({"loc": ["body", "unit_id"], "msg": f"unknown unit {values['unit_id']!r}"})
        elif unit.county != county:
            problems.append(
                {
                    "loc": ["body", "unit_id"],
                    "msg": f"unit {unit.id!r} belongs to county {unit.county or 'none'}, not {county}",
                }
            )
    deputy = values.get("deputy_id")
    if deputy is not None:
        if people is None:
            row = await session.get(Person, deputy)
            deputy_county = row.county if row is not None else None
        else:
            deputy_county = people.get(deputy)
        if deputy == person_id:
            problems.append({"loc": ["body", "deputy_id"], "msg": "a person cannot stand in for themselves"})
        elif deputy_county is None:
            problems.append({"loc": ["body", "deputy_id"], "msg": f"unknown person {deputy!r}"})
        elif deputy_county != county:
            problems.append(
                {"loc": ["body", "deputy_id"], "msg": f"person {deputy!r} belongs to county {deputy_county}"}
            )
    return problems


async def list_people(session: AsyncSession, *, county: str | None = None) -> Sequence[Person]:
    """Every person (of one county), by county and name."""
    statement = select(Person).order_by(Person.county, Person.name, Person.id)
    if county is not None:
        statement = statement.where(Person.county == county)
    return (await session.scalars(statement)).all()


async def deputies_of(session: AsyncSession, *, person_id: str) -> Sequence[Person]:
    """The people for whom `person_id` stands in."""
    return (await session.scalars(select(Person).where(Person.deputy_id == person_id))).all()


async def new_person_id(session: AsyncSession, *, county: str, name: str) -> str:
    """A fresh id from the county and the name ("07232-thomas-mueller"), never one a person had before
    (the audit trail remembers deleted people), so a history belongs to one person."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold_text(name)).strip("-")[:40] or "person"
    base = f"{county}-{slug}"
    taken = set(
        await session.scalars(select(Person.id).where(col(Person.id).startswith(base, autoescape=True)))
    )
    taken |= set(
        await session.scalars(
            select(Change.entry_id).where(
                Change.entity == "person", col(Change.entry_id).startswith(base, autoescape=True)
            )
        )
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
