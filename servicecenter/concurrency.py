"""How many requests of one client may run at once: a cheap guard against one client tying up the search.

Counted in memory per instance; the client is `servicecenter.clients.client_address`. A request over the
limit is refused at once with 429 and Retry-After rather than queued, so a flood never builds a backlog.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

from servicecenter.problems import Problem

__all__ = ["PerClientLimit"]


class PerClientLimit:
    """At most `limit` requests of one client in flight; `what` names them in the 429's detail."""

    def __init__(self, limit: int, what: str) -> None:
        self.limit, self.what = limit, what
        self._running: Counter[str] = Counter()

    @contextlib.contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold one of the client's slots while the request runs; 429 when all are taken."""
        if self._running[client] >= self.limit:
            raise Problem(
                429,
                f"at most {self.limit} {self.what} of one client at a time; retry when one has finished",
                headers={"Retry-After": "1"},
            )
        self._running[client] += 1
        try:
            yield
        finally:
            self._running[client] -= 1
            if not self._running[client]:
                del self._running[client]
