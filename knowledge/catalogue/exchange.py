"""Import and export of the catalogue document, all-or-nothing and idempotent.

An import creates or updates every record of the document (a service's responsibilities are replaced
by the document's) and deletes nothing; the report says what changed, so `--dry-run` can show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from knowledge import audit
from knowledge.catalogue import store
from knowledge.catalogue.document import CatalogueDocument, ResponsibilityRecord, ServiceRecord
from knowledge.catalogue.models import (
    County,
    CountyBase,
    Place,
    PlaceBase,
    Responsibility,
    ResponsibilityBase,
    Service,
    ServiceBase,
    Unit,
    UnitBase,
)

__all__ = ["ImportReport", "export_document", "import_document", "record_import"]


@dataclass
class ImportReport:
    """What an import created, updated or left unchanged, per section."""

    created: dict[str, list[str]] = field(default_factory=dict)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def summary(self) -> dict[str, dict[str, int]]:
        sections = self.unchanged.keys()
        return {
            s: {
                "created": len(self.created.get(s, [])),
                "updated": len(self.updated.get(s, [])),
                "unchanged": self.unchanged[s],
            }
            for s in sections
        }


def _fields(source: SQLModel, model: type[SQLModel]) -> dict:
    """The values of `model`'s fields, read from `source` (a table row or a document record)."""
    return {name: getattr(source, name) for name in model.model_fields}


async def export_document(session: AsyncSession) -> CatalogueDocument:
    """The whole catalogue as one document, in a stable order."""
    services = (await session.scalars(select(Service).order_by(Service.id))).all()
    responsibilities = await store.responsibilities_for(session, service_ids=[s.id for s in services])
    return CatalogueDocument(
        counties=[_fields(c, CountyBase) for c in await store.list_counties(session)],
        places=[_fields(p, PlaceBase) for p in await store.list_places(session)],
        units=[_fields(u, UnitBase) for u in (await session.scalars(select(Unit).order_by(Unit.id))).all()],
        services=[
            ServiceRecord(
                **_fields(s, ServiceBase),
                responsibilities=[
                    ResponsibilityRecord(**_fields(r, ResponsibilityBase))
                    for r, _ in responsibilities.get(s.id, [])
                ],
            )
            for s in services
        ],
    )


async def _upsert(
    session: AsyncSession,
    table: type[SQLModel],
    base: type[SQLModel],
    records: list,
    key: str,
    report: ImportReport,
    section: str,
) -> None:
    created, updated, unchanged = [], [], 0
    for record in records:
        values = _fields(record, base)
        existing = await session.get(table, values[key])
        if existing is None:
            session.add(table(**values))
            created.append(values[key])
        elif _fields(existing, base) != values:
            for name, value in values.items():
                setattr(existing, name, value)
            if hasattr(existing, "version"):
                existing.version += 1
            updated.append(values[key])
        else:
            unchanged += 1
        await session.flush()
    report.created[section], report.updated[section], report.unchanged[section] = created, updated, unchanged


async def _replace_responsibilities(
    session: AsyncSession, document: CatalogueDocument, report: ImportReport
) -> None:
    current = await store.responsibilities_for(session, service_ids=[s.id for s in document.services])
    changed = []
    for service in document.services:
        wanted = [r.model_dump() for r in service.responsibilities]
        have = [_fields(r, ResponsibilityBase) for r, _ in current.get(service.id, [])]
        if sorted(map(repr, wanted)) == sorted(map(repr, have)):
            continue
        changed.append(service.id)
        await session.execute(delete(Responsibility).where(Responsibility.service == service.id))
        session.add_all(Responsibility(service=service.id, **r) for r in wanted)
    await session.flush()
    report.updated["responsibilities"] = changed
    report.unchanged["responsibilities"] = len(document.services) - len(changed)


async def import_document(session: AsyncSession, document: CatalogueDocument) -> ImportReport:
    """Write `document` into the caller's transaction; the caller commits, or rolls back for a dry run."""
    report = ImportReport()
    places = sorted(document.places, key=lambda p: p.parent is not None)
    await _upsert(session, County, CountyBase, document.counties, "key", report, "counties")
    await _upsert(session, Place, PlaceBase, places, "id", report, "places")
    await _upsert(session, Unit, UnitBase, document.units, "id", report, "units")
    await _upsert(session, Service, ServiceBase, document.services, "id", report, "services")
    await _replace_responsibilities(session, document, report)
    if report.changed:
        touched = {
            *report.created["services"],
            *report.updated["services"],
            *report.updated["responsibilities"],
        }
        await store.bump_revision(session, services=touched)
    return report


async def record_import(session: AsyncSession, report: ImportReport, *, actor: str) -> None:
    """Write an import that changed something into the audit trail, in the caller's transaction."""
    await audit.record(
        session,
        entity="catalogue",
        entry_id="import",
        version=0,
        actor=actor,
        action="import",
        before=None,
        after={"summary": report.summary()},
    )
