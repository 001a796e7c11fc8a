"""Responsibilities kept per catalogue revision: the same rows as the store, read again once it moves."""

from knowledge.catalogue import store
from knowledge.catalogue.kept_responsibilities import KeptResponsibilities
from knowledge.storage.db import create_engine, create_sessionmaker

SERVICES = ["personalausweis-beantragen", "hundesteuer-anmelden", "gibt-es-nicht"]


async def test_kept_rows_are_the_stores_until_the_revision_moves(settings) -> None:
    engine = create_engine(settings.database)
    sessionmaker = create_sessionmaker(engine)
    kept = KeptResponsibilities(lambda responsibility, unit: (responsibility, unit))
    try:
        async with sessionmaker() as session:
            expected = await store.responsibilities_for(session, service_ids=SERVICES)
            first = await kept.for_services(session, service_ids=SERVICES)
        assert {service: [(r.id, u.id) for r, u in rows] for service, rows in first.items() if rows} == {
            service: [(r.id, u.id) for r, u in rows] for service, rows in expected.items()
        }
        assert first["gibt-es-nicht"] == [] and first["personalausweis-beantragen"]
        async with sessionmaker() as session:
            again = await kept.for_services(session, service_ids=SERVICES[:1])
        assert again["personalausweis-beantragen"] is first["personalausweis-beantragen"]
        async with sessionmaker.begin() as session:
            await store.bump_revision(session)
        async with sessionmaker() as session:
            moved = await kept.for_services(session, service_ids=SERVICES[:1])
        assert moved["personalausweis-beantragen"] is not first["personalausweis-beantragen"]
    finally:
        await engine.dispose()
