"""Versioned writes of catalogue entries: no lost update, an audit record, the search told what changed.

The people of the switchboard directory are written the same way (their changes count as catalogue
changes, so every instance rebuilds its directory); other versioned entries (tickets) use the same writes
with a `Kind` that is no catalogue change.

An update is one conditional statement, `UPDATE … SET version = n + 1 WHERE id = :id AND version = :n`:
whichever of two concurrent writers with the same version commits second matches no row and is refused,
on SQLite (writers queue on the database lock) as on PostgreSQL (the second re-checks the row after the
first commits). The conditional statement is the first of its transaction, so on SQLite the transaction
never holds a read snapshot older than the lock it waits for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic_core import to_jsonable_python
from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from knowledge import audit
from knowledge.catalogue import store
from knowledge.catalogue.models import (
    Place,
    PlaceBase,
    Responsibility,
    ResponsibilityBase,
    Service,
    ServiceBase,
    Unit,
    UnitBase,
)
from knowledge.directory.models import Person, PersonBase
from knowledge.errors import NotFound, StaleVersion

__all__ = ["KINDS", "Kind", "create_entry", "delete_entry", "read_entry", "snapshot", "update_entry"]


@dataclass(frozen=True)
class Kind:
    """One kind of editable entry."""

    name: str
    table: type[SQLModel]
    fields: tuple[str, ...]
    """What the audit trail records of it."""
    indexed_services: Callable[[dict], list[str]]
    """The services whose indexed form a change of this entry touches."""
    county: Callable[[dict], str | None]
    """The county the entry belongs to, for county editors."""
    catalogue: bool = True
    """Whether a change is a catalogue change (counted in the catalogue revision the search follows)."""

    def key(self, entry_id: str) -> object:
        """The primary key for `entry_id`; ValueError when it cannot be one (responsibility ids are numbers)."""
        if self.table is not Responsibility:
            return entry_id
        if not (entry_id.isascii() and entry_id.isdigit() and len(entry_id) <= 9):
            raise ValueError(entry_id)
        return int(entry_id)


def _names(base: type[SQLModel], *extra: str) -> tuple[str, ...]:
    return (*extra, *(n for n in base.model_fields if n not in extra))


KINDS = {
    "service": Kind("service", Service, _names(ServiceBase), lambda s: [s["id"]], lambda _: None),
    "unit": Kind("unit", Unit, _names(UnitBase), lambda _: [], lambda u: u["county"]),
    "place": Kind("place", Place, _names(PlaceBase), lambda _: [], lambda p: p["county"]),
    "responsibility": Kind(
        "responsibility",
        Responsibility,
        _names(ResponsibilityBase, "id", "service"),
        lambda r: [r["service"]],
        lambda r: r["county"],
    ),
    "person": Kind("person", Person, _names(PersonBase), lambda _: [], lambda p: p["county"]),
}


def snapshot(kind: Kind, row: SQLModel) -> dict:
    """The recorded state of `row`, as JSON."""
    dumped = row.model_dump(mode="json")
    return {name: dumped[name] for name in kind.fields}


async def read_entry(session: AsyncSession, kind: Kind, entry_id: str) -> tuple[dict, int]:
    """(recorded state, version) of an entry; raises NotFound if there is none."""
    try:
        row = await session.get(kind.table, kind.key(entry_id))
    except ValueError:
        row = None
    if row is None:
        raise NotFound(kind.name, entry_id)
    return snapshot(kind, row), row.version


async def update_entry(
    session: AsyncSession,
    *,
    kind: Kind,
    before: dict,
    expected: int,
    changes: dict,
    actor: str,
    action: str = "update",
) -> int:
    """Apply `changes` if the entry is still at version `expected` and return the new version; raises
    StaleVersion if it is not.

    `before` is the entry's state as read at version `expected`: equal versions mean equal states. The
    audit trail records the changes of the fields `kind.fields` names, as JSON.
    """
    entry_id = str(before["id"])
    table = kind.table
    result = await session.execute(
        update(table)
        .where(table.id == kind.key(entry_id), table.version == expected)
        .values(**changes, version=expected + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleVersion(expected)
    after = before | to_jsonable_python({k: v for k, v in changes.items() if k in kind.fields})
    await audit.record(
        session,
        entity=kind.name,
        entry_id=entry_id,
        version=expected + 1,
        actor=actor,
        action=action,
        before=before,
        after=after,
    )
    if kind.catalogue:
        await store.bump_revision(
            session, services=kind.indexed_services(before) + kind.indexed_services(after)
        )
    return expected + 1


async def create_entry(session: AsyncSession, *, kind: Kind, values: dict, actor: str) -> dict:
    """Insert a new entry at version 1 and return its recorded state."""
    table = kind.table
    inserted = await session.execute(insert(table).values(**values, version=1).returning(table.id))
    after = snapshot(kind, table(**(values | {"id": inserted.scalar_one(), "version": 1})))
    await audit.record(
        session,
        entity=kind.name,
        entry_id=str(after["id"]),
        version=1,
        actor=actor,
        action="create",
        before=None,
        after=after,
    )
    if kind.catalogue:
        await store.bump_revision(session, services=kind.indexed_services(after))
    return after


async def delete_entry(session: AsyncSession, *, kind: Kind, before: dict, expected: int, actor: str) -> None:
    """Delete the entry if it is still at version `expected`; raises StaleVersion if it is not."""
    entry_id = str(before["id"])
    table = kind.table
    result = await session.execute(
        delete(table)
        .where(table.id == kind.key(entry_id), table.version == expected)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleVersion(expected)
    await audit.record(
        session,
        entity=kind.name,
        entry_id=entry_id,
        version=expected + 1,
        actor=actor,
        action="delete",
        before=before,
        after=None,
    )
    await store.bump_revision(session, services=kind.indexed_services(before))
