"""Users for the HTTP tests: each fixture call creates a real user in the test database."""

from __future__ import annotations

import pytest

from knowledge import users
from knowledge.db import create_engine, create_sessionmaker
from knowledge.users import Role
from servicecenter.auth import hash_password
from servicecenter.settings import Settings


@pytest.fixture
def make_user(settings: Settings):
    """`await make_user(name, role, county=None, password=None)` -> a bearer header for that user.

    Without a password the user can only use its token (the stored hash matches no password).
    """

    async def make(name: str, role: str, county: str | None = None, password: str | None = None) -> dict:
        engine = create_engine(settings.database)
        try:
            async with create_sessionmaker(engine).begin() as session:
                user = await users.add_user(session, name=name, role=Role(role), county=county,
                                            password_hash=hash_password(password) if password else "!")
                token = await users.create_token(session, user=user)
        finally:
            await engine.dispose()
        return {"Authorization": f"Bearer {token}"}

    return make
