"""A decision as a Kamailio rtjson routing document, so Kamailio can route without knowing our JSON.

Serial routing: Kamailio tries the target first and each fallback in order on failure
(`rtjson_init_routes`, `rtjson_push_routes`, `rtjson_next_route` in a failure route). Each route
carries extra headers naming the decision, so the agent's phone and the call log can show them.
"""

from __future__ import annotations

from typing import Any

from routing.models import Decision, Target

__all__ = ["to_rtjson"]


def _route(decision: Decision, target: Target) -> dict[str, Any]:
    extra = [
        f"X-EMH-Decision: {decision.decision_id}",
        f"X-EMH-Line: {decision.line}",
        f"X-EMH-Target: {target.kind}; id={target.id}",
    ]
    if decision.county is not None:
        extra.append(f"X-EMH-County: {decision.county}")
    return {"uri": target.uri, "headers": {"extra": "".join(f"{header}\r\n" for header in extra)}}


def to_rtjson(decision: Decision) -> dict[str, Any]:
    """The rtjson document: version 1.0, serial routing, target then fallbacks."""
    return {
        "version": "1.0",
        "routing": "serial",
        "routes": [_route(decision, target) for target in (decision.target, *decision.fallbacks)],
    }
