"""Catalogue exchange: export and import round-trip, imports are all-or-nothing and idempotent."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.catalogue import store
from knowledge.catalogue.document import CatalogueDocument, DocumentError
from knowledge.catalogue.exchange import export_document, import_document
from knowledge.storage.db import create_engine, create_sessionmaker
from servicecenter.settings import Settings


@pytest.fixture
async def sessionmaker(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(settings.database)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def test_export_then_import_changes_nothing(sessionmaker) -> None:
    async with sessionmaker() as session:
        document = await export_document(session)
        revision = await store.catalogue_revision(session)
    async with sessionmaker() as session, session.begin():
        report = await import_document(session, document)
    assert not report.changed
    async with sessionmaker() as session:
        assert await store.catalogue_revision(session) == revision
        assert (await export_document(session)).model_dump() == document.model_dump()


async def test_import_updates_and_counts_a_change(sessionmaker) -> None:
    async with sessionmaker() as session:
        data = (await export_document(session)).model_dump(mode="json")
        revision = await store.catalogue_revision(session)
    service = data["services"][0]
    service["title"] = "Geänderter Titel"
    service["responsibilities"] = service["responsibilities"][:1]
    async with sessionmaker() as session, session.begin():
        report = await import_document(session, CatalogueDocument.parse(data))
    assert report.updated["services"] == [service["id"]]
    assert report.updated["responsibilities"] == [service["id"]]
    async with sessionmaker() as session:
        assert (await store.get_service(session, service_id=service["id"])).title == "Geänderter Titel"
        assert (
            len((await store.responsibilities_for(session, service_ids=[service["id"]]))[service["id"]]) == 1
        )
        assert await store.catalogue_revision(session) == revision + 1


async def test_rolled_back_import_leaves_the_catalogue_unchanged(sessionmaker) -> None:
    async with sessionmaker() as session:
        before = (await export_document(session)).model_dump(mode="json")
    changed = {**before, "services": [{**before["services"][0], "title": "Nur Probe"}]}
    async with sessionmaker() as session:
        transaction = await session.begin()
        report = await import_document(session, CatalogueDocument.parse(changed))
        await transaction.rollback()
    assert report.changed
    async with sessionmaker() as session:
        assert (await export_document(session)).model_dump(mode="json") == before


def test_document_with_dangling_references_is_refused_with_every_problem() -> None:
    with pytest.raises(DocumentError) as caught:
        CatalogueDocument.parse(
            {
                "units": [{"id": "u", "name": "U", "kind": "department", "county": "09999"}],
                "services": [
                    {
                        "id": "s",
                        "title": "S",
                        "level": "county",
                        "responsibilities": [{"unit": "x", "county": "09999"}],
                    }
                ],
            }
        )
    messages = [p["msg"] for p in caught.value.problems]
    assert "unknown county '09999'" in messages
    assert "unknown unit 'x'" in messages
