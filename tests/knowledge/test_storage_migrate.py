"""Migrations: the Alembic head creates exactly the tables the models describe."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
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


async def test_sqlite_counts_responsibility_ids_above_every_id_of_the_audit_trail(tmp_path) -> None:
    """0006: an id the audit trail knows (of an entry deleted before the upgrade) is never handed out again."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0005"))
            await connection.execute(
                text(
                    "INSERT INTO change_log (entity, entry_id, version, actor, at, action) "
                    "VALUES ('responsibility', '500', 2, 'anna', '2026-01-01 00:00:00', 'delete')"
                )
            )
        await upgrade(engine)
        async with engine.connect() as connection:
            seq = await connection.scalar(
                text("SELECT seq FROM sqlite_sequence WHERE name = 'responsibility'")
            )
            ddl = await connection.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'responsibility'"))
    finally:
        await engine.dispose()
    assert seq == 500
    assert "AUTOINCREMENT" in ddl
