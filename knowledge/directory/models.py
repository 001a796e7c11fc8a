"""A person of the switchboard directory: office contact data of staff with public contact, nothing more.

Rhineland-Palatinate's data-protection rules allow publishing the name, function, office phone and office
e-mail of staff who deal with the public; that is all a Person holds, plus the topics they handle, when
they are away, who stands in for them, and a note for the operators. No photos, no private data. A person
belongs to one unit (their phone number is that unit's PBX with their own extension) and so to its county,
whose editors keep them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints
from sqlalchemy import JSON, Column, Date, Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

__all__ = ["PERSON_ID_PATTERN", "OfficeEmail", "Person", "PersonBase", "PersonId", "office_email"]

PERSON_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
PersonId = Annotated[str, StringConstraints(pattern=PERSON_ID_PATTERN)]
"""A person's id: lower-case letters, digits, '.', '_' and '-', chosen by the county (e.g. "bit-mueller")."""


def office_email(value: str) -> str:
    """`value` if it looks like an e-mail address (one @, a dot in the domain, no spaces)."""
    local, at, domain = value.partition("@")
    if not (at and local and "." in domain.strip(".") and not any(c.isspace() for c in value)):
        raise ValueError("not an e-mail address")
    return value


class DayColumn(TypeDecorator):
    """A date, also taken as its ISO text: edits arrive as JSON, and SQLite's Date wants date objects."""

    impl = Date
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.date | None:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value


OfficeEmail = Annotated[str, StringConstraints(max_length=254), AfterValidator(office_email)]


class PersonBase(SQLModel):
    id: str = Field(primary_key=True, min_length=1, max_length=64)
    county: str = Field(foreign_key="county.key", index=True, description="the county of the person's unit")
    name: str = Field(min_length=1, max_length=200, description="e.g. Thomas Müller")
    function: str | None = Field(
        default=None, max_length=300, description="e.g. Landrat, Sachbearbeitung Elterngeld A–K"
    )
    unit_id: str = Field(foreign_key="unit.id", index=True, description="the unit the person works in")
    extension: str | None = Field(
        default=None, max_length=6, description="Durchwahl in the unit's PBX, e.g. 50"
    )
    email: str | None = Field(default=None, max_length=254, description="office e-mail address")
    topics: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, default=list),
        description="what the person handles, e.g. Elterngeld A–K, or the places they look after",
    )
    absent_until: dt.date | None = Field(
        default=None,
        sa_column=Column(DayColumn),
        description="away up to and including this day; the deputy answers meanwhile",
    )
    deputy_id: str | None = Field(default=None, max_length=64, description="the person standing in")
    internal_note: str | None = Field(
        default=None, max_length=2000, description="for the operators only, e.g. 'nur vormittags'"
    )


class Person(PersonBase, table=True):
    version: int = Field(default=1, description="grows with every change; the ETag of the entry")
