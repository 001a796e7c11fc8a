"""Live load per agent pool, as the ACD reports it, for overflow decisions.

State older than `max_age` (default 120 s) is left out of `snapshot()`: a pool whose ACD stopped
reporting counts as unknown, and the engine treats unknown as "not saturated", so calls route
normally instead of overflowing on old numbers. The board lives in memory in one event loop; reports
that arrived through other instances are merged in by their time (`merge`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from routing.errors import UnknownPool
from routing.models import PoolInfo, PoolState

__all__ = ["DEFAULT_MAX_AGE", "PoolBoard"]

DEFAULT_MAX_AGE = dt.timedelta(seconds=120)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PoolBoard:
    """The latest reported state of each given pool (a policy's `pools()`), with stale state ignored."""

    def __init__(
        self,
        pools: Iterable[PoolInfo],
        max_age: dt.timedelta = DEFAULT_MAX_AGE,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self._pools = {pool.id: pool for pool in pools}
        self._max_age = max_age
        self._clock = clock
        self._states: dict[str, PoolState] = {}
        self.version = 0
        """Counts the reports taken; with the pools `snapshot()` still holds, it names the snapshot."""

    def update(self, pool_id: str, state: PoolState) -> PoolState:
        """Record a pool's state, stamped now unless it carries its own time; raises UnknownPool."""
        if pool_id not in self._pools:
            raise UnknownPool(f"no pool {pool_id!r} in the routing policy")
        if state.updated_at is None:
            state = state.model_copy(update={"updated_at": self._clock()})
        self._states[pool_id] = state
        self.version += 1
        return state

    def merge(self, pool_id: str, state: PoolState) -> bool:
        """Take a report that arrived elsewhere (it carries its time) unless the one held is as new;
        False when it was not taken, also for a pool this policy does not have."""
        held = self._states.get(pool_id)
        if pool_id not in self._pools or state.updated_at is None:
            return False
        if held is not None and held.updated_at is not None and held.updated_at >= state.updated_at:
            return False
        self._states[pool_id] = state
        self.version += 1
        return True

    def snapshot(self) -> Mapping[str, PoolState]:
        """Current states only, for `evaluate`; stale or never-reported pools are absent."""
        oldest = self._clock() - self._max_age
        return MappingProxyType(
            {
                pool_id: state
                for pool_id, state in self._states.items()
                if state.updated_at is not None and state.updated_at >= oldest
            }
        )

    def reported(self) -> dict[str, PoolState]:
        """Every pool's last report, stale ones included."""
        return dict(self._states)

    def listing(self) -> list[PoolInfo]:
        """Every pool with its current state (null when unknown or stale), for `/api/v1/pools`."""
        current = self.snapshot()
        return [pool.model_copy(update={"state": current.get(pool.id)}) for pool in self._pools.values()]
