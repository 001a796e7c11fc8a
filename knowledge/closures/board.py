"""The notices in memory: which Info-Meldungen are in force for a unit, a county, a service or everyone.

Immutable like the calendar's `Closures`: the catalogue follower builds a new board from the database and
swaps it in whole, so a request never sees half an update. A notice expires by itself: being in force is
judged at the moment asked, against its `valid_from` and `valid_until`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import MappingProxyType

from knowledge.calendar import to_berlin

__all__ = ["EVERYONE", "NoticeBoard", "PostedNotice", "service_scopes", "unit_scopes"]

NoticeScope = tuple[str, str]
EVERYONE: NoticeScope = ("all", "")
"""The scope of a notice for everyone (stored without a key)."""


@dataclass(frozen=True, slots=True)
class PostedNotice:
    """One stored notice as the board holds it (aware UTC times)."""

    id: int
    text: str
    severity: str
    """"info" or "warning"."""
    scope: str
    key: str | None
    county: str | None
    valid_from: dt.datetime
    valid_until: dt.datetime

    def in_force(self, at: dt.datetime) -> bool:
        """Whether the notice is shown at `at`."""
        moment = to_berlin(at).astimezone(dt.UTC)
        return self.valid_from <= moment < self.valid_until


def unit_scopes(unit: str, county: str | None) -> tuple[NoticeScope, ...]:
    """What concerns a unit: notices for it and for its county (not those for everyone)."""
    return (("unit", unit),) + ((("county", county),) if county else ())


def service_scopes(service: str) -> tuple[NoticeScope, ...]:
    """What concerns a service hit: notices for the service and for everyone."""
    return (("service", service), EVERYONE)


class NoticeBoard:
    """Notices (in force and coming) by scope."""

    def __init__(self, notices: Iterable[PostedNotice] = ()) -> None:
        by_scope: dict[NoticeScope, list[PostedNotice]] = {}
        for notice in notices:
            by_scope.setdefault((notice.scope, notice.key or ""), []).append(notice)
        self._by_scope = MappingProxyType({scope: tuple(found) for scope, found in by_scope.items()})

    def __iter__(self) -> Iterator[PostedNotice]:
        """Every notice, by the time it starts."""
        every = (n for found in self._by_scope.values() for n in found)
        return iter(sorted(every, key=lambda n: (n.valid_from, n.id)))

    def __len__(self) -> int:
        return sum(len(found) for found in self._by_scope.values())

    def changes(self, scopes: Iterable[NoticeScope]) -> Iterator[dt.datetime]:
        """Every start and end of the notices of `scopes` (UTC): the moments what is in force changes."""
        return (
            t
            for scope in scopes
            for n in self._by_scope.get(scope, ())
            for t in (n.valid_from, n.valid_until)
        )

    def in_force(self, at: dt.datetime, scopes: Iterable[NoticeScope]) -> list[PostedNotice]:
        """The notices of `scopes` in force at `at`: warnings first, then the newest first."""
        found = [n for scope in scopes for n in self._by_scope.get(scope, ()) if n.in_force(at)]
        return sorted(found, key=lambda n: (n.severity != "warning", -n.valid_from.timestamp(), n.id))
