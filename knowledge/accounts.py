"""Users, API tokens, web sessions and failed logins: who may edit the catalogue.

Only hashes of secrets are stored: argon2 for passwords (slow on purpose, they are guessable), SHA-256
for tokens and session ids (32 random bytes need no stretching, and a lookup must be one index probe).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel

__all__ = [
    "ApiToken",
    "LoginFailure",
    "Role",
    "User",
    "WebSession",
    "add_user",
    "count_login_failures",
    "create_token",
    "create_web_session",
    "delete_web_session",
    "forget_login_failures",
    "get_user",
    "hash_secret",
    "new_secret",
    "note_login_failure",
    "user_for_session",
    "user_for_token",
]


class Role(StrEnum):
    """What a user may do; `county_editor` is bound to one county."""

    agent = "agent"
    county_editor = "county_editor"
    catalogue_editor = "catalogue_editor"
    admin = "admin"
    pbx = "pbx"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, min_length=1, max_length=64)
    role: Role
    county: str | None = Field(default=None, foreign_key="county.key")
    password_hash: str
    created_at: dt.datetime = Field(default_factory=_now)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    token_hash: str = Field(primary_key=True, description="SHA-256 of the token, hex")
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    created_at: dt.datetime = Field(default_factory=_now)


class WebSession(SQLModel, table=True):
    """A logged-in browser; shared by every instance through the database."""

    __tablename__ = "web_session"

    id_hash: str = Field(primary_key=True, description="SHA-256 of the cookie value, hex")
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    csrf_token: str
    expires_at: dt.datetime = Field(index=True)


class LoginFailure(SQLModel, table=True):
    """One failed login, counted per name and per client address to throttle guessing."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(index=True, description="'name:…' or 'address:…'")
    at: dt.datetime = Field(default_factory=_now, index=True)


def new_secret() -> str:
    """A fresh random secret of 32 bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """The stored form of a token or session id."""
    return hashlib.sha256(secret.encode()).hexdigest()


async def add_user(
    session: AsyncSession, *, name: str, role: Role, county: str | None, password_hash: str
) -> User:
    """Create a user in the caller's transaction."""
    user = User(name=name, role=role, county=county, password_hash=password_hash)
    session.add(user)
    await session.flush()
    return user


async def get_user(session: AsyncSession, *, name: str) -> User | None:
    """One user by name."""
    return await session.scalar(select(User).where(User.name == name))


async def create_token(session: AsyncSession, *, user: User) -> str:
    """A new API token for `user`; the caller shows it once, only its hash is kept."""
    token = "sc_" + new_secret()
    session.add(ApiToken(token_hash=hash_secret(token), user_id=user.id))
    await session.flush()
    return token


async def user_for_token(session: AsyncSession, *, token: str) -> User | None:
    """The user an API token belongs to."""
    return await session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_secret(token))
    )


async def create_web_session(session: AsyncSession, *, user: User, lifetime: dt.timedelta) -> tuple[str, str]:
    """(session id for the cookie, CSRF token) of a new login; expired sessions are swept on the way."""
    await session.execute(delete(WebSession).where(WebSession.expires_at < _now()))
    session_id, csrf = new_secret(), new_secret()
    session.add(
        WebSession(
            id_hash=hash_secret(session_id), user_id=user.id, csrf_token=csrf, expires_at=_now() + lifetime
        )
    )
    await session.flush()
    return session_id, csrf


async def user_for_session(session: AsyncSession, *, session_id: str) -> tuple[User, str] | None:
    """(user, CSRF token) of a live web session."""
    row = (
        await session.execute(
            select(User, WebSession.csrf_token)
            .join(WebSession, WebSession.user_id == User.id)
            .where(WebSession.id_hash == hash_secret(session_id), WebSession.expires_at > _now())
        )
    ).first()
    return (row[0], row[1]) if row else None


async def delete_web_session(session: AsyncSession, *, session_id: str) -> None:
    """Log a browser out."""
    await session.execute(delete(WebSession).where(WebSession.id_hash == hash_secret(session_id)))


async def note_login_failure(session: AsyncSession, *, subjects: list[str]) -> None:
    """Remember one failed login under each subject."""
    session.add_all(LoginFailure(subject=s) for s in subjects)
    await session.flush()


async def count_login_failures(session: AsyncSession, *, subject: str, window: dt.timedelta) -> int:
    """Failed logins under `subject` within the last `window`."""
    return (
        await session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.subject == subject, LoginFailure.at > _now() - window)
        )
        or 0
    )


async def forget_login_failures(session: AsyncSession, *, subject: str) -> None:
    """Clear the failures of a name after a successful login."""
    await session.execute(delete(LoginFailure).where(LoginFailure.subject == subject))
