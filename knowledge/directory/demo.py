"""The demonstration people (config/catalogue/people.yaml): invented staff of the demo catalogue's units,
each marked "Beispieldaten", loaded into an empty directory on a first start."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.directory.models import Person
from knowledge.directory.people import PersonRecord, person_values
from knowledge.yaml_files import read_yaml

__all__ = ["DEMO_PEOPLE_FILE", "load_demo_people", "seed_people"]

DEMO_PEOPLE_FILE = "people.yaml"


def load_demo_people(directory: Path) -> list[dict]:
    """The table values of every demo person in `directory` (none when the file is missing); each record
    is validated as an import's line would be (ValidationError otherwise)."""
    path = directory / DEMO_PEOPLE_FILE
    if not path.exists():
        return []
    people = []
    for entry in read_yaml(path) or []:
        record = dict(entry)
        county = str(record.pop("county"))
        people.append(person_values(PersonRecord.model_validate(record), county))
    return people


async def seed_people(session: AsyncSession, people: list[dict]) -> int:
    """Insert `people` into an empty directory, in the caller's transaction; how many (0 when it had some).
    Like the demo catalogue, they start at version 1 without an audit record."""
    if await session.scalar(select(func.count()).select_from(Person)):
        return 0
    session.add_all(Person(**values) for values in people)
    await session.flush()
    return len(people)
