"""The switchboard directory over HTTP: units, people and functions in one ranked list, from memory.

The directory is held by the catalogue follower (rebuilt when units or people change), so it answers like
routing does, without the database. Each entry carries its number as dialled (`dial`, "+4965611550"),
and where the number lies in its county's number block and the rule file knows the county PBX's SIP
pattern, the `sip` URI of the extension; and, as units do, how its office stands now (open, today's
hours, the next opening, a closure in force) and the notices in force for it (a person: for their unit)
and its county.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from knowledge.calendar import BERLIN
from knowledge.closures.board import NoticeBoard
from knowledge.closures.schemas import office_status
from knowledge.counties import CountyKey
from knowledge.directory.search import Entry, Hit
from routing.policy import Policy
from servicecenter.api.catalogue import check_query_size
from servicecenter.api.params import parse_query
from servicecenter.api.people import shows_internal_notes
from servicecenter.api.responses import UnitStatus
from servicecenter.keys import CALL_ROUTER, CATALOGUE_FOLLOWER, SETTINGS

__all__ = ["DirectoryEntry", "DirectoryQuery", "Reachable", "directory_entry", "search_directory", "sip_uri"]


class DirectoryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(
        default=None, max_length=200, description="what the caller asked for, at most 200 characters"
    )
    county: CountyKey | None = None
    limit: int = Field(default=20, ge=1, le=100)


class Reachable(BaseModel):
    """How to reach a unit or person: the numbers and whether they are there."""

    kind: Literal["unit", "person"]
    id: str
    name: str
    function: str | None = Field(description="a person's function, e.g. Landrat")
    unit_id: str | None = Field(description="a person's unit")
    unit: str | None = Field(description="the name of a person's unit")
    county: str | None
    phone: str | None = Field(description="DIN 5008, e.g. +49 6561 15-50")
    extension: str | None
    dial: str | None = Field(description="the number as dialled: + and digits, e.g. +4965611550")
    sip: str | None = Field(description="the extension in the county PBX, where its number block has it")
    email: str | None
    present: bool = Field(description="false while a person is away (absent_until)")
    absent_until: dt.date | None


class DirectoryEntry(Reachable, UnitStatus):
    """One hit of the directory; an absent person with the deputy who answers meanwhile. The office's
    hours, closure and notices are the unit's (a person's: their unit's)."""

    deputy: Reachable | None
    topics: list[str]
    aliases: list[str] = Field(description="a unit's everyday names, e.g. Bauamt")
    internal_note: str | None = Field(description="for the center's staff; null for anonymous readers")


def sip_uri(policy: Policy, entry: Entry) -> str | None:
    """The SIP URI of the entry's extension in its county PBX (`extension_uri`), when its number lies in
    the county's number block."""
    dial = entry.dial
    prefix = policy.lines.blocks.get(entry.county or "")
    county = policy.rule_file.counties.get(entry.county or "")
    if dial is None or prefix is None or county is None or county.extension_uri is None:
        return None
    if not dial.startswith(prefix) or len(dial) == len(prefix):
        return None
    return county.extension_uri.format(extension=dial[len(prefix) :])


def _reachable(policy: Policy, entry: Entry, today: dt.date) -> dict:
    return {
        "kind": entry.kind,
        "id": entry.id,
        "name": entry.name,
        "function": entry.function,
        "unit_id": entry.unit_id,
        "unit": entry.unit,
        "county": entry.county,
        "phone": entry.phone,
        "extension": entry.extension,
        "dial": entry.dial,
        "sip": sip_uri(policy, entry),
        "email": entry.email,
        "present": entry.present(today),
        "absent_until": entry.absent_until,
    }


def directory_entry(
    policy: Policy, notices: NoticeBoard, hit: Hit, now: dt.datetime, *, notes: bool
) -> DirectoryEntry:
    """A hit as the API and the switchboard page show it."""
    entry = hit.entry
    office = entry.id if entry.kind == "unit" else entry.unit_id or entry.id
    status = office_status(
        policy.calendar, notices, hours=entry.hours, unit=office, county=entry.county, now=now
    )
    status["hours_text"] = status.pop("hours")
    return DirectoryEntry(
        **_reachable(policy, entry, now.date()),
        **UnitStatus.model_validate(status).model_dump(),
        deputy=Reachable(**_reachable(policy, hit.deputy, now.date())) if hit.deputy else None,
        topics=list(entry.topics),
        aliases=list(entry.aliases),
        internal_note=entry.internal_note if notes else None,
    )


async def search_directory(request: web.Request) -> web.Response:
    """GET /api/v1/directory: what the switchboard caller asked for, ranked (see knowledge/directory/search.py)."""
    query = parse_query(request, DirectoryQuery)
    if query.q:
        check_query_size(query.q, request.app[SETTINGS])
    follower = request.app[CATALOGUE_FOLLOWER]
    policy = request.app[CALL_ROUTER].policy
    now = dt.datetime.now(BERLIN)
    answer = follower.directory.search(
        query.q, county=query.county, gazetteer=follower.gazetteer, today=now.date(), limit=query.limit
    )
    notes = await shows_internal_notes(request)
    body = [
        directory_entry(policy, follower.notices, hit, now, notes=notes).model_dump(mode="json")
        for hit in answer.hits
    ]
    return web.json_response(body)
