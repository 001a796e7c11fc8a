"""Which of the processes of `serve --workers N` this one is, and what that makes it do."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WorkerSlot"]


@dataclass(frozen=True)
class WorkerSlot:
    """Worker `index` of `count`: the first writes the search index and runs the ticket worker; every worker
    reads the index, routes calls and answers requests alike."""

    index: int = 0
    count: int = 1

    @property
    def writes_index(self) -> bool:
        """Whether this process keeps the search index current (exactly one does)."""
        return self.index == 0
