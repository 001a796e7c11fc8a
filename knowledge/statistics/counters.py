"""Adding to counters atomically, on SQLite and PostgreSQL alike.

Every write is `INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n` (the larger value for maxima),
so instances sharing a database add to the same counters without reading them first and without losing
an addition. Rows go in key order, so two writers lock shared counters in the same order and never
deadlock. A family of counters is written to its quarter-hour table and to its daily table (which long
ranges read) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from knowledge.statistics.models import (
    CallCount,
    CallCountDaily,
    CallMeasures,
    DecisionCount,
    DecisionCountDaily,
    OutcomeCount,
    OutcomeCountDaily,
)
from knowledge.statistics.slots import local_day_and_hour

__all__ = [
    "CALLS",
    "DECISIONS",
    "OUTCOMES",
    "Counts",
    "Family",
    "add_counts",
    "dialect_insert",
    "merge_into",
    "upsert",
]

Counts = dict[tuple, list[int]]
"""(slot, *dimensions) -> measures, in the order of the family's `measures`."""


@dataclass(frozen=True)
class Family:
    """A kind of counter: its quarter-hour and daily tables, dimensions and measures."""

    quarter: type[SQLModel]
    daily: type[SQLModel]
    dims: tuple[str, ...]
    measures: tuple[str, ...]
    maxima: frozenset[str] = field(default_factory=frozenset)
    """measures that keep the largest value instead of adding up"""
    daily_dims: tuple[str, ...] | None = None
    """the dimensions the daily table keeps (None: all of them)"""

    def max_positions(self) -> tuple[bool, ...]:
        """For each measure, whether it is a maximum."""
        return tuple(m in self.maxima for m in self.measures)


CALLS = Family(
    CallCount,
    CallCountDaily,
    ("line", "county", "pool"),
    tuple(CallMeasures.model_fields),
    frozenset({"wait_max_s"}),
)
DECISIONS = Family(
    DecisionCount,
    DecisionCountDaily,
    ("line", "county", "pool", "rule", "kind", "open", "overflow"),
    ("n",),
)
OUTCOMES = Family(
    OutcomeCount,
    OutcomeCountDaily,
    ("line", "county", "pool", "service", "outcome"),
    ("n",),
    daily_dims=("line", "county", "pool", "outcome"),
)


def merge_into(target: Counts, key: tuple, values: Sequence[int], maxima: Sequence[bool]) -> None:
    """Add `values` to `target[key]` (keeping the larger value where `maxima` says so)."""
    counts = target.get(key)
    if counts is None:
        target[key] = list(values)
        return
    for i, value in enumerate(values):
        counts[i] = max(counts[i], value) if maxima[i] else counts[i] + value


def dialect_insert(session: AsyncSession, model: type[SQLModel]):
    """The INSERT of the session's database, which knows ON CONFLICT (SQLite and PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)


async def upsert(
    session: AsyncSession,
    model: type[SQLModel],
    rows: list[dict],
    *,
    add: Sequence[str],
    maxima: Sequence[str] = (),
) -> None:
    """Add the `add` columns of each row to its counter, keep the larger of `maxima`; new keys start at
    the row's values. Other columns are written when the counter is created and never changed."""
    if not rows:
        return
    table = model.__table__
    keys = [c.name for c in table.primary_key.columns]
    rows.sort(key=lambda row: tuple(row[k] for k in keys))
    statement = dialect_insert(session, model)
    excluded = statement.excluded
    changes = {name: table.c[name] + excluded[name] for name in add}
    changes |= {
        name: case((excluded[name] > table.c[name], excluded[name]), else_=table.c[name]) for name in maxima
    }
    await session.execute(statement.on_conflict_do_update(index_elements=keys, set_=changes), rows)


async def add_counts(session: AsyncSession, family: Family, counts: Mapping[tuple, Sequence[int]]) -> None:
    """Add `counts` to the family's quarter-hour counters and to its daily counters."""
    if not counts:
        return
    maxima = family.max_positions()
    daily_dims = family.daily_dims or family.dims
    kept = [family.dims.index(name) for name in daily_dims]
    quarter: list[dict] = []
    daily: Counts = {}
    for (slot, *dims), values in counts.items():
        day, hour = local_day_and_hour(slot)
        quarter.append(
            {"slot": slot, **dict(zip(family.dims, dims, strict=True)), "hour": hour}
            | dict(zip(family.measures, values, strict=True))
        )
        merge_into(daily, (day, *(dims[i] for i in kept)), values, maxima)
    daily_rows = [
        {"day": day, **dict(zip(daily_dims, dims, strict=True))}
        | dict(zip(family.measures, values, strict=True))
        for (day, *dims), values in daily.items()
    ]
    sums = [m for m in family.measures if m not in family.maxima]
    await upsert(session, family.quarter, quarter, add=sums, maxima=sorted(family.maxima))
    await upsert(session, family.daily, daily_rows, add=sums, maxima=sorted(family.maxima))
