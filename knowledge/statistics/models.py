"""The statistics tables: counters per quarter hour (and per Berlin day, for long ranges), and the little the
ACD ingest must remember to count each queue_log event once and pair a call's events.

Counter tables have no surrogate key: their primary key is the slot and the dimensions, so adding to a
counter is one `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`. An unknown dimension is stored as
'' (not NULL, which a primary key cannot hold). No table has a column for a caller's number, an agent,
or a person: the dimensions are line, county, pool, rule, target kind, service and outcome.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, SmallInteger
from sqlmodel import Field, SQLModel

__all__ = [
    "AcdState",
    "CallCount",
    "CallCountDaily",
    "CallMeasures",
    "DecisionCount",
    "DecisionCountDaily",
    "OutcomeCount",
    "OutcomeCountDaily",
    "PendingCall",
    "SearchCount",
    "SeenEvent",
]

SLOT_DOC = "start of the quarter hour, seconds since 1970 (UTC)"


class CallMeasures(SQLModel):
    """What the ACD's queue_log tells about the calls offered to a pool in one slot."""

    offered: int = 0
    answered: int = 0
    answered_within_30s: int = 0
    abandoned: int = 0
    abandoned_within_5s: int = 0
    exited: int = Field(default=0, description="left the queue unanswered: timeout, key pressed, no agents")
    wait_answered_s: int = Field(default=0, description="sum of the waits of answered calls")
    wait_max_s: int = Field(default=0, description="the longest wait of any call")
    completed: int = 0
    talk_s: int = Field(default=0, description="sum of the talk times of completed calls")


class CallCount(CallMeasures, table=True):
    __tablename__ = "stat_calls"

    slot: int = Field(sa_type=BigInteger, primary_key=True, description=SLOT_DOC)
    line: str = Field(primary_key=True, max_length=16, description="115, switchboard, or '' unknown")
    county: str = Field(primary_key=True, max_length=5)
    pool: str = Field(primary_key=True, max_length=64)
    hour: int = Field(sa_type=SmallInteger, description="the Berlin hour of day the slot lies in")


class CallCountDaily(CallMeasures, table=True):
    __tablename__ = "stat_calls_daily"

    day: dt.date = Field(primary_key=True, description="Berlin date")
    line: str = Field(primary_key=True, max_length=16)
    county: str = Field(primary_key=True, max_length=5)
    pool: str = Field(primary_key=True, max_length=64)


class DecisionCount(SQLModel, table=True):
    """Routing decisions the PBX asked for, by where they went and why."""

    __tablename__ = "stat_decisions"

    slot: int = Field(sa_type=BigInteger, primary_key=True, description=SLOT_DOC)
    line: str = Field(primary_key=True, max_length=16)
    county: str = Field(primary_key=True, max_length=5)
    pool: str = Field(primary_key=True, max_length=64, description="the target id")
    rule: str = Field(primary_key=True, max_length=64)
    kind: str = Field(primary_key=True, max_length=16, description="the target kind")
    open: bool = Field(primary_key=True, description="within service hours")
    overflow: bool = Field(primary_key=True, description="a known county's call sent to another pool")
    hour: int = Field(sa_type=SmallInteger)
    n: int = 0


class DecisionCountDaily(SQLModel, table=True):
    __tablename__ = "stat_decisions_daily"

    day: dt.date = Field(primary_key=True)
    line: str = Field(primary_key=True, max_length=16)
    county: str = Field(primary_key=True, max_length=5)
    pool: str = Field(primary_key=True, max_length=64)
    rule: str = Field(primary_key=True, max_length=64)
    kind: str = Field(primary_key=True, max_length=16)
    open: bool = Field(primary_key=True)
    overflow: bool = Field(primary_key=True)
    n: int = 0


class OutcomeCount(SQLModel, table=True):
    """Agents' wrap-ups of calls: how each ended, and which service it was about."""

    __tablename__ = "stat_outcomes"

    slot: int = Field(sa_type=BigInteger, primary_key=True, description=SLOT_DOC)
    line: str = Field(primary_key=True, max_length=16)
    county: str = Field(primary_key=True, max_length=5)
    pool: str = Field(primary_key=True, max_length=64)
    service: str = Field(primary_key=True, max_length=200)
    outcome: str = Field(primary_key=True, max_length=16)
    hour: int = Field(sa_type=SmallInteger)
    n: int = 0


class OutcomeCountDaily(SQLModel, table=True):
    """Wrap-ups per day without the service: the first-contact resolution of long ranges reads a few rows a
    day (with the service it would be one row per call); the services asked about come from the quarters."""

    __tablename__ = "stat_outcomes_daily"

    day: dt.date = Field(primary_key=True)
    line: str = Field(primary_key=True, max_length=16)
    county: str = Field(primary_key=True, max_length=5)
    pool: str = Field(primary_key=True, max_length=64)
    outcome: str = Field(primary_key=True, max_length=16)
    n: int = 0


class SearchCount(SQLModel, table=True):
    """Agents' searches per hour, normalised; queries that look personal never get here."""

    __tablename__ = "stat_searches"

    slot: int = Field(sa_type=BigInteger, primary_key=True, description="start of the hour, seconds (UTC)")
    county: str = Field(primary_key=True, max_length=5)
    query: str = Field(primary_key=True, max_length=200)
    searches: int = 0
    zero_hits: int = Field(default=0, description="searches that found nothing")
    hits: int = Field(default=0, description="sum of the hit totals")


class SeenEvent(SQLModel, table=True):
    """A queue_log line already counted (a hash of it); kept for the dedupe window, then pruned.

    Every ingested line writes a row, so the table has its primary key and nothing else: no rowid on SQLite,
    no index on `epoch` (pruning scans the window's few days of rows every ten minutes)."""

    __tablename__ = "acd_seen_event"
    __table_args__ = {"sqlite_with_rowid": False}

    id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    epoch: int = Field(sa_type=BigInteger)


class PendingCall(SQLModel, table=True):
    """A call in a queue whose end has not arrived yet: only what its later events are counted under."""

    __tablename__ = "acd_pending_call"

    key: str = Field(primary_key=True, max_length=200, description="Asterisk's call id and the queue")
    entered: int = Field(sa_type=BigInteger, index=True, description="ENTERQUEUE time, seconds (UTC)")
    line: str = Field(max_length=16)
    county: str = Field(max_length=5)
    pool: str = Field(max_length=64)
    connected: bool = False


class AcdState(SQLModel, table=True):
    """One row: the newest event time ingested. Every ingest updates it first, which also makes concurrent
    ingests take turns (the row lock on PostgreSQL, the write lock on SQLite)."""

    __tablename__ = "acd_state"

    id: int = Field(default=1, primary_key=True)
    newest: int = Field(default=0, sa_type=BigInteger)
