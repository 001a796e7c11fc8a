"""The pure routing engine: policy + call + pool states -> Decision, with a trace of every rule.

No I/O, no logging, no module state: the same inputs give the same decision (up to its random id).
Rules are tried in order and the first that matches wins (see `routing.selection`). Rules that cannot
match the call's line or topic are not tested; the policy's plan names them in the trace instead.

A stored closure of the call's line or county (in the policy's calendar) closes every schedule for the
call, as a closing day does; its German reason goes into the trace and the decision carries it, with
the announcement text, for the after-hours target.
"""

from __future__ import annotations

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

__all__ = ["evaluate"]


def _context_county(policy: Policy, line: Line, origin: Origin) -> tuple[str | None, str]:
    if line.kind == "switchboard":
        return line.county, f"county {line.county} from the called switchboard"
    if origin.county is None:
        return None, "county unknown from the caller"
    if origin.county not in policy.members:
        return None, f"caller county {origin.county} is not a member of the center"
    return origin.county, f"county {origin.county} from the caller's area code"


def evaluate(policy: Policy, call: Call, pools: Mapping[str, PoolState]) -> Decision:
    """Decide where `call` goes; raises InvalidCall, UnknownLine, or NoMatchingRule."""
    rules = policy.rule_file
    line = policy.lines.identify(call.called)
    origin = policy.directory.resolve(call.caller)
    county, county_note = _context_county(policy, line, origin)
    local = to_berlin(call.at)
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
        topic=call.topic,
        pools=pools,
        rules=rules,
        closures=calendar.closures,
    )
    line_def = rules.lines[line.kind]
    is_open, hours_note = facts.schedule_open(line_def.hours)
    trace = [
        f"line {line.kind}"
        + (f" of county {line.county}" if line.county else "")
        + (f", extension {line.extension} in its number block" if line.extension else ""),
        f"caller: {origin.reason}",
        county_note,
        f"{local:%Y-%m-%d %H:%M} Europe/Berlin, {hours_note}",
    ]
    if closure is not None:
        what = f"Leitung {closure.key}" if closure.scope == "line" else f"Kreis {closure.key}"
        trace.append(f"{closure_text} ({what})")
    selected = select_rule(policy.plan, facts, trace)
    if selected is None:
        raise NoMatchingRule(f"no rule matches this {line.kind} call; trace: {' | '.join(trace)}")
    rule, target_id = selected
    chain = policy.chains[target_id]
    trace.append("route: " + " -> ".join(target.id for target in chain))
    greeting = line_def.greeting or (rules.counties[county].greeting if county else None)
    return Decision(
        decision_id=new_decision_id(),
        line=line.kind,
        county=county,
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
