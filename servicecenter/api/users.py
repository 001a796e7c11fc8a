"""Users and their API tokens over HTTP (admins): what `servicecenter user add` and `token create` do on
the command line, plus changing a role or county, a new password, disabling and revoking tokens.

Every change is audited (entity `user`, never a password or token) and logs the user out where its rights
shrink. An admin cannot change their own role or disable themselves, so the last admin cannot lock the
center out by accident.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from knowledge import accounts, audit
from knowledge.accounts import MIN_PASSWORD_LENGTH, TOKEN_ID_LENGTH, Role, User
from knowledge.counties import CountyKey
from servicecenter.api.params import parse_json
from servicecenter.auth import Action, Identity, authorize, hash_password
from servicecenter.keys import CALL_ROUTER, SESSIONMAKER
from servicecenter.problems import Problem

__all__ = [
    "NewToken",
    "PasswordReset",
    "TokenInfo",
    "UserCreate",
    "UserPatch",
    "UserView",
    "create_token",
    "create_user",
    "list_tokens",
    "list_users",
    "patch_user",
    "reset_password",
    "revoke_token",
]

log = structlog.get_logger(__name__)

NAME_PATTERN = r"^[\w.@-]{1,64}$"


class UserView(BaseModel):
    """A user as admins see it: never a password hash or token."""

    name: str
    role: Role
    county: str | None
    disabled: bool
    created_at: dt.datetime
    tokens: int = Field(description="how many API tokens the user has")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN, description="letters, digits and . _ @ -")
    role: Role
    county: CountyKey | None = Field(
        default=None, description="required for county_editor, refused otherwise"
    )
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)


class UserPatch(BaseModel):
    """The fields to change; `county` null removes it (with a role other than county_editor)."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    county: CountyKey | None = None
    disabled: bool | None = Field(default=None, description="true: no login, token or session is accepted")


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)


class TokenInfo(BaseModel):
    id: str = Field(description=f"the first {TOKEN_ID_LENGTH} hex characters of the token's SHA-256 hash")
    created_at: dt.datetime


class NewToken(TokenInfo):
    token: str = Field(description="the token itself: shown this once, only its hash is stored")


def _view(user: User, tokens: int) -> dict:
    return UserView(
        name=user.name,
        role=user.role,
        county=user.county,
        disabled=user.disabled_at is not None,
        created_at=user.created_at,
        tokens=tokens,
    ).model_dump(mode="json")


def _state(user: User) -> dict:
    """What the audit trail keeps of a user: no secrets."""
    return {"role": user.role.value, "county": user.county, "disabled": user.disabled_at is not None}


def _check_county(request: web.Request, role: Role, county: str | None) -> None:
    """422 unless `county` fits `role` and is a member county of the center."""
    problem = accounts.role_county_problem(role, county)
    if problem is None and county is not None and county not in request.app[CALL_ROUTER].policy.members:
        problem = f"county {county} is no member of the center"
    if problem is not None:
        raise Problem(422, problem, errors=[{"loc": ["body", "county"], "msg": problem}])


async def _user(session, name: str) -> User:
    user = await accounts.get_user(session, name=name)
    if user is None:
        raise Problem(404, f"no user {name!r}")
    return user


async def _record(
    session, identity: Identity, user: User, action: str, before: dict | None, **extra: str
) -> None:
    """Audit a change of a user (users have no versions: `version` is 0)."""
    await audit.record(
        session, entity="user", entry_id=user.name, version=0, actor=identity.name,
        action=action, before=before, after=_state(user) | extra,
    )  # fmt: skip


async def _hash(password: str) -> str:
    """argon2 takes a while on purpose; it runs in a worker thread."""
    return await asyncio.to_thread(hash_password, password)


async def list_users(request: web.Request) -> web.Response:
    """GET /api/v1/users: every user, by name."""
    await authorize(request, Action.manage_users)
    async with request.app[SESSIONMAKER]() as session:
        users = await accounts.list_users(session)
        counts = await accounts.token_counts(session)
    return web.json_response([_view(user, counts.get(user.id or 0, 0)) for user in users])


async def create_user(request: web.Request) -> web.Response:
    """POST /api/v1/users: a new user (409 when the name is taken)."""
    identity = await authorize(request, Action.manage_users)
    body = await parse_json(request, UserCreate)
    _check_county(request, body.role, body.county)
    password_hash = await _hash(body.password)
    async with request.app[SESSIONMAKER].begin() as session:
        if await accounts.get_user(session, name=body.name) is not None:
            raise Problem(409, f"user {body.name!r} exists already")
        user = await accounts.add_user(
            session, name=body.name, role=body.role, county=body.county, password_hash=password_hash
        )
        await _record(session, identity, user, "create", None)
    log.info("user_created", user=user.name, role=user.role, by=identity.name)
    return web.json_response(_view(user, 0), status=201)


async def patch_user(request: web.Request) -> web.Response:
    """PATCH /api/v1/users/{name}: role, county, disabled."""
    identity = await authorize(request, Action.manage_users)
    patch = await parse_json(request, UserPatch)
    fields = patch.model_fields_set
    name = request.match_info["name"]
    async with request.app[SESSIONMAKER].begin() as session:
        user = await _user(session, name)
        before = _state(user)
        role = patch.role if patch.role is not None else user.role
        county = patch.county if "county" in fields else user.county
        disabled = patch.disabled if patch.disabled is not None else user.disabled_at is not None
        if user.name == identity.name and (role is not user.role or disabled):
            raise Problem(409, "admins cannot change their own role or disable themselves")
        _check_county(request, role, county)
        narrowed = role is not user.role or county != user.county or (disabled and user.disabled_at is None)
        user.role, user.county = role, county
        user.disabled_at = (user.disabled_at or dt.datetime.now(dt.UTC)) if disabled else None
        if narrowed:
            await accounts.end_sessions(session, user=user)
        await _record(session, identity, user, "update", before)
        counts = await accounts.token_counts(session)
    log.info("user_changed", user=user.name, fields=sorted(fields), by=identity.name)
    return web.json_response(_view(user, counts.get(user.id or 0, 0)))


async def reset_password(request: web.Request) -> web.Response:
    """PUT /api/v1/users/{name}/password: a new password; the user's sessions end."""
    identity = await authorize(request, Action.manage_users)
    body = await parse_json(request, PasswordReset)
    password_hash = await _hash(body.password)
    async with request.app[SESSIONMAKER].begin() as session:
        user = await _user(session, request.match_info["name"])
        user.password_hash = password_hash
        await accounts.end_sessions(session, user=user)
        await _record(session, identity, user, "password", None)
    log.info("user_password_reset", user=user.name, by=identity.name)
    return web.Response(status=204)


async def list_tokens(request: web.Request) -> web.Response:
    """GET /api/v1/users/{name}/tokens: the user's API tokens, by id (never the token)."""
    await authorize(request, Action.manage_users)
    async with request.app[SESSIONMAKER]() as session:
        user = await _user(session, request.match_info["name"])
        tokens = await accounts.list_tokens(session, user=user)
    return web.json_response(
        [TokenInfo(id=token_id, created_at=at).model_dump(mode="json") for token_id, at in tokens]
    )


async def create_token(request: web.Request) -> web.Response:
    """POST /api/v1/users/{name}/tokens: a new API token, in the answer this once."""
    identity = await authorize(request, Action.manage_users)
    async with request.app[SESSIONMAKER].begin() as session:
        user = await _user(session, request.match_info["name"])
        token = await accounts.create_token(session, user=user)
        token_id = accounts.hash_secret(token)[:TOKEN_ID_LENGTH]
        await _record(session, identity, user, "token_create", None, token=token_id)
    log.info("token_created", user=user.name, token_id=token_id, by=identity.name)
    created = NewToken(id=token_id, created_at=dt.datetime.now(dt.UTC), token=token)
    return web.json_response(created.model_dump(mode="json"), status=201)


async def revoke_token(request: web.Request) -> web.Response:
    """DELETE /api/v1/users/{name}/tokens/{token_id}: the token stops working at once."""
    identity = await authorize(request, Action.manage_users)
    token_id = request.match_info["token_id"]
    async with request.app[SESSIONMAKER].begin() as session:
        user = await _user(session, request.match_info["name"])
        if not await accounts.revoke_token(session, user=user, token_id=token_id):
            raise Problem(404, f"no token {token_id!r} of user {user.name!r}")
        await _record(session, identity, user, "token_revoke", None, token=token_id)
    log.info("token_revoked", user=user.name, token_id=token_id, by=identity.name)
    return web.Response(status=204)
