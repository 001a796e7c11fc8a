"""The login page. Logging in and out is done by the page's script against /api/v1/session, so the
throttling, password check and session cookie live in one place (servicecenter/api/session.py)."""

from __future__ import annotations

from aiohttp import web

from servicecenter.ui.access import current, safe_next
from servicecenter.ui.rendering import Message, render

__all__ = ["login_page"]


async def login_page(request: web.Request) -> web.Response:
    """GET /anmelden: name and password; `next` is where to go afterwards (a path on this site)."""
    target = safe_next(request.query.get("next"))
    identity = await current(request)
    messages = []
    if request.query.get("abgemeldet") == "1":
        messages.append(Message("success", "Sie sind abgemeldet."))
    elif identity is None and request.query.get("next"):
        messages.append(Message("info", "Bitte melden Sie sich an, um diese Seite zu öffnen."))
    return await render("login.html", request, {"next": target, "logged_in": identity, "messages": messages})
