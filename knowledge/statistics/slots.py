"""Quarter-hour slots: the grain of every counter, and what a slot is in Berlin time.

A slot is the start of its quarter hour in seconds since 1970 (UTC). Berlin's offset is always whole hours,
so a quarter hour never straddles a Berlin day or hour, and a range of Berlin dates is an exact range of slots.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from knowledge.calendar import BERLIN

__all__ = ["SLOT_S", "berlin_hour_start", "day_bounds", "hour_of", "local_day_and_hour", "slot_of"]

SLOT_S = 900


def slot_of(epoch: float) -> int:
    """The slot an instant (seconds since 1970) falls in."""
    return int(epoch) // SLOT_S * SLOT_S


@lru_cache(maxsize=65_536)
def _hour_parts(hour_epoch: int) -> tuple[dt.date, int]:
    local = dt.datetime.fromtimestamp(hour_epoch, BERLIN)
    return local.date(), local.hour


def local_day_and_hour(slot: int) -> tuple[dt.date, int]:
    """The Berlin date and hour of day a slot lies in (cached per hour: counting calls this per event)."""
    return _hour_parts(slot // 3600 * 3600)


def hour_of(slot: int) -> int:
    """The Berlin hour of day a slot lies in."""
    return local_day_and_hour(slot)[1]


def berlin_hour_start(hour_epoch: int) -> dt.datetime:
    """The Berlin wall-clock start of the hour beginning at `hour_epoch`."""
    return dt.datetime.fromtimestamp(hour_epoch, BERLIN)


def day_bounds(first: dt.date, last: dt.date) -> tuple[int, int]:
    """[start, end) in seconds since 1970 of the Berlin days `first` to `last`, both included."""
    start = dt.datetime.combine(first, dt.time(), BERLIN)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), BERLIN)
    return int(start.timestamp()), int(end.timestamp())
