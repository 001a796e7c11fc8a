"""The tables of live state shared between instances: the ACD's latest pool reports and recent decisions.

Neither holds a caller's number: a decision is stored as the route answer (line, county, target, rule,
trace), which says at most what the caller's area code told. Decisions are kept for a bounded time only.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

__all__ = ["DecisionRecord", "PoolStateRecord"]


class PoolStateRecord(SQLModel, table=True):
    """The latest load the ACD reported for one agent pool, through any instance."""

    __tablename__ = "live_pool_state"

    pool_id: str = Field(primary_key=True, max_length=64)
    agents_available: int
    calls_waiting: int
    longest_wait_s: float
    updated_at: dt.datetime = Field(description="when the ACD's report arrived; older than 120 s is stale")


class DecisionRecord(SQLModel, table=True):
    """A routing decision as the PBX received it, so that any instance can show it again."""

    __tablename__ = "live_decision"

    decision_id: str = Field(primary_key=True, max_length=32)
    decided_at: dt.datetime = Field(index=True, description="kept for the retention period from here")
    body: str = Field(description="the decision as its JSON answer")
