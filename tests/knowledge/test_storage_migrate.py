"""Migrations: the Alembic head creates exactly the tables the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from knowledge.storage.db import create_engine
from knowledge.storage.migrate import is_current, upgrade
from servicecenter.settings import Settings


async def test_head_matches_the_models(settings: Settings) -> None:
    engine = create_engine(settings.database)
    try:
        assert await is_current(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []


async def test_upgrade_is_idempotent(settings: Settings) -> None:
    engine = create_engine(settings.database)
    try:
        await upgrade(engine)
        assert await is_current(engine)
    finally:
        await engine.dispose()
