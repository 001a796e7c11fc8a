"""The one log line per routed call, written alike for the PBX's route endpoint and the console's screen pop.

It is built from the decision alone, which holds no caller number (at most what the area code told), so
the caller's full number cannot reach the log from here.
"""

from __future__ import annotations

import structlog

from routing.models import Decision

__all__ = ["log_call_routed"]

log = structlog.get_logger(__name__)


def log_call_routed(decision: Decision) -> None:
    """Log `call_routed` with where the call went and why: decision id, line, county, rule and target."""
    log.info(
        "call_routed",
        decision_id=decision.decision_id,
        line=decision.line,
        county=decision.county,
        rule=decision.rule,
        target=decision.target.id,
    )
