"""The closure and notice tables.

A scope is stored as its kind and key (`unit` + unit id, `county` + Kreisschlüssel, `line` + "115" or
"switchboard"; for notices also `service` + service id and `all` without a key) as plain text, so a new
kind of scope (directory entries) needs no schema change. `county` records the county a unit's or county's
entry belongs to, for county editors and filters. Times are stored in UTC.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

__all__ = ["Closure", "Notice"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Closure(SQLModel, table=True):
    """A line, county or unit closed from `starts_at` until `ends_at`."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=16, description="line, county or unit")
    scope_key: str = Field(max_length=200)
    county: str | None = Field(default=None, max_length=5, index=True)
    starts_at: dt.datetime
    ends_at: dt.datetime = Field(index=True)
    reason: str = Field(max_length=200)
    announcement: str | None = Field(default=None, max_length=1000)
    created_by: str
    created_at: dt.datetime = Field(default_factory=_now)


class Notice(SQLModel, table=True):
    """An Info-Meldung for a unit, a county, a service or everyone, shown from `valid_from` until `valid_until`."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(max_length=500)
    severity: str = Field(max_length=16, description="info or warning")
    scope: str = Field(max_length=16, description="unit, county, service or all")
    scope_key: str | None = Field(default=None, max_length=200)
    county: str | None = Field(default=None, max_length=5, index=True)
    valid_from: dt.datetime
    valid_until: dt.datetime = Field(index=True)
    created_by: str
    created_at: dt.datetime = Field(default_factory=_now)
