"""Bearer tokens the database confirmed lately, so a token is still known while the database is down.

Keyed by the token's SHA-256 hash, as the database keeps it: the tokens themselves are never held. Only
tokens the database confirmed are remembered, and one it refuses is forgotten at once.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Generic, TypeVar

__all__ = ["KnownTokens"]

IdentityT = TypeVar("IdentityT")


class KnownTokens(Generic[IdentityT]):
    """The identities of bearer tokens the database confirmed lately, by token hash."""

    def __init__(self) -> None:
        self._confirmed: dict[str, tuple[IdentityT, float]] = {}

    def confirmed(self, token_hash: str, identity: IdentityT) -> None:
        """The database just confirmed this token."""
        self._confirmed[token_hash] = (identity, time.monotonic())

    def refused(self, token_hash: str) -> None:
        """The database does not know this token (any more)."""
        self._confirmed.pop(token_hash, None)

    def recall(self, token_hash: str, grace: dt.timedelta) -> IdentityT | None:
        """The identity of a token confirmed within `grace`, for use while the database is unreachable."""
        known = self._confirmed.get(token_hash)
        if known is None or time.monotonic() - known[1] > grace.total_seconds():
            return None
        return known[0]
