"""The pure routing engine: policy + call + pool states -> Decision, with a trace of every rule.

No I/O, no logging, no module state: the same inputs give the same decision (up to its random id).
Rules are tried in order and the first that matches wins (see `routing.selection`). Rules that cannot
match the call's line or topic are not tested; the policy's plan names them in the trace instead.
The trace is German sentences for the supervisors who read it (words in `routing.wording`).

A stored closure of the call's line or county (in the policy's calendar) closes every schedule for the
call, as a closing day does; its German reason goes into the trace and the decision carries it, with
the announcement text, for the after-hours target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from knowledge.calendar import to_berlin
from routing.conditions import Facts
from routing.decision_ids import new_decision_id
from routing.errors import NoMatchingRule
from routing.lines import Line
from routing.models import Call, Decision, DecisionClosure, PoolState
from routing.origin import Origin
from routing.policy import Policy
from routing.selection import select_rule
from routing.wording import LINE_NAMES, county_name, line_phrase, moment, origin_text, target_name

__all__ = ["evaluate", "evaluate_resolved"]


def _context_county(policy: Policy, line: Line, origin: Origin) -> tuple[str | None, str]:
    rules = policy.rule_file
    if line.kind == "switchboard":
        return line.county, f"Kreis {county_name(rules, line.county)}: seine Telefonzentrale wurde angerufen."
    if origin.county is None:
        return None, "Kreis unbekannt: die Rufnummer nennt keinen Kreis."
    if origin.county not in policy.members:
        name = county_name(rules, origin.county)
        return None, f"Kreis unbekannt: {name} gehört nicht zum Servicecenter."
    return origin.county, f"Kreis {county_name(rules, origin.county)}: aus der Vorwahl des Anrufers."


def evaluate(policy: Policy, call: Call, pools: Mapping[str, PoolState]) -> Decision:
    """Decide where `call` goes; raises InvalidCall, UnknownLine, or NoMatchingRule."""
    line = policy.lines.identify(call.called)
    origin = policy.directory.resolve(call.caller)
    return evaluate_resolved(policy, line, origin, to_berlin(call.at), call.topic, pools)


def evaluate_resolved(
    policy: Policy,
    line: Line,
    origin: Origin,
    local: dt.datetime,
    topic: str | None,
    pools: Mapping[str, PoolState],
) -> Decision:
    """Decide a call already reduced to what routing looks at: its line, the caller's origin, the Berlin
    time and the topic (`routing.memo` keys its remembered decisions on exactly these); raises
    NoMatchingRule."""
    rules = policy.rule_file
    county, county_note = _context_county(policy, line, origin)
    calendar = policy.calendar
    closure = calendar.closure_at(local, line=line.kind, county=county)
    closure_text = closure.text(local) if closure is not None else None
    facts = Facts(
        line=line.kind,
        called_county=line.county,
        county=county,
        origin=origin,
        local=local,
        closed_because=calendar.closed_because(local.date()) or closure_text,
        topic=topic,
        pools=pools,
        rules=rules,
        closures=calendar.closures,
    )
    line_def = rules.lines[line.kind]
    is_open, hours_note = facts.schedule_open(line_def.hours)
    trace = [
        f"Anruf {line_phrase(rules, line.kind, line.county)}"
        + (f", Durchwahl {line.extension} in ihrem Nummernblock" if line.extension else "")
        + ".",
        f"Anrufer: {origin_text(rules, origin)}.",
        county_note,
        f"{moment(local)}: Servicezeit {hours_note}.",
    ]
    if closure is not None:
        what = (
            LINE_NAMES.get(closure.key, closure.key)
            if closure.scope == "line"
            else f"Kreis {county_name(rules, closure.key)}"
        )
        trace.append(f"{what} {closure_text}.")
    selected = select_rule(policy.plan, facts, trace)
    if selected is None:
        raise NoMatchingRule(f"no rule matches this {line.kind} call; trace: {' | '.join(trace)}")
    rule, target_id = selected
    chain = policy.chains[target_id]
    trace.append("Weiterleitung: " + " → ".join(target_name(rules, target.id) for target in chain) + ".")
    greeting = line_def.greeting or (rules.counties[county].greeting if county else None)
    return Decision(
        decision_id=new_decision_id(),
        line=line.kind,
        county=county,
        caller_area=origin.area_code,
        open=is_open,
        target=chain[0],
        fallbacks=list(chain[1:]),
        rule=rule.id,
        greeting=greeting,
        trace=trace,
        closure=None
        if closure is None
        else DecisionClosure(
            scope="line" if closure.scope == "line" else "county",
            key=closure.key,
            reason=closure.reason,
            until=closure.end.astimezone(local.tzinfo),
            announcement=closure.announcement,
        ),
        called_extension=line.extension,
    )
