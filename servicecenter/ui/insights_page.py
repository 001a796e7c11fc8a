"""Pages for catalogue editors: what agents search (in vain), and the shared synonym list.

`/verwaltung/suchanfragen` lists the queries searched most often without a hit and the most frequent ones;
each can be taken over as a synonym or added to a service. `/verwaltung/synonyme` edits the shared list.
Both write through the JSON API (`PUT /api/v1/synonyms`, `PATCH /api/v1/services/{id}`) from their script.
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from knowledge.calendar import BERLIN
from knowledge.search import synonym_versions
from knowledge.statistics import searches
from servicecenter.auth import Action
from servicecenter.keys import SESSIONMAKER
from servicecenter.ui.access import require
from servicecenter.ui.rendering import Message, admin_page, render

__all__ = ["search_insights", "synonyms", "synonym_text"]

DEFAULT_DAYS = 30


def _day(text: str | None, default: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default
    return day if dt.date(2000, 1, 1) <= day <= dt.date(2099, 12, 31) else default


@admin_page
async def search_insights(request: web.Request) -> web.Response:
    """GET /verwaltung/suchanfragen?von=&bis=: zero-hit and frequent queries with actions to fix them."""
    await require(request, Action.read_search_insights)
    today = dt.datetime.now(BERLIN).date()
    last = _day(request.query.get("bis"), today)
    first = _day(request.query.get("von"), last - dt.timedelta(days=DEFAULT_DAYS - 1))
    messages = []
    if first > last or (last - first).days > 731:
        messages.append(Message("warning", "Der Zeitraum war ungültig; gezeigt werden die letzten 30 Tage."))
        first, last = today - dt.timedelta(days=DEFAULT_DAYS - 1), today
    async with request.app[SESSIONMAKER]() as session:
        found = await searches.insights(session, first=first, last=last)
    return await render(
        "search_insights.html",
        request,
        {"insights": found, "first": first, "last": last, "messages": messages},
    )


def synonym_text(entries: dict[str, list[str]]) -> str:
    """The list as the page's text: one `what callers say: term, term` a line, sorted."""
    return "".join(f"{said}: {', '.join(terms)}\n" for said, terms in sorted(entries.items()))


@admin_page
async def synonyms(request: web.Request) -> web.Response:
    """GET /verwaltung/synonyme: the shared synonym list as editable text."""
    await require(request, Action.edit_synonyms)
    async with request.app[SESSIONMAKER]() as session:
        current = await synonym_versions.current_version(session)
    return await render(
        "synonyms.html",
        request,
        {
            "version": current.version if current else 0,
            "author": current.author if current else None,
            "created_at": current.created_at.astimezone(BERLIN) if current else None,
            "text": synonym_text(current.entries if current else {}),
            "count": len(current.entries) if current else 0,
        },
    )
