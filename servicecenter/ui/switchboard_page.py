"""The switchboard page (/vermittlung): people and units of the four counties, and the switchboard's screen pop.

The PBX opens `/vermittlung?called=NUMBER&caller=NUMBER` for a switchboard call, as it opens `/?called=…`
for a 115 call: the call is decided in process (not counted again) and the page redirects to
`/vermittlung?call=ID`, which shows the greeting of the called county and, for a call forwarded from a
direct extension (a number in the county's number block), "Anruf für: <unit or person>" with whether they
are there, their deputy and the number to transfer to. Everything comes from memory (router, directory),
so the page renders while the database is down. The caller's number never reaches the page or the log.
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web
from pydantic import ValidationError

from knowledge.calendar import BERLIN
from knowledge.directory.search import Entry
from routing.errors import InvalidCall, NoMatchingRule, UnknownLine
from routing.models import Call, Decision
from routing.policy import Policy
from servicecenter.api.directory import directory_entry
from servicecenter.api.people import shows_internal_notes
from servicecenter.call_log import log_call_routed
from servicecenter.keys import CALL_ROUTER, CATALOGUE_FOLLOWER, LIVE_STATE
from servicecenter.ui.access import county_name, member_counties
from servicecenter.ui.rendering import Message, render

__all__ = ["switchboard"]

NO_CALL = (
    "Diese Rufnummer gehört zu keiner Leitung des Servicecenters. Bitte melden Sie sich neutral und fragen "
    "Sie, welche Kreisverwaltung die anrufende Person erreichen wollte."
)
UNKNOWN_CALL = "Dieser Anruf ist nicht mehr bekannt; suchen Sie ohne Anrufdaten."
LINE_NAMES = {"115": "Behördennummer 115", "switchboard": "Telefonzentrale"}


def _called_entry(request: web.Request, decision: Decision) -> Entry | None:
    directory = request.app[CATALOGUE_FOLLOWER].directory
    if decision.called_person is not None:
        return directory.get("person", decision.called_person.id)
    if decision.called_unit is not None:
        return directory.get("unit", decision.called_unit.id)
    return None


async def _call_view(request: web.Request, policy: Policy, decision: Decision) -> dict:
    """What the banner shows: greeting, line, county, and whom an extension call is for."""
    county = county_name(request, decision.county)
    who = decision.called_person or decision.called_unit
    entry = _called_entry(request, decision)
    called = None
    if entry is not None:
        now = dt.datetime.now(BERLIN)
        hit = request.app[CATALOGUE_FOLLOWER].directory.hit(entry, now.date())
        notes = await shows_internal_notes(request)
        notices = request.app[CATALOGUE_FOLLOWER].notices
        called = directory_entry(policy, notices, hit, now, notes=notes).model_dump(mode="json")
    return {
        "id": decision.decision_id,
        "greeting": decision.greeting,
        "line": LINE_NAMES[decision.line] + (f" {county}" if county else ""),
        "county": county,
        "open": decision.open,
        "extension": decision.called_extension,
        "called": called,
        "called_name": who.name if who else None,
    }


async def switchboard(request: web.Request) -> web.Response:
    """GET /vermittlung: find a person or an office; `?called=&caller=` pops a switchboard call as `?call=ID`."""
    router = request.app[CALL_ROUTER]
    policy = router.policy
    query = request.query
    messages: list[Message] = []
    status = 200
    unmatched = None
    if "called" in query:
        try:
            now = dt.datetime.now(BERLIN)
            call = Call(called=query["called"], caller=query.get("caller") or None, at=now)
            decision = router.decide(call, counted=False).decision  # the PBX's own route request counted it
        except (ValidationError, InvalidCall, UnknownLine, NoMatchingRule):
            unmatched = {"called": query["called"][:64], "greeting": f"{policy.rule_file.center}, guten Tag"}
            messages, status = [Message("warning", NO_CALL)], 422
        else:
            log_call_routed(decision)
            # The caller's number leaves the address bar; the page is rendered from the decision alone.
            raise web.HTTPSeeOther(request.url.with_query({"call": decision.decision_id}).relative())
    shown: Decision | None = None
    if call_id := query.get("call"):
        shown = await request.app[LIVE_STATE].decision_for_page(call_id)
        if shown is None:
            messages, status = [Message("warning", UNKNOWN_CALL)], 404
    wanted = query.get("county")
    county = wanted if wanted in policy.members else (shown.county if shown else None)
    return await render(
        "switchboard.html",
        request,
        {
            "counties": list(member_counties(request).items()),
            "county": county,
            "q": query.get("q", "")[:200],
            "call": await _call_view(request, policy, shown) if shown else None,
            "unmatched": unmatched,
            "messages": messages,
        },
        status=status,
    )
