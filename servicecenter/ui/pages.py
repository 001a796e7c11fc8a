"""HTML pages for agents and supervisors: console and routing view (with the closures of lines and
counties, and the supervisors' switch to close a line for the rest of the day); the switchboard is
switchboard_page.py.

Pages are rendered on the server; their scripts then talk to the JSON API (search, services, units,
route). A call's context comes from the in-process router and the place names from the catalogue
follower's memory, never from the database, so the console and the screen pop render even while the
catalogue is unreachable.
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web
from pydantic import ValidationError

from knowledge.calendar import BERLIN
from routing.errors import InvalidCall, NoMatchingRule, UnknownLine
from routing.models import Call, Decision
from routing.policy import Policy
from servicecenter.call_log import log_call_routed
from servicecenter.keys import CALL_ROUTER, CATALOGUE_FOLLOWER, LIVE_STATE
from servicecenter.ui.access import county_name, member_counties
from servicecenter.ui.closures_page import routing_closures
from servicecenter.ui.rendering import Message, render
from servicecenter.ui.rules_text import KIND_NAMES, describe_policy, target_name

__all__ = ["console", "routing_view"]

LINE_NAMES = {"115": "Behördennummer 115", "switchboard": "Telefonzentrale"}
OUTCOMES = (
    ("solved", "gelöst"),
    ("forwarded", "weitergeleitet"),
    ("transferred", "verbunden"),
    ("callback", "Rückruf"),
    ("misrouted", "falsch verbunden"),
)
"""The agent's wrap-up choices, in the order of their keys 1–5."""
NO_CALL = "Zu diesen Rufnummern kann kein Anruf zugeordnet werden."
UNKNOWN_CALL = "Dieser Anruf ist nicht mehr bekannt; suchen Sie ohne Anrufdaten."


def _member(policy: Policy, key: str | None) -> str | None:
    return key if key in policy.members else None


def _call_view(request: web.Request, policy: Policy, decision: Decision) -> dict:
    """What the console's call banner shows about a decision."""
    return {
        "id": decision.decision_id,
        "greeting": decision.greeting,
        "line": LINE_NAMES[decision.line],
        "county": county_name(request, decision.county),
        "target": target_name(policy, decision.target.id),
        "target_kind": KIND_NAMES.get(decision.target.kind, decision.target.kind),
        "open": decision.open,
        "closure": _closure_text(decision),
    }


def _closure_text(decision: Decision) -> str | None:
    """Why the call's line or county is closed, for the call banner."""
    closure = decision.closure
    if closure is None:
        return None
    until = closure.until.astimezone(BERLIN)
    return f"geschlossen: {closure.reason} bis {until:%d.%m., %H:%M} Uhr"


async def console(request: web.Request) -> web.Response:
    """GET /: the agent console; `?called=&caller=` decides the call and shows it as `?call=ID`."""
    router = request.app[CALL_ROUTER]
    policy = router.policy
    query = request.query
    if "called" in query:
        try:
            now = dt.datetime.now(BERLIN)
            call = Call(called=query["called"], caller=query.get("caller") or None, at=now)
            decision = router.decide(call, counted=False)  # the PBX's own route request counted it
        except (ValidationError, InvalidCall, UnknownLine, NoMatchingRule):
            return await _console_page(request, policy, None, [Message("error", NO_CALL)], status=422)
        log_call_routed(decision)
        # The caller's number leaves the address bar; the page is rendered from the decision alone.
        raise web.HTTPSeeOther(request.url.with_query({"call": decision.decision_id}).relative())
    shown: Decision | None = None
    messages: list[Message] = []
    status = 200
    if call_id := query.get("call"):
        shown = await request.app[LIVE_STATE].decision_for_page(call_id)
        if shown is None:
            messages, status = [Message("warning", UNKNOWN_CALL)], 404
    return await _console_page(request, policy, shown, messages, status=status)


async def _console_page(
    request: web.Request, policy: Policy, decision: Decision | None, messages: list[Message], *, status: int
) -> web.Response:
    county = _member(policy, request.query.get("county")) or (decision.county if decision else None)
    return await render(
        "console.html",
        request,
        {
            "counties": list(member_counties(request).items()),
            "county": county,
            "q": request.query.get("q", "")[:200],
            "call": _call_view(request, policy, decision) if decision else None,
            "places": request.app[CATALOGUE_FOLLOWER].municipalities,
            "messages": messages,
            "outcomes": OUTCOMES,
        },
        status=status,
    )


async def routing_view(request: web.Request) -> web.Response:
    """GET /routing: the closures of lines and counties with the supervisors' "heute geschlossen" switch, the
    active rules in German and a form to simulate a call; works without the database."""
    policy = request.app[CALL_ROUTER].policy
    rules = policy.rule_file
    lines = [("115", number) for number in rules.lines["115"].numbers] if "115" in rules.lines else []
    names = member_counties(request)
    lines += [
        (f"Zentrale {county_name(request, key)}", number)
        for key in rules.members
        for number in rules.counties[key].switchboard
    ]
    return await render(
        "routing.html",
        request,
        {
            "center": rules.center,
            "rules": describe_policy(policy),
            "counties": [
                (key, name, rules.counties[key]) for key, name in names.items() if key in rules.counties
            ],
            "lines": lines,
            "schedules": [(name, hours.describe()) for name, hours in rules.schedules.items()],
            "closing_days": list(rules.closing_days),
            "topics": list(rules.departments),
            "targets": {
                target_id: {"name": t.name or target_id, "kind": KIND_NAMES.get(t.kind, t.kind)}
                for target_id, t in rules.targets.items()
            },
            "county_names": names,
            "now": dt.datetime.now(BERLIN).strftime("%Y-%m-%dT%H:%M"),
            **await routing_closures(request),
        },
    )
