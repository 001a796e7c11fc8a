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
from routing.models import Call, Decision, PoolState
from routing.policy import Policy
from servicecenter.call_log import log_call_routed
from servicecenter.keys import CALL_ROUTER, CATALOGUE_FOLLOWER, LIVE_STATE
from servicecenter.ui.access import county_name, member_counties
from servicecenter.ui.closures_page import routing_closures
from servicecenter.ui.rendering import Message, render
from servicecenter.ui.rules_text import (
    KIND_NAMES,
    closing_days_text,
    describe_policy,
    schedule_texts,
    target_name,
)

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
NO_CALL = (
    "Zu diesen Rufnummern passt keine Leitung des Servicecenters. Bitte neutral melden und Anliegen und "
    "Wohnort erfragen."
)
UNKNOWN_CALL = "Dieser Anruf ist nicht mehr bekannt; suchen Sie ohne Anrufdaten."
NUMBER_SHOWN = 64
"""The screen pop shows at most this much of a number it received (a Call allows no longer ones)."""


def _member(policy: Policy, key: str | None) -> str | None:
    return key if key in policy.members else None


def _short_municipality(name: str) -> str:
    """ "Verbandsgemeinde Cochem" -> "VG Cochem", as agents say it."""
    return "VG " + name.removeprefix("Verbandsgemeinde ") if name.startswith("Verbandsgemeinde ") else name


def _county_source(request: web.Request, decision: Decision) -> str:
    """Where the call's county came from, e.g. "Vorwahl 02671 → VG Cochem", or why there is none."""
    county, area = decision.county, decision.caller_area
    if decision.line == "switchboard" and county is not None:
        return f"Telefonzentrale {county_name(request, county)} angerufen"
    served = request.app[CATALOGUE_FOLLOWER].area_municipalities.get(area, {}) if area else {}
    if area and county:
        names = [_short_municipality(name) for name in served.get(county, [])]
        return f"Vorwahl {area} → {' oder '.join(names) or county_name(request, county)}"
    if area and served:
        counties = " oder ".join(county_name(request, key) or key for key in sorted(served))
        return f"Vorwahl {area} → {counties} – Wohnort erfragen"
    if area:
        return f"Vorwahl {area} gehört zu keinem der Kreise – Wohnort erfragen"
    return "Keine Vorwahl (Mobilnummer, unterdrückt oder Ausland) – Wohnort erfragen"


def _call_view(request: web.Request, policy: Policy, decision: Decision) -> dict:
    """What the console's call banner shows about a decision."""
    return {
        "id": decision.decision_id,
        "greeting": decision.greeting,
        "line": LINE_NAMES[decision.line],
        "county": county_name(request, decision.county),
        "county_source": _county_source(request, decision),
        "target": target_name(policy.rule_file, decision.target.id),
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


def _unmatched_view(policy: Policy, called: str, caller: str | None) -> dict:
    """The banner for a screen pop whose numbers fit no line: a neutral greeting and what arrived."""
    return {
        "greeting": f"{policy.rule_file.center}, guten Tag",
        "called": called[:NUMBER_SHOWN],
        "caller": (caller or "")[:NUMBER_SHOWN] or "keine (unterdrückt)",
    }


async def console(request: web.Request) -> web.Response:
    """GET /: the agent console; `?called=&caller=` decides the call and shows it as `?call=ID`."""
    router = request.app[CALL_ROUTER]
    policy = router.policy
    query = request.query
    if "called" in query:
        try:
            now = dt.datetime.now(BERLIN)
            call = Call(called=query["called"], caller=query.get("caller") or None, at=now)
            decision = router.decide(call, counted=False).decision  # the PBX's own route request counted it
        except (ValidationError, InvalidCall, UnknownLine, NoMatchingRule):
            # Still a caller on the line: greet neutrally and show what arrived, so the agent can act.
            unmatched = _unmatched_view(policy, query["called"], query.get("caller"))
            warning = [Message("warning", NO_CALL)]
            return await _console_page(request, policy, None, warning, status=200, unmatched=unmatched)
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
    request: web.Request,
    policy: Policy,
    decision: Decision | None,
    messages: list[Message],
    *,
    status: int,
    unmatched: dict | None = None,
) -> web.Response:
    call_county = decision.county if decision else None
    county = _member(policy, request.query.get("county")) or call_county
    return await render(
        "console.html",
        request,
        {
            "counties": list(member_counties(request).items()),
            "county": county,
            "call_county": call_county or "",
            "q": request.query.get("q", "")[:200],
            "call": _call_view(request, policy, decision) if decision else None,
            "unmatched": unmatched,
            # after login back to the console, not to the screen pop's URL with the caller's number
            "login_next": request.path if unmatched else request.path_qs,
            "places": request.app[CATALOGUE_FOLLOWER].municipalities,
            "messages": messages,
            "outcomes": OUTCOMES,
        },
        status=status,
    )


def _pool_state_text(state: PoolState | None) -> str:
    if state is None:
        return "kein Stand gemeldet"
    return (
        f"{state.agents_available} frei, {state.calls_waiting} wartend, "
        f"längste Wartezeit {state.longest_wait_s:g} s"
    )


async def routing_view(request: web.Request) -> web.Response:
    """GET /routing: the closures of lines and counties with the supervisors' "heute geschlossen" switch, the
    active rules in German and a form to simulate a call, also under an assumed pool load; works without
    the database."""
    router = request.app[CALL_ROUTER]
    policy = router.policy
    rules = policy.rule_file
    lines = [("115", number) for number in rules.lines["115"].numbers] if "115" in rules.lines else []
    names = member_counties(request)
    lines += [
        (f"Zentrale {county_name(request, key)}", number)
        for key in rules.members
        for number in rules.counties[key].switchboard
    ]
    rule_texts = describe_policy(policy)
    return await render(
        "routing.html",
        request,
        {
            "center": rules.center,
            "rules": rule_texts,
            "rule_labels": {rule.id: rule.label for rule in rule_texts},
            "counties": [
                (key, name, rules.counties[key]) for key, name in names.items() if key in rules.counties
            ],
            "lines": lines,
            "schedules": schedule_texts(policy),
            "closing_days": closing_days_text(policy),
            "topics": list(rules.departments),
            "pools": [
                {"id": pool.id, "name": pool.name, "state": _pool_state_text(pool.state)}
                for pool in router.pools()
            ],
            "targets": {
                target_id: {"name": t.name or target_id, "kind": KIND_NAMES.get(t.kind, t.kind)}
                for target_id, t in rules.targets.items()
            },
            "county_names": names,
            "now": dt.datetime.now(BERLIN).strftime("%Y-%m-%dT%H:%M"),
            **await routing_closures(request),
        },
    )
