"""Web login and logout: a server-side session behind an HttpOnly cookie, with throttled attempts.

Throttling slows a guesser down without locking the real user out: failures count per name *and* client
address (5 in 15 minutes by default) and per client address (20), never per name alone, so failures from
elsewhere never refuse the right password from the user's own address. Behind a reverse proxy the client
address comes from X-Forwarded-For when the proxy is trusted (servicecenter/clients.py).
"""

from __future__ import annotations

import datetime as dt

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from knowledge import accounts
from servicecenter import auth
from servicecenter.api.params import parse_json
from servicecenter.clients import client_address
from servicecenter.keys import SESSIONMAKER, SETTINGS
from servicecenter.problems import Problem

__all__ = ["Login", "SessionInfo", "current_session", "log_in", "log_out"]

log = structlog.get_logger(__name__)


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class SessionInfo(BaseModel):
    """Who is logged in, and the CSRF token their forms and unsafe requests must carry."""

    name: str
    role: accounts.Role
    county: str | None
    csrf_token: str | None


async def _claim_attempt(request: web.Request, name: str) -> tuple[list[int], str]:
    """Count this attempt before the password is checked: (its rows, the name-and-address subject),
    or 429 when the name from this client, or this client altogether, failed too often lately."""
    settings = request.app[SETTINGS]
    address = client_address(request)
    by_name = f"name:{name.casefold()}@{address}"
    limits = [
        (by_name, settings.login_failures_per_name),
        (f"address:{address}", settings.login_failures_per_address),
    ]
    try:
        async with request.app[SESSIONMAKER].begin() as session:
            ids = await accounts.claim_login_attempt(
                session, limits=limits, window=dt.timedelta(minutes=settings.login_window_minutes)
            )
    except accounts.LoginThrottled as throttled:
        log.warning("login_throttled", by=throttled.subject.partition(":")[0])
        raise Problem(
            429,
            "too many failed logins; try again later",
            headers={"Retry-After": str(throttled.retry_after)},
        ) from None
    return ids, by_name


async def log_in(request: web.Request) -> web.Response:
    """POST /api/v1/session: name and password in, a session cookie out."""
    login = await parse_json(request, Login)
    settings = request.app[SETTINGS]
    attempt, by_name = await _claim_attempt(request, login.name)
    async with request.app[SESSIONMAKER]() as session:
        user = await accounts.get_user(session, name=login.name)
    if not await auth.verify_password(user, login.password):
        log.info("login_failed", known_user=user is not None)
        raise Problem(401, "wrong name or password")
    assert user is not None
    if user.disabled_at is not None:
        log.info("login_refused_disabled", user=user.name)
        raise Problem(403, "this account is disabled")
    lifetime = dt.timedelta(hours=settings.session_hours)
    async with request.app[SESSIONMAKER].begin() as session:
        await accounts.forget_login_attempts(
            session, ids=attempt, subject=by_name, window=dt.timedelta(minutes=settings.login_window_minutes)
        )
        session_id, csrf = await accounts.create_web_session(session, user=user, lifetime=lifetime)
    log.info("logged_in", user=user.name, role=user.role)
    info = SessionInfo(name=user.name, role=user.role, county=user.county, csrf_token=csrf)
    response = web.json_response(info.model_dump(mode="json"))
    response.set_cookie(
        auth.SESSION_COOKIE,
        session_id,
        max_age=int(lifetime.total_seconds()),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=settings.session_cookie_secure,
    )
    return response


async def current_session(request: web.Request) -> web.Response:
    """GET /api/v1/session: who is logged in (401 if nobody), with the CSRF token for the UI."""
    identity = await auth.identify(request)
    if identity is None:
        raise Problem(401, "not logged in")
    info = SessionInfo(
        name=identity.name, role=identity.role, county=identity.county, csrf_token=identity.csrf_token
    )
    return web.json_response(info.model_dump(mode="json"))


async def log_out(request: web.Request) -> web.Response:
    """DELETE /api/v1/session: end the web session (CSRF-checked like every cookie-authenticated write)."""
    session_id = request.cookies.get(auth.SESSION_COOKIE)
    if session_id and await auth.identify(request) is not None:
        async with request.app[SESSIONMAKER].begin() as session:
            await accounts.delete_web_session(session, session_id=session_id)
    response = web.Response(status=204)
    response.del_cookie(auth.SESSION_COOKIE, path="/")
    return response
