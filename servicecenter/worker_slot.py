"""Which of the processes of `serve` this one is, and what that makes it do."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WorkerSlot"]


@dataclass(frozen=True)
class WorkerSlot:
    """Worker `index` of `count`: the first writes the search index and runs the ticket worker; every worker
    reads the index, routes calls and answers requests alike.

    A routing worker (`routing_only`, `serve --route-port`) is none of the `count`: it answers only the
    PBX's routing requests on a port of its own, so a routing decision never waits behind a search, a page
    or an import in the same event loop. It starts no search read processes and writes nothing but what
    routing writes (decisions, statistics)."""

    index: int = 0
    count: int = 1
    routing_only: bool = False

    @property
    def writes_index(self) -> bool:
        """Whether this process keeps the search index current (exactly one does)."""
        return self.index == 0 and not self.routing_only

    @property
    def runs_ticket_worker(self) -> bool:
        """Whether this process sends ticket mails and checks deadlines (exactly one does)."""
        return self.index == 0 and not self.routing_only
