"""Alembic environment: runs on the connection the service hands over, or on the configured database."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import knowledge.storage.migrate  # noqa: F401  (registers every table on the metadata)
from knowledge.storage.db import create_engine

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _standalone_url() -> str:
    """The database a standalone `alembic` run migrates: SERVICECENTER_DATABASE_URL, else `sqlalchemy.url`."""
    url = os.environ.get("SERVICECENTER_DATABASE_URL") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit(
            "set SERVICECENTER_DATABASE_URL (or use `servicecenter migrate`, which knows the data dir)"
        )
    return url


async def _run_standalone() -> None:
    engine = create_engine(_standalone_url())
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_standalone())
