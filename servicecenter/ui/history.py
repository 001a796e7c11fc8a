"""The history page of an entry: who changed what and when, before → after, and restoring a version.

Read straight from the audit trail; a restore is sent by the page's script to the API (If-Match, CSRF).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aiohttp import web
from pydantic import ValidationError

from knowledge import audit
from knowledge.calendar import BERLIN, WeeklyHours
from knowledge.catalogue import editing
from servicecenter.auth import Action
from servicecenter.keys import SESSIONMAKER
from servicecenter.ui.access import Refused, require
from servicecenter.ui.rendering import Message, admin_page, render

__all__ = ["history_page"]


@dataclass(frozen=True)
class Section:
    """One kind of entry as the admin pages name it."""

    kind: str
    collection: str
    action: Action
    noun: str
    edit_route: str | None


SECTIONS = {
    "stellen": Section("unit", "units", Action.edit_unit, "Stelle", "edit_unit"),
    "leistungen": Section("service", "services", Action.edit_service, "Leistung", "edit_service"),
    "zustaendigkeiten": Section(
        "responsibility", "responsibilities", Action.edit_responsibility, "Zuständigkeit", None
    ),
    "personen": Section("person", "people", Action.edit_person, "Person", "edit_person"),
}
ACTIONS = {
    "create": "angelegt",
    "update": "geändert",
    "delete": "gelöscht",
    "restore": "wiederhergestellt",
    "import": "importiert",
}
FIELD_NAMES = {
    "title": "Bezeichnung",
    "synonyms": "Suchbegriffe",
    "short_text": "Kurztext",
    "full_text": "Volltext",
    "requirements": "Voraussetzungen",
    "documents": "Unterlagen",
    "fees": "Kosten",
    "deadlines": "Fristen",
    "processing_time": "Bearbeitungsdauer",
    "procedure": "Verfahrensablauf",
    "legal_basis": "Rechtsgrundlage",
    "forms": "Formulare",
    "online_service": "Online-Dienst",
    "notes": "Hinweise",
    "phone": "Telefon",
    "extension": "Durchwahl",
    "email": "E-Mail",
    "street": "Straße",
    "postcode": "PLZ",
    "city": "Ort",
    "hours": "Öffnungszeiten",
    "unit": "Zuständige Stelle",
    "place": "Gebiet",
    "county": "Kreis",
    "name": "Name",
    "website": "Website",
    "topics": "Themen",
    "aliases": "Alltagsnamen",
    "function": "Funktion",
    "unit_id": "Stelle",
    "absent_until": "Abwesend bis",
    "deputy_id": "Vertretung",
    "internal_note": "Interner Hinweis",
}


def _shown(name: str, value: object) -> str:
    """A recorded value as a person reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if name == "hours" and isinstance(value, dict):
        try:
            return WeeklyHours.model_validate(value).describe()
        except ValidationError:
            return str(value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _differences(before: dict | None, after: dict | None) -> list[dict]:
    before, after = before or {}, after or {}
    names = [n for n in dict.fromkeys([*after, *before]) if n not in ("id", "version")]
    return [
        {"field": FIELD_NAMES.get(n, n), "before": _shown(n, before.get(n)), "after": _shown(n, after.get(n))}
        for n in names
        if before.get(n) != after.get(n)
    ]


def _when(at: dt.datetime) -> str:
    at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return at.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr")


@admin_page
async def history_page(request: web.Request) -> web.Response:
    """GET /verwaltung/{section}/{id}/verlauf: the changes of one entry, newest first."""
    section = SECTIONS[request.match_info["section"]]
    entry_id = request.match_info["id"]
    await require(request, section.action)
    kind = editing.KINDS[section.kind]
    async with request.app[SESSIONMAKER]() as session:
        changes = await audit.history(session, entity=kind.name, entry_id=entry_id)
        try:
            row = await session.get(kind.table, kind.key(entry_id))
        except ValueError:
            row = None
    current = editing.snapshot(kind, row) if row is not None else None
    latest = current or (changes[0].before if changes else None)
    if latest is None:
        raise Refused(
            404, "Nicht gefunden", "Zu diesem Eintrag gibt es weder einen Stand noch einen Verlauf."
        )
    await require(request, section.action, county=kind.county(latest), scoped=True)
    version = row.version if row is not None else None  # type: ignore[attr-defined]
    versions = [
        {
            "version": c.version,
            "action": ACTIONS.get(c.action, c.action),
            "actor": c.actor,
            "when": _when(c.at),
            "changes": _differences(c.before, c.after),
            "restorable": c.after is not None,
        }
        for c in changes
    ]
    oldest = changes[-1] if changes else None
    original = oldest.version - 1 if oldest is not None and oldest.before is not None else None
    restored = request.query.get("wiederhergestellt", "")
    return await render(
        "history.html",
        request,
        {
            "section": section,
            "entry_id": entry_id,
            "title": latest.get("title") or latest.get("name") or f"{section.noun} {entry_id}",
            "current_version": version,
            "versions": versions,
            "original": original,
            "api_url": f"/api/v1/{section.collection}/{entry_id}",
            "edit_url": request.app.router[section.edit_route].url_for(id=entry_id)
            if section.edit_route and row
            else None,
            "messages": [Message("success", f"Version {restored} wurde wiederhergestellt.")]
            if restored.isdigit()
            else [],
        },
    )
