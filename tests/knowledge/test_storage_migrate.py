"""Migrations: the Alembic head creates exactly the tables the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel
from structlog.testing import capture_logs

from knowledge.storage.db import create_engine
from knowledge.storage.migrate import alembic_config, is_current, upgrade
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


async def test_a_migration_is_logged_once_with_both_revisions(empty_settings: Settings) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    empty_settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(empty_settings.database)
    try:
        with capture_logs() as first:
            await upgrade(engine)
        with capture_logs() as again:
            await upgrade(engine)
    finally:
        await engine.dispose()
    assert first == [
        {"event": "schema_migrated", "from_revision": None, "to_revision": head, "log_level": "info"}
    ]
    assert again == []
