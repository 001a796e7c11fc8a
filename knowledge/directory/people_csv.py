"""A county's people from a CSV file, all or nothing: the file is the county's whole list.

`servicecenter import-people FILE.csv --county KEY` reads the file, checks every line (a problem names its
line) and, only when nothing is wrong, makes the county's people equal to it: people in the file are
created or updated, the county's people missing from it are deleted (they have left). Each change is an
audited, versioned write like an edit in /verwaltung; a second run of the same file changes nothing.

The file: UTF-8 (a byte-order mark is fine), separated by commas or semicolons (as the header line is),
the header naming the columns of COLUMNS in any order (`id`, `name` and `unit_id` required). `topics` holds
several entries separated by "|"; `absent_until` is a date as 2026-12-01 or 01.12.2026; empty cells are
empty fields.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.catalogue import editing
from knowledge.directory.models import Person
from knowledge.directory.people import PersonRecord, list_people, person_problems, person_values

__all__ = ["COLUMNS", "PeopleFileError", "PeopleReport", "parse_people_csv", "replace_people"]

COLUMNS = (
    "id",
    "name",
    "function",
    "unit_id",
    "extension",
    "email",
    "topics",
    "absent_until",
    "deputy_id",
    "internal_note",
)
REQUIRED = ("id", "name", "unit_id")
TOPIC_SEPARATOR = "|"
MAX_LINES = 20_000
"""More people than four Kreisverwaltungen and their VGs employ with public contact."""


class PeopleFileError(ValueError):
    """The file cannot become the county's list; `problems` names each, with its line where there is one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class PeopleReport:
    """What an import created, updated (with the fields), deleted, and left as it was."""

    created: list[tuple[str, str]] = field(default_factory=list)
    updated: list[tuple[str, str, list[str]]] = field(default_factory=list)
    deleted: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _date(text: str) -> str:
    """A German date (01.12.2026) as ISO; anything else is left for the model to judge."""
    try:
        return dt.datetime.strptime(text, "%d.%m.%Y").date().isoformat()
    except ValueError:
        return text


def _row_values(row: dict[str, str | None]) -> dict:
    values: dict = {}
    for name in COLUMNS:
        text = (row.get(name) or "").strip()
        if name == "topics":
            values[name] = [t.strip() for t in text.split(TOPIC_SEPARATOR) if t.strip()]
        elif text:
            values[name] = _date(text) if name == "absent_until" else text
    return values


def parse_people_csv(text: str) -> list[tuple[int, PersonRecord]]:
    """(line number, record) for every line of the file; raises PeopleFileError listing every problem."""
    text = text.removeprefix("\ufeff")
    header = text.partition("\n")[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter, strict=True)
    columns = [c.strip() for c in reader.fieldnames or []]
    reader.fieldnames = columns
    problems = [f"line 1: unknown column {c!r}" for c in columns if c not in COLUMNS]
    problems += [f"line 1: the column {c!r} is missing" for c in REQUIRED if c not in columns]
    if problems:
        raise PeopleFileError(problems)
    records: list[tuple[int, PersonRecord]] = []
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if line > MAX_LINES:
                raise PeopleFileError([f"line {line}: more than {MAX_LINES} lines"])
            if None in row:
                problems.append(f"line {line}: more cells than columns")
                continue
            try:
                record = PersonRecord.model_validate(_row_values(row))
            except ValidationError as error:
                problems += [
                    f"line {line}: {'.'.join(map(str, e['loc'])) or 'line'}: {e['msg'].removeprefix('Value error, ')}"
                    for e in error.errors(include_url=False)
                ]
                continue
            if record.id in seen:
                problems.append(f"line {line}: id {record.id!r} is on line {seen[record.id]} already")
                continue
            seen[record.id] = line
            records.append((line, record))
    except csv.Error as error:
        problems.append(f"line {reader.line_num}: {error}")
    if problems:
        raise PeopleFileError(problems)
    return records


async def _check(session: AsyncSession, county: str, records: list[tuple[int, PersonRecord]]) -> None:
    """PeopleFileError when a line refers to a unit or deputy it may not, or takes another county's id."""
    in_file = {record.id: county for _, record in records}
    rows = await session.execute(select(Person.id, Person.county).where(Person.id.in_(list(in_file))))
    elsewhere: dict[str, str] = dict(rows.all())  # a Result has keys(): dict() would read it as a mapping
    problems = []
    for line, record in records:
        if elsewhere.get(record.id, county) != county:
            problems.append(f"line {line}: id {record.id!r} is a person of county {elsewhere[record.id]}")
        values = person_values(record, county)
        for problem in await person_problems(session, record.id, county, values, people=in_file):
            problems.append(f"line {line}: {problem['loc'][-1]}: {problem['msg']}")
    if problems:
        raise PeopleFileError(problems)


async def replace_people(
    session: AsyncSession, *, county: str, records: list[tuple[int, PersonRecord]], actor: str
) -> PeopleReport:
    """Make `county`'s people those of `records`, in the caller's transaction (it commits, or rolls back
    for a dry run); raises PeopleFileError, having written nothing, when a line cannot be taken."""
    await _check(session, county, records)
    kind = editing.KINDS["person"]
    current = {person.id: person for person in await list_people(session, county=county)}
    report = PeopleReport()
    for _, record in records:
        values = person_values(record, county)
        row = current.pop(record.id, None)
        if row is None:
            await editing.create_entry(session, kind=kind, values=values, actor=actor)
            report.created.append((record.id, record.name))
            continue
        before = editing.snapshot(kind, row)
        changes = {name: value for name, value in values.items() if before.get(name) != value}
        if not changes:
            report.unchanged += 1
            continue
        await editing.update_entry(
            session, kind=kind, before=before, expected=row.version, changes=changes, actor=actor
        )
        report.updated.append((record.id, record.name, sorted(changes)))
    for person_id, row in current.items():
        before = editing.snapshot(kind, row)
        await editing.delete_entry(session, kind=kind, before=before, expected=row.version, actor=actor)
        report.deleted.append((person_id, row.name))
    return report
