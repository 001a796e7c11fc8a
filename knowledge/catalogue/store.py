"""Persistence as plain keyword-only async functions on an explicit session; no HTTP types here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col

from knowledge.catalogue.models import CatalogueState, County, Place, Responsibility, Service, Unit
from knowledge.search.analysis import fold_text

__all__ = [
    "area_code_places",
    "bump_revision",
    "catalogue_revision",
    "get_service",
    "get_unit",
    "is_empty",
    "iter_services",
    "list_counties",
    "list_places",
    "list_service_titles",
    "list_units",
    "units_by_id",
    "responsibilities_for",
    "service_titles",
    "services_changed_since",
]


async def is_empty(session: AsyncSession) -> bool:
    """True when no county exists yet: a fresh database that the demo catalogue may fill."""
    return (await session.scalar(select(func.count()).select_from(County))) == 0


async def catalogue_revision(db: AsyncSession | AsyncConnection) -> int:
    """The number of committed catalogue changes; the search index records the one it reflects. On a
    session, or on a connection where nothing else is read (one round trip less to close it)."""
    return (await db.scalar(select(CatalogueState.revision).where(CatalogueState.id == 1))) or 0


async def bump_revision(session: AsyncSession, *, services: Iterable[str] = ()) -> int:
    """Count one more change, in the caller's transaction, and return the new revision.

    `services` names the services whose indexed form changed (texts, synonyms, responsibilities); the
    search index picks exactly those up. Every catalogue write calls this once before it commits.
    """
    updated = await session.execute(
        update(CatalogueState).where(CatalogueState.id == 1).values(revision=CatalogueState.revision + 1)
    )
    if updated.rowcount == 0:
        session.add(CatalogueState(id=1, revision=1))
    await session.flush()
    revision = await catalogue_revision(session)
    if ids := list(services):
        await session.execute(update(Service).where(Service.id.in_(ids)).values(revision=revision))
    return revision


async def services_changed_since(session: AsyncSession, *, revision: int) -> Sequence[str]:
    """Ids of the services whose indexed form changed after `revision`."""
    return (await session.scalars(select(Service.id).where(Service.revision > revision))).all()


async def list_counties(session: AsyncSession) -> Sequence[County]:
    """All counties by key."""
    return (await session.scalars(select(County).order_by(County.key))).all()


async def list_places(session: AsyncSession) -> Sequence[Place]:
    """All places, VGs before their Ortsgemeinden."""
    return (await session.scalars(select(Place).order_by(Place.parent.is_not(None), Place.id))).all()


async def area_code_places(session: AsyncSession) -> list[tuple[str, str, str]]:
    """(area code, county, place name) for every place, the table behind caller-origin routing."""
    return [(code, p.county, p.name) for p in await list_places(session) for code in p.area_codes]


async def get_service(session: AsyncSession, *, service_id: str) -> Service | None:
    """One service by id."""
    return await session.get(Service, service_id)


async def list_service_titles(
    session: AsyncSession, *, q: str | None = None, limit: int = 50
) -> list[tuple[str, str]]:
    """(id, title) of services whose title contains `q` (ignoring case), by title; at most `limit`."""
    statement = select(Service.id, Service.title).order_by(Service.title, Service.id).limit(limit)
    if q and q.strip():
        statement = statement.where(func.lower(Service.title).contains(q.strip().lower(), autoescape=True))
    return [(service_id, title) for service_id, title in await session.execute(statement)]


async def service_titles(session: AsyncSession, *, ids: Sequence[str]) -> dict[str, str]:
    """Id -> title of the services among `ids` that exist."""
    if not ids:
        return {}
    rows = await session.execute(select(col(Service.id), col(Service.title)).where(col(Service.id).in_(ids)))
    return dict(rows.tuples().all())


async def responsibilities_for(
    session: AsyncSession, *, service_ids: Sequence[str]
) -> dict[str, list[tuple[Responsibility, Unit]]]:
    """Responsibilities with their units for several services in one query, in county and place order."""
    if not service_ids:
        return {}
    rows = await session.execute(
        select(Responsibility, Unit)
        .join(Unit, Unit.id == Responsibility.unit)
        .where(Responsibility.service.in_(service_ids))
        .order_by(Responsibility.county, Responsibility.place.is_not(None), Responsibility.place)
    )
    found: dict[str, list[tuple[Responsibility, Unit]]] = defaultdict(list)
    for responsibility, unit in rows:
        found[responsibility.service].append((responsibility, unit))
    return found


async def get_unit(session: AsyncSession, *, unit_id: str) -> Unit | None:
    """One organisational unit by id."""
    return await session.get(Unit, unit_id)


async def units_by_id(session: AsyncSession, *, unit_ids: Iterable[str]) -> list[Unit]:
    """The units among `unit_ids` that exist, in id order."""
    wanted = sorted(set(unit_ids))
    if not wanted:
        return []
    return list(await session.scalars(select(Unit).where(Unit.id.in_(wanted)).order_by(Unit.id)))


async def list_units(
    session: AsyncSession, *, q: str | None = None, county: str | None = None, limit: int = 50
) -> list[Unit]:
    """Units whose name, topics, place or county contain every word of `q`, optionally in one county
    (or county-free). Matching ignores case, umlauts and their ae/oe/ue spellings, so "kfz zulassung
    cochem" and "Führerschein Prüm" find their units; units that match in their name come first.

    The directory holds a few hundred units, so they are matched here rather than in SQL, where
    SQLite's lower() would not fold umlauts.
    """
    statement = (
        select(Unit, County.name, Place.name)
        .outerjoin(County, County.key == Unit.county)
        .outerjoin(Place, Place.id == Unit.place)
        .order_by(Unit.county, Unit.name)
    )
    if county:
        statement = statement.where(or_(Unit.county == county, Unit.county.is_(None)))
    words = fold_text(q or "").split()
    ranked: list[tuple[int, Unit]] = []
    for unit, county_name, place_name in await session.execute(statement):
        name = fold_text(unit.name)
        rest = fold_text(" ".join([*unit.topics, unit.city or "", place_name or "", county_name or ""]))
        if all(word in name or word in rest for word in words):
            ranked.append((-sum(word in name for word in words), unit))
    ranked.sort(key=lambda entry: entry[0])
    return [unit for _, unit in ranked[:limit]]


async def iter_services(
    session: AsyncSession, *, batch: int = 1000, ids: Sequence[str] | None = None
) -> AsyncIterator[tuple[Service, list[str]]]:
    """Services (all, or those in `ids`) with the counties they have a responsibility in, in id order."""
    last = ""
    while True:
        statement = select(Service).where(Service.id > last).order_by(Service.id).limit(batch)
        if ids is not None:
            statement = statement.where(Service.id.in_(ids))
        services = (await session.scalars(statement)).all()
        if not services:
            return
        page = [s.id for s in services]
        counties: dict[str, set[str]] = defaultdict(set)
        rows = await session.execute(
            select(Responsibility.service, Responsibility.county).where(Responsibility.service.in_(page))
        )
        for service_id, county in rows:
            counties[service_id].add(county)
        for service in services:
            yield service, sorted(counties[service.id])
        last = page[-1]
