"""The LeiKa reference list (Leistungskatalog der öffentlichen Verwaltung) as a table: loaded from its CSV on a
first start, replaced as a whole by `servicecenter import-leika`, read by the LeiKa endpoints and indexed
for search beside the services, so that an agent also finds what no EMH service describes.

The level a LeiKa entry's Typisierung implies (LeiKa's types: 1 Bund regelt und vollzieht; 2/3 Bund regelt,
Land oder Kommune vollziehen; 4 Land regelt, Land oder Kommune vollziehen; 5 Kommune regelt und vollzieht):

- 1 → federal; 2 → state (Vollzug durch das Land);
- 2/3 and 4 → county: in Rhineland-Palatinate the Kreisverwaltung is both the lower state authority
  (§ 55 LKO) and a Kommune, so it carries out most of what "Land oder Kommune" leaves open — of the demo
  services with a 2/3 key, 65 are county, 45 municipality and 7 state services;
- 3 and 5 → municipality (kommunal; the Verbandsgemeinde, though a county may hold the task instead);
- a combined type ("1, 2/3") takes its first; 6, empty and unknown types imply no level.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel

from knowledge.catalogue import store
from knowledge.catalogue.models import CatalogueState, Service, ServiceLevel, Unit, UnitKind

__all__ = [
    "COLUMNS",
    "LEIKA_KEY",
    "LeikaEntry",
    "LeikaEntryBase",
    "LeikaError",
    "LeikaReport",
    "county_office",
    "described_keys",
    "get_entry",
    "is_loaded",
    "leika_revision",
    "level_of",
    "list_entries",
    "parse_csv",
    "replace_entries",
    "services_for",
]

LEIKA_KEY = re.compile(r"\d{14}")
COLUMNS = ("leika_schluessel", "leika_bezeichnung", "typisierung")
"""Columns the CSV must have; ozg_id, ozg_leistung, lebenslage, themenfeld and rechtsgrundlage are optional."""
_OPTIONAL = ("ozg_id", "ozg_leistung", "lebenslage", "themenfeld", "rechtsgrundlage")

LEVELS = {
    "1": ServiceLevel.federal,
    "2": ServiceLevel.state,
    "2/3": ServiceLevel.county,
    "3": ServiceLevel.municipality,
    "4": ServiceLevel.county,
    "5": ServiceLevel.municipality,
}


def level_of(typisierung: str | None) -> ServiceLevel | None:
    """The level a Typisierung implies (see the module docstring); None when it implies none."""
    return LEVELS.get((typisierung or "").split(",")[0].strip())


class LeikaEntryBase(SQLModel):
    key: str = Field(primary_key=True, min_length=14, max_length=14, description="LeiKa-Leistungsschlüssel")
    name: str = Field(min_length=1, description="Leistungsbezeichnung")
    typisierung: str | None = Field(default=None, description="LeiKa type, e.g. 1, 2/3, 4, 5")
    ozg_id: str | None = None
    ozg_leistung: str | None = Field(default=None, description="the OZG-Leistung it belongs to")
    lebenslage: str | None = None
    themenfeld: str | None = None
    rechtsgrundlage: str | None = None


class LeikaEntry(LeikaEntryBase, table=True):
    __tablename__ = "leika_entry"


class LeikaError(ValueError):
    """A LeiKa file that cannot be taken; `problems` names each bad line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


def parse_csv(text: str) -> list[LeikaEntryBase]:
    """The entries of a LeiKa CSV (header row with COLUMNS); LeikaError lists every bad line."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise LeikaError([f"line 1: missing column(s) {', '.join(missing)}"])
    entries: list[LeikaEntryBase] = []
    seen: dict[str, int] = {}
    problems: list[str] = []
    for row in reader:
        line = reader.line_num
        key = (row.get("leika_schluessel") or "").strip()
        name = " ".join((row.get("leika_bezeichnung") or "").split())
        if not LEIKA_KEY.fullmatch(key):
            problems.append(f"line {line}: leika_schluessel {key!r} is not 14 digits")
        elif key in seen:
            problems.append(f"line {line}: key {key} again (first on line {seen[key]})")
        elif not name:
            problems.append(f"line {line}: leika_bezeichnung is empty")
        else:
            seen[key] = line
            optional = {c: (row.get(c) or "").strip() or None for c in _OPTIONAL}
            entries.append(
                LeikaEntryBase(
                    key=key, name=name, typisierung=(row.get("typisierung") or "").strip() or None, **optional
                )
            )
    if problems:
        raise LeikaError(problems)
    if not entries:
        raise LeikaError(["the file holds no entries"])
    return entries


@dataclass
class LeikaReport:
    """What replacing the list created, updated and deleted (keys), and how many stayed as they were."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    orphaned: dict[str, list[str]] = field(default_factory=dict)
    """Deleted keys that services still carry: key → service ids."""

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _values(entry: LeikaEntryBase) -> dict:
    return {name: getattr(entry, name) for name in LeikaEntryBase.model_fields}


async def replace_entries(session: AsyncSession, entries: Sequence[LeikaEntryBase]) -> LeikaReport:
    """Make the table hold exactly `entries`, in the caller's transaction; the search index follows
    (the catalogue revision grows, and the LeiKa revision with it) only when something changed."""
    current = {e.key: e for e in (await session.scalars(select(LeikaEntry))).all()}
    report = LeikaReport()
    wanted = {e.key for e in entries}
    for entry in entries:
        stored = current.get(entry.key)
        if stored is None:
            session.add(LeikaEntry(**_values(entry)))
            report.created.append(entry.key)
        elif _values(stored) != _values(entry):
            for name, value in _values(entry).items():
                setattr(stored, name, value)
            report.updated.append(entry.key)
        else:
            report.unchanged += 1
    report.deleted = sorted(set(current) - wanted)
    if report.deleted:
        await session.execute(delete(LeikaEntry).where(LeikaEntry.key.in_(report.deleted)))
        for key, service_id in await session.execute(
            select(Service.leika, Service.id).where(Service.leika.in_(report.deleted)).order_by(Service.id)
        ):
            report.orphaned.setdefault(key, []).append(service_id)
    if report.changed:
        await session.flush()
        revision = await store.bump_revision(session)
        await session.execute(
            update(CatalogueState).where(CatalogueState.id == 1).values(leika_revision=revision)
        )
    return report


async def is_loaded(session: AsyncSession) -> bool:
    """Whether the table holds any entry."""
    return (await session.scalar(select(func.count()).select_from(LeikaEntry))) != 0


async def leika_revision(session: AsyncSession) -> int:
    """The catalogue revision of the last change of the list; an index older than that is rebuilt."""
    return (await session.scalar(select(CatalogueState.leika_revision).where(CatalogueState.id == 1))) or 0


async def get_entry(session: AsyncSession, *, key: str) -> LeikaEntry | None:
    """One entry by its key."""
    return await session.get(LeikaEntry, key) if LEIKA_KEY.fullmatch(key) else None


async def list_entries(
    session: AsyncSession,
    *,
    keys: Sequence[str] | None = None,
    key_prefix: str = "",
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[LeikaEntry]]:
    """(count, page) of the entries whose key starts with `key_prefix` (digits), by key; with `keys`,
    those entries in that order."""
    if not key_prefix.isdigit() and key_prefix:
        return 0, []
    if keys is not None:
        statement = select(LeikaEntry).where(LeikaEntry.key.in_(keys))
        found = {e.key: e for e in (await session.scalars(statement)).all()}
        return len(found), [found[k] for k in keys if k in found]
    matching = select(LeikaEntry).where(LeikaEntry.key.like(f"{key_prefix}%"))  # key_prefix: digits only
    total = await session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    page = await session.scalars(matching.order_by(LeikaEntry.key).offset(offset).limit(limit))
    return total, list(page.all())


async def described_keys(session: AsyncSession, *, keys: Sequence[str]) -> set[str]:
    """Those of `keys` that some EMH service carries."""
    if not keys:
        return set()
    return set((await session.scalars(select(Service.leika).where(Service.leika.in_(keys)).distinct())).all())


async def services_for(session: AsyncSession, *, key: str) -> list[Service]:
    """The EMH services that carry `key`, by title."""
    return list(
        (await session.scalars(select(Service).where(Service.leika == key).order_by(Service.title))).all()
    )


async def county_office(session: AsyncSession, *, county: str) -> Unit | None:
    """The Kreisverwaltung of `county` (its switchboard): the first contact for a county-level entry."""
    return await session.scalar(
        select(Unit)
        .where(Unit.county == county, Unit.kind == UnitKind.kreisverwaltung)
        .order_by(Unit.id)
        .limit(1)
    )
