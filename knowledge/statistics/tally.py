"""Counting in memory between flushes, so that counting costs a dictionary update and no I/O.

The event loop is the only thread that counts and drains, so there is no lock. A flush drains a tally and
writes it; when the write fails, the counts go back in and the next flush tries again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.statistics.counters import Counts, merge_into
from knowledge.statistics.search_terms import looks_personal, normalise_query

__all__ = ["SearchTally", "Tally", "TYPING_WINDOW_S"]

TYPING_WINDOW_S = 3.0
"""Searches of one client within this time that extend or shorten each other are one query being typed."""


class Tally:
    """Counters keyed by (slot, *dimensions)."""

    def __init__(self, maxima: Sequence[bool] = (False,)) -> None:
        self._maxima = tuple(maxima)
        self._counts: Counts = {}

    def add(self, key: tuple, *values: int) -> None:
        """Add `values` (default: one) to the counter `key`."""
        counts = self._counts.get(key)
        if counts is None:
            self._counts[key] = list(values or (1,))
        elif not values:
            counts[0] += 1
        else:
            merge_into(self._counts, key, values, self._maxima)

    def drain(self) -> Counts:
        """Everything counted since the last drain; the tally starts empty."""
        counts, self._counts = self._counts, {}
        return counts

    def restore(self, counts: Counts) -> None:
        """Put drained counts back (their write failed)."""
        for key, values in counts.items():
            merge_into(self._counts, key, values, self._maxima)

    def __len__(self) -> int:
        return len(self._counts)


@dataclass(frozen=True, slots=True)
class _Typed:
    query: str
    county: str
    hits: int
    epoch: float
    seen: float


class SearchTally:
    """Searches per hour × county × normalised query, a query counted once its typing has settled.

    The console searches as the agent types ("p", "pe", "per" …): a client's search that extends or
    shortens its previous one within TYPING_WINDOW_S replaces it, and only the last one counts. The
    client key lives in memory for that window only and is never stored.
    """

    def __init__(self) -> None:
        self.tally = Tally((False, False, False))
        self._typing: dict[str, _Typed] = {}

    def note(
        self, client: str, text: str, county: str | None, hits: int, *, epoch: float, now: float
    ) -> None:
        """One search by `client` at `epoch` (wall clock) / `now` (monotonic); a query that looks personal
        is not kept, nor the beginning of it the client typed just before."""
        query = normalise_query(text)
        previous = self._typing.pop(client, None)
        typing_on = (
            previous is not None
            and now - previous.seen <= TYPING_WINDOW_S
            and (query.startswith(previous.query) or previous.query.startswith(query))
        )
        if previous is not None and not typing_on:
            self._count(previous)
        if query and not looks_personal(text):
            self._typing[client] = _Typed(query, county or "", hits, epoch, now)

    def settle(self, now: float, *, everything: bool = False) -> None:
        """Count the queries whose typing ended (all of them with `everything`)."""
        for client, typed in list(self._typing.items()):
            if everything or now - typed.seen > TYPING_WINDOW_S:
                del self._typing[client]
                self._count(typed)

    def _count(self, typed: _Typed) -> None:
        hour = int(typed.epoch) // 3600 * 3600
        self.tally.add((hour, typed.county, typed.query), 1, int(typed.hits == 0), typed.hits)
