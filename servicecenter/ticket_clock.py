"""The clock tickets are due by: the 115 line's service hours from the routing policy in force.

The one source of service time is the routing policy (config/routing/emh.yaml or the active stored rules):
the 115 line's schedule and the calendar of RLP holidays and closing days that routing uses. The stored
closures of the line travel in that calendar (the policy service swaps them in), and are passed to the
clock as intervals: a ticket created before a closure is due that much later.
"""

from __future__ import annotations

from knowledge.calendar import scopes_of
from knowledge.tickets.deadline import ServiceClock
from routing.policy import Policy

__all__ = ["service_clock"]

PROMISE_LINE = "115"


def service_clock(policy: Policy) -> ServiceClock:
    """Service time of the 115 line (the switchboard's where a policy has no 115 line), minus its closures."""
    line = PROMISE_LINE if PROMISE_LINE in policy.rule_file.lines else "switchboard"
    closures = policy.calendar.closures.intervals(scopes_of(line=line))
    return ServiceClock(policy.calendar, policy.line_hours(line), closures)
