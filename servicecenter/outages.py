"""What a database outage looks like from here: the errors that mean "unreachable", not "a bug".

The middleware answers them with 503 (the client may retry); the admin pages say "Datenbank nicht
erreichbar"; what works from memory (routing, the console, pool state) carries on without the database.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

__all__ = ["is_database_outage"]


def is_database_outage(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached right now. asyncpg's refusals that SQLAlchemy
    cannot classify arrive as a bare DBAPIError; its subclasses (IntegrityError, …) are not outages."""
    if isinstance(error, OperationalError | InterfaceError | OSError | asyncio.TimeoutError):
        return True
    return type(error) is DBAPIError
