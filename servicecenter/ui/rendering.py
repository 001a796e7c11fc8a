"""Rendering a page: the template, the headers every page carries, who is logged in, admin refusals."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp_jinja2
from aiohttp import web

from servicecenter.outages import is_database_outage
from servicecenter.ui.access import LoginNeeded, Refused, account, current

__all__ = ["Message", "SECURITY_HEADERS", "admin_page", "render"]

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Message:
    """A notice shown at the top of a page; `level` is info, success, warning or error."""

    level: str
    text: str


async def render(template: str, request: web.Request, context: dict, *, status: int = 200) -> web.Response:
    """A page from `template`, with the headers every page carries (no caching: pages show calls and
    edits) and the logged-in user for the header."""
    context = {
        "request": request,
        "messages": [],
        "account": account(request, await current(request)),
        **context,
    }
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    response.headers.update(SECURITY_HEADERS)
    return response


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


UNREACHABLE = Refused(
    503,
    "Datenbank nicht erreichbar",
    "Die Verwaltung braucht die Datenbank, und die ist gerade nicht erreichbar. Bitte versuchen Sie es in "
    "einigen Minuten erneut. Auskunft und Anrufverteilung arbeiten weiter.",
)


def admin_page(handler: Handler) -> Handler:
    """Wrap an admin page: LoginNeeded → redirect to the login form, Refused → the German refusal page,
    the database unreachable → the German 503 page (the session cannot be checked, so no login form)."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except LoginNeeded as needed:
            login = request.app.router["login"].url_for().with_query({"next": needed.path})
            raise web.HTTPSeeOther(login) from None
        except Refused as refused:
            return await _refusal(request, refused)
        except Exception as error:
            if not is_database_outage(error):
                raise
            response = await _refusal(request, UNREACHABLE)
            response.headers["Retry-After"] = "30"
            return response

    return wrapped


async def _refusal(request: web.Request, refused: Refused) -> web.Response:
    return await render(
        "refused.html", request, {"title": refused.title, "text": refused.text}, status=refused.status
    )
