"""Decision ids that carry the time they were made (UUID version 7, RFC 9562, as 32 hex digits).

Several instances answer the PBX and the agents' consoles; a decision made on one is written to the
shared database a moment later. An instance asked for an id it does not know yet can tell from the id
alone whether it was made a moment ago (worth waiting for) or is unknown or long forgotten.
"""

from __future__ import annotations

import os
import re
import time

__all__ = ["decided_at", "new_decision_id"]

_VERSION = 7
_SHAPE = re.compile(r"[0-9a-f]{12}7[0-9a-f]{19}")


def new_decision_id() -> str:
    """A new id: 48 bits of Unix time in milliseconds, the version, 74 random bits and the variant."""
    millis = time.time_ns() // 1_000_000
    random = int.from_bytes(os.urandom(10), "big")
    value = (
        (millis & (1 << 48) - 1) << 80
        | _VERSION << 76
        | (random >> 62 & 0xFFF) << 64
        | 0b10 << 62
        | random & (1 << 62) - 1
    )
    return f"{value:032x}"


def decided_at(decision_id: str) -> float | None:
    """The Unix time an id of `new_decision_id` was made at; None for any other string."""
    if _SHAPE.fullmatch(decision_id) is None:
        return None
    return int(decision_id[:12], 16) / 1000
