"""The shared colloquial-word list over HTTP (catalogue editors, admins): read it, save a new version.

A save needs If-Match with the version read (ETag), is audited, and bumps the catalogue revision, so every
instance searches with the new list within a second; this instance at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import structlog
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy.exc import IntegrityError

from knowledge import audit
from knowledge.catalogue import store
from knowledge.search import synonym_versions
from knowledge.search.analysis import words
from servicecenter.api.entries import etag, if_match
from servicecenter.api.params import parse_json
from servicecenter.auth import Action, authorize
from servicecenter.keys import CATALOGUE_FOLLOWER, SESSIONMAKER
from servicecenter.problems import Problem

__all__ = ["SynonymList", "SynonymsUpload", "get_synonyms", "put_synonyms"]

log = structlog.get_logger(__name__)

Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class SynonymsUpload(BaseModel):
    """The whole list: what callers say (a word or a phrase) -> the catalogue's terms for it."""

    model_config = ConfigDict(extra="forbid")

    entries: dict[Term, Annotated[list[Term], Field(min_length=1, max_length=20)]] = Field(max_length=5000)

    @field_validator("entries")
    @classmethod
    def _searchable(cls, entries: dict[str, list[str]]) -> dict[str, list[str]]:
        """A phrase must keep a word after analysis (not only stopwords or punctuation)."""
        empty = [said for said in entries if not words(said)]
        if empty:
            raise ValueError(f"no searchable word in: {', '.join(repr(s) for s in empty[:5])}")
        return {said: list(dict.fromkeys(terms)) for said, terms in entries.items()}


class SynonymList(BaseModel):
    version: int
    author: str
    created_at: dt.datetime
    entries: dict[str, list[str]]


def _answer(row: synonym_versions.SynonymVersion, status: int = 200) -> web.Response:
    body = SynonymList(version=row.version, author=row.author, created_at=row.created_at, entries=row.entries)
    return web.Response(
        text=body.model_dump_json(),
        status=status,
        content_type="application/json",
        headers={"ETag": etag(row.version)},
    )


async def get_synonyms(request: web.Request) -> web.Response:
    """GET /api/v1/synonyms: the list in force, with its version as ETag."""
    await authorize(request, Action.edit_synonyms)
    async with request.app[SESSIONMAKER]() as session:
        row = await synonym_versions.current_version(session)
    if row is None:
        raise Problem(404, "no synonym list is stored yet")
    return _answer(row)


def _stale(sent: int, current: int) -> Problem:
    return Problem(
        412,
        f"the list changed since you read it (you sent version {sent}, it is at {current}); "
        "read it again and redo your change",
        title="Precondition failed",
        headers={"ETag": etag(current)},
    )


async def put_synonyms(request: web.Request) -> web.Response:
    """PUT /api/v1/synonyms: save the whole list as the next version (If-Match: the version read)."""
    identity = await authorize(request, Action.edit_synonyms)
    expected = if_match(request)
    upload = await parse_json(request, SynonymsUpload)
    try:
        async with request.app[SESSIONMAKER].begin() as session:
            current = await synonym_versions.current_version(session)
            version = current.version if current else 0
            if expected != version:
                raise _stale(expected, version)
            before = current.entries if current else {}
            row = await synonym_versions.add_version(
                session, entries=upload.entries, author=identity.name, after=version
            )
            await audit.record(
                session,
                entity="synonyms",
                entry_id="shared",
                version=row.version,
                actor=identity.name,
                action="update",
                before={"version": version},
                after={
                    "version": row.version,
                    "added": sorted(set(upload.entries) - set(before)),
                    "removed": sorted(set(before) - set(upload.entries)),
                    "changed": sorted(
                        s for s in upload.entries if s in before and before[s] != upload.entries[s]
                    ),
                },
            )
            await store.bump_revision(session)
    except IntegrityError:
        async with request.app[SESSIONMAKER]() as session:
            newest = await synonym_versions.current_version(session)
        raise _stale(expected, newest.version if newest else 0) from None
    request.app[CATALOGUE_FOLLOWER].use_synonyms(row.version, row.entries)
    log.info("synonyms_saved", version=row.version, actor=identity.name, entries=len(row.entries))
    return _answer(row)
