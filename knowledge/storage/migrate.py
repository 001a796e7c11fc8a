"""Schema migrations with Alembic, run on the service's own async engine.

A migration that changes the schema is logged as one `schema_migrated` line with the revisions before
and after; a database already current logs nothing.
"""

from __future__ import annotations

from pathlib import Path

import structlog
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["alembic_config", "is_current", "upgrade"]

log = structlog.get_logger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 115_001
"""PostgreSQL advisory lock key: instances starting together migrate one after the other."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration without an ini file, bound to `connection` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _revision(connection: Connection) -> str | None:
    """The database's current revision (heads joined by commas); None before the first migration."""
    return ",".join(sorted(MigrationContext.configure(connection).get_current_heads())) or None


def _upgrade(connection: Connection) -> tuple[str | None, str | None]:
    before = _revision(connection)
    command.upgrade(alembic_config(connection), "head")
    return before, _revision(connection)


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision, logging `schema_migrated`; a silent no-op when it is current."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        before, after = await connection.run_sync(_upgrade)
    if before != after:
        log.info("schema_migrated", from_revision=before, to_revision=after)


async def is_current(engine: AsyncEngine) -> bool:
    """Whether the database is at the newest revision."""

    def check(sync: Connection) -> bool:
        heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
        return set(MigrationContext.configure(sync).get_current_heads()) == heads

    async with engine.connect() as connection:
        return await connection.run_sync(check)
