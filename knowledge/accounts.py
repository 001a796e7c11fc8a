"""Users, API tokens, web sessions and login attempts: who may edit the catalogue.

Only hashes of secrets are stored: argon2 for passwords (slow on purpose, they are guessable), SHA-256
for tokens and session ids (32 random bytes need no stretching, and a lookup must be one index probe).

A login attempt is counted before its password is checked (`claim_login_attempt`) and forgotten only when
the password was right, so concurrent guesses cannot pass the limit while each waits for argon2.

An admin manages users here too: role and county, a new password, disabling (a disabled user's tokens
and sessions are not accepted and its sessions end; enabling again restores its tokens), and tokens,
which are named by the first characters of their hash (`TOKEN_ID_LENGTH`), never by the secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "TOKEN_ID_LENGTH",
    "ApiToken",
    "LoginFailure",
    "LoginThrottled",
    "Role",
    "User",
    "WebSession",
    "add_user",
    "claim_login_attempt",
    "create_token",
    "create_web_session",
    "delete_web_session",
    "forget_login_attempts",
    "end_sessions",
    "get_user",
    "hash_secret",
    "list_tokens",
    "list_users",
    "new_secret",
    "revoke_token",
    "role_county_problem",
    "token_counts",
    "user_for_session",
    "user_for_token",
]

MIN_PASSWORD_LENGTH = 8
TOKEN_ID_LENGTH = 12
"""Hex characters of a token's hash that name it for listing and revoking (48 bits: unique per user)."""


class Role(StrEnum):
    """What a user may do; `county_editor` is bound to one county; `supervisor` is an agent who may also
    read the call statistics."""

    agent = "agent"
    supervisor = "supervisor"
    county_editor = "county_editor"
    catalogue_editor = "catalogue_editor"
    admin = "admin"
    pbx = "pbx"


def role_county_problem(role: Role, county: str | None) -> str | None:
    """Why `role` cannot go with `county`, or None: a county editor has exactly one county, no one else has."""
    if (role is Role.county_editor) != (county is not None):
        return "a county is required for county_editor and only for it"
    return None


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
    disabled_at: dt.datetime | None = Field(default=None, description="set: no login, token or session")


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
    """One login attempt that has not succeeded (yet), counted per subject to throttle guessing."""

    __tablename__ = "login_failure"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(index=True, description="'name:…@address' or 'address:…'")
    at: dt.datetime = Field(default_factory=_now, index=True)


class LoginThrottled(Exception):
    """Too many recent failed logins for a subject; `retry_after` seconds until one more is allowed."""

    def __init__(self, subject: str, retry_after: int) -> None:
        super().__init__(subject)
        self.subject, self.retry_after = subject, retry_after


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


async def list_users(session: AsyncSession) -> Sequence[User]:
    """Every user, by name."""
    return (await session.scalars(select(User).order_by(User.name))).all()


async def token_counts(session: AsyncSession) -> dict[int, int]:
    """User id -> how many API tokens it has."""
    rows = await session.execute(select(ApiToken.user_id, func.count()).group_by(ApiToken.user_id))
    return dict(rows.all())


async def end_sessions(session: AsyncSession, *, user: User) -> None:
    """Log `user` out everywhere (after a new password, or when disabled)."""
    await session.execute(delete(WebSession).where(WebSession.user_id == user.id))


async def list_tokens(session: AsyncSession, *, user: User) -> list[tuple[str, dt.datetime]]:
    """(token id, created at) of `user`'s tokens, oldest first."""
    rows = await session.execute(
        select(ApiToken.token_hash, ApiToken.created_at)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at, ApiToken.token_hash)
    )
    return [(token_hash[:TOKEN_ID_LENGTH], created) for token_hash, created in rows.all()]


async def revoke_token(session: AsyncSession, *, user: User, token_id: str) -> bool:
    """Delete `user`'s token named `token_id`; False when it has none of that name."""
    if len(token_id) != TOKEN_ID_LENGTH or not all(c in "0123456789abcdef" for c in token_id):
        return False
    result = await session.execute(
        delete(ApiToken).where(
            ApiToken.user_id == user.id, col(ApiToken.token_hash).startswith(token_id, autoescape=True)
        )
    )
    return bool(result.rowcount)


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
        .where(ApiToken.token_hash == hash_secret(token), col(User.disabled_at).is_(None))
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
            .where(
                WebSession.id_hash == hash_secret(session_id),
                WebSession.expires_at > _now(),
                col(User.disabled_at).is_(None),
            )
        )
    ).first()
    return (row[0], row[1]) if row else None


async def delete_web_session(session: AsyncSession, *, session_id: str) -> None:
    """Log a browser out."""
    await session.execute(delete(WebSession).where(WebSession.id_hash == hash_secret(session_id)))


def _lock_key(subject: str) -> int:
    """A PostgreSQL advisory lock key (signed 64 bits) for a throttling subject."""
    return int.from_bytes(hashlib.sha256(subject.encode()).digest()[:8], "big", signed=True)


async def claim_login_attempt(
    session: AsyncSession, *, limits: list[tuple[str, int]], window: dt.timedelta
) -> list[int]:
    """Count one attempt under each (subject, limit) before its password is checked: the ids of the
    rows recording it, or LoginThrottled when a subject would exceed its limit within `window` — then
    the caller's transaction must be rolled back, so a refused attempt counts for nothing.

    The attempt is written before the count is read, in the caller's transaction, under a lock per
    subject: SQLite's write lock (taken by the transaction's first statement, a write), on PostgreSQL an
    advisory lock held until commit. Concurrent attempts therefore see each other, and at most `limit`
    of them are ever let through to the password check.
    """
    now = _now()
    subjects = sorted({subject for subject, _ in limits})
    if session.get_bind().dialect.name == "postgresql":
        for subject in subjects:
            await session.execute(select(func.pg_advisory_xact_lock(_lock_key(subject))))
    at, subject_column = col(LoginFailure.at), col(LoginFailure.subject)
    await session.execute(delete(LoginFailure).where(subject_column.in_(subjects), at <= now - window))
    rows = [LoginFailure(subject=subject, at=now) for subject, _ in limits]
    session.add_all(rows)
    await session.flush()
    for subject, limit in limits:
        recent = (
            await session.scalars(select(at).where(subject_column == subject, at > now - window).order_by(at))
        ).all()
        if len(recent) > limit:
            oldest = recent[-limit - 1]
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.UTC)
            raise LoginThrottled(subject, max(1, int((oldest + window - now).total_seconds()) + 1))
    return [row.id for row in rows if row.id is not None]


async def forget_login_attempts(
    session: AsyncSession, *, ids: list[int], subject: str, window: dt.timedelta
) -> None:
    """After a right password: forget this attempt and the earlier failures under `subject`; failures
    that have left the window anywhere are swept on the way."""
    await session.execute(
        delete(LoginFailure).where(
            or_(
                col(LoginFailure.id).in_(ids),
                col(LoginFailure.subject) == subject,
                col(LoginFailure.at) <= _now() - window,
            )
        )
    )
