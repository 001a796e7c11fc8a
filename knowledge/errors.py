"""What can go wrong with an entry the center keeps, said once: the HTTP layer maps each to a status.

The stores raise these instead of answering None or False, so a handler cannot forget to check, and
every "not found" and every stale version reads the same to the client.
"""

from __future__ import annotations

__all__ = ["Conflict", "KnowledgeError", "NotFound", "StaleVersion"]


class KnowledgeError(Exception):
    """Base of the domain errors of `knowledge`."""


class NotFound(KnowledgeError):
    """No entry of `kind` with `entry_id`."""

    def __init__(self, kind: str, entry_id: object) -> None:
        super().__init__(f"no {kind} {str(entry_id)!r}")
        self.kind, self.entry_id = kind, entry_id


class StaleVersion(KnowledgeError):
    """The entry is no longer at the version the writer read; `current` is its version when known."""

    def __init__(self, expected: int, current: int | None = None) -> None:
        now = f", it is at {current}" if current is not None else ""
        super().__init__(
            f"the entry changed since you read it (you sent version {expected}{now}); read it again and redo your change"
        )
        self.expected, self.current = expected, current


class Conflict(KnowledgeError):
    """The change contradicts another entry (e.g. a territory that already has a responsibility)."""
