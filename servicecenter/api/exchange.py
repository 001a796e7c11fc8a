"""Catalogue import over HTTP (admins): the document of `servicecenter export`, all-or-nothing."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from knowledge.catalogue.document import CatalogueDocument
from knowledge.catalogue.exchange import import_document, record_import
from servicecenter.api.params import parse_query, read_json
from servicecenter.auth import Action, authorize
from servicecenter.keys import SESSIONMAKER

__all__ = ["ImportQuery", "import_catalogue"]


class ImportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = False


async def import_catalogue(request: web.Request) -> web.Response:
    """POST /api/v1/import[?dry_run=true]: write the document in one transaction and report what changed.

    Importing the same document twice changes nothing the second time; a dry run rolls back.
    """
    identity = await authorize(request, Action.import_catalogue)
    query = parse_query(request, ImportQuery)
    document = CatalogueDocument.parse(await read_json(request))
    async with request.app[SESSIONMAKER]() as session:
        transaction = await session.begin()
        report = await import_document(session, document)
        if query.dry_run or not report.changed:
            await transaction.rollback()
        else:
            await record_import(session, report, actor=identity.name)
            await transaction.commit()
    return web.json_response(
        {
            "dry_run": query.dry_run,
            "changed": report.changed,
            "summary": report.summary(),
            "created": report.created,
            "updated": report.updated,
        }
    )
