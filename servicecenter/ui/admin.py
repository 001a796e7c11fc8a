"""Admin pages: the start page with what the viewer may edit, and the edit forms.

The forms are rendered here with the entry's current version; their script (`static/editor.js`) sends
each change to the JSON API with If-Match and the CSRF token, so the API's checks are the only ones that
decide a write. These handlers decide only who sees a form at all.
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from knowledge.accounts import Role
from knowledge.calendar import BERLIN, WEEKDAYS, WeeklyHours
from knowledge.catalogue import store
from knowledge.catalogue.models import PlaceKind, Unit
from servicecenter.auth import Action, may
from servicecenter.keys import SESSIONMAKER
from servicecenter.ui.access import Identity, Refused, county_name, member_counties, require
from servicecenter.ui.people_admin import people_for
from servicecenter.ui.rendering import Message, admin_page, render

__all__ = ["edit_service", "edit_unit", "responsibilities", "start"]

WEEKDAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
UNIT_FIELDS = (
    ("phone", "Telefon", "Direkte Rufnummer, z. B. +49 6592 939-110"),
    ("extension", "Durchwahl", "Nummer innerhalb der Telefonanlage des Kreises, z. B. 110"),
    ("email", "E-Mail", None),
    ("street", "Straße und Hausnummer", None),
    ("postcode", "PLZ", "Fünf Ziffern"),
    ("city", "Ort", None),
)
SERVICE_TEXTS = (
    ("short_text", "Kurztext"),
    ("full_text", "Volltext"),
    ("requirements", "Voraussetzungen"),
    ("documents", "Erforderliche Unterlagen"),
    ("fees", "Kosten"),
    ("deadlines", "Fristen"),
    ("processing_time", "Bearbeitungsdauer"),
    ("procedure", "Verfahrensablauf"),
    ("legal_basis", "Rechtsgrundlage"),
    ("forms", "Formulare"),
    ("notes", "Hinweise"),
)
OPERATIONS = (
    (Action.manage_users, "users", "Benutzer", "Anlegen, Rolle und Kreis, Passwort, sperren, API-Tokens"),
    (
        Action.manage_routing_rules,
        "rules",
        "Routing-Regeln",
        "Versionen vergleichen, aktivieren, zurückrollen",
    ),
    (
        Action.import_catalogue,
        "catalogue_import",
        "Katalog importieren",
        "Katalogdokument hochladen, Probelauf, Import",
    ),
    (Action.report_pool_state, "pools", "Pools", "Auslastung der Agentenpools ansehen und setzen"),
)
"""The admin pages for running the center: (permission, route name, link text, what it is for)."""
NOT_FOUND = "Diesen Eintrag gibt es nicht (mehr). Vielleicht wurde er gelöscht."
SAVED = {"neu": "Die Zuständigkeit wurde angelegt.", "entfernt": "Die Zuständigkeit wurde entfernt."}


@admin_page
async def start(request: web.Request) -> web.Response:
    """GET /verwaltung: the entries the viewer may edit — their county's units, the services, or both."""
    identity = await require(request, Action.read_history)
    units_q = request.query.get("stellen", "")[:200]
    services_q = request.query.get("leistungen", "")[:200]
    limit = 20
    async with request.app[SESSIONMAKER]() as session:
        units: list[Unit] = []
        can_edit_units = may(identity, Action.edit_unit, identity.county)
        if can_edit_units:
            county = identity.county if identity.role is Role.county_editor else None
            found = await store.list_units(session, q=units_q or None, county=county, limit=1000)
            units = [u for u in found if county is None or u.county == county]
        services = await store.list_service_titles(session, q=services_q, limit=limit + 1)
    can_edit_people = may(identity, Action.edit_person, identity.county)
    removed = request.query.get("entfernt") == "1"
    return await render(
        "admin_start.html",
        request,
        {
            "units": units,
            "can_edit_units": can_edit_units,
            "one_county": identity.role is Role.county_editor,
            "units_q": units_q,
            "services": services[:limit],
            "more_services": len(services) > limit,
            "services_q": services_q,
            "can_edit_services": may(identity, Action.edit_service, None),
            "can_improve_search": may(identity, Action.edit_synonyms, None),
            "can_manage_closures": may(identity, Action.manage_closures, identity.county),
            "operations": [
                (name, label, text) for action, name, label, text in OPERATIONS if may(identity, action, None)
            ],
            "can_edit_responsibilities": identity.role in (Role.county_editor, Role.admin),
            "county_names": member_counties(request),
            "scope": _scope(request, identity),
            "can_edit_people": can_edit_people,
            "people": await people_for(request, identity) if can_edit_people else [],
            "today": dt.datetime.now(BERLIN).date(),
            "messages": [Message("success", "Die Person wurde aus dem Telefonverzeichnis entfernt.")]
            if removed
            else [],
        },
    )


def _scope(request: web.Request, identity: Identity) -> str:
    if identity.role is Role.county_editor:
        return (
            "Sie bearbeiten die Stellen, Personen und Zuständigkeiten im Kreis "
            f"{county_name(request, identity.county)}."
        )
    if identity.role is Role.catalogue_editor:
        return "Sie bearbeiten die Leistungsbeschreibungen aller vier Kreise."
    return "Sie dürfen alle Einträge bearbeiten."


def _hours_rows(hours: WeeklyHours | None) -> list[dict]:
    """One row per weekday with at least two (from, to) slots, for the friendly hours form."""
    rows = []
    for day, name in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True):
        ranges = [r.split("-", 1) for r in (getattr(hours, day) if hours else [])]
        slots = [(start.strip(), end.strip()) for start, end in ranges]
        rows.append({"day": day, "name": name, "slots": slots + [("", "")] * max(0, 2 - len(slots))})
    return rows


@admin_page
async def edit_unit(request: web.Request) -> web.Response:
    """GET /verwaltung/stellen/{id}: a unit's contact data and opening hours (its county's editors)."""
    await require(request, Action.edit_unit)
    async with request.app[SESSIONMAKER]() as session:
        unit = await store.get_unit(session, unit_id=request.match_info["id"])
    if unit is None:
        raise Refused(404, "Nicht gefunden", NOT_FOUND)
    await require(request, Action.edit_unit, county=unit.county, scoped=True)
    return await render(
        "edit_unit.html",
        request,
        {
            "unit": unit,
            "county": county_name(request, unit.county),
            "fields": UNIT_FIELDS,
            "hours_rows": _hours_rows(unit.hours),
            "hours_note": (unit.hours.note if unit.hours else None) or "",
        },
    )


@admin_page
async def edit_service(request: web.Request) -> web.Response:
    """GET /verwaltung/leistungen/{id}: a service's title, synonyms and texts (catalogue editors)."""
    await require(request, Action.edit_service)
    async with request.app[SESSIONMAKER]() as session:
        service = await store.get_service(session, service_id=request.match_info["id"])
    if service is None:
        raise Refused(404, "Nicht gefunden", NOT_FOUND)
    return await render(
        "edit_service.html",
        request,
        {
            "service": service,
            "texts": SERVICE_TEXTS,
        },
    )


@admin_page
async def responsibilities(request: web.Request) -> web.Response:
    """GET /verwaltung/leistungen/{id}/zustaendigkeiten: who handles a service, in the viewer's county
    (admins: every member county)."""
    identity = await require(request, Action.edit_responsibility)
    service_id = request.match_info["id"]
    counties = [
        (k, n) for k, n in member_counties(request).items() if may(identity, Action.edit_responsibility, k)
    ]
    async with request.app[SESSIONMAKER]() as session:
        service = await store.get_service(session, service_id=service_id)
        if service is None:
            raise Refused(404, "Nicht gefunden", NOT_FOUND)
        places = {p.id: p for p in await store.list_places(session)}
        found = await store.responsibilities_for(session, service_ids=[service_id])
        sections = []
        for key, name in counties:
            units = await store.list_units(session, county=key, limit=1000)
            sections.append(
                {
                    "key": key,
                    "name": name,
                    "entries": [r for r, _ in found.get(service_id, []) if r.county == key],
                    "units": units,
                    "places": [
                        p for p in places.values() if p.county == key and p.kind is not PlaceKind.ortsgemeinde
                    ],
                }
            )
    saved = SAVED.get(request.query.get("gespeichert", ""))
    return await render(
        "responsibilities.html",
        request,
        {
            "service": service,
            "sections": sections,
            "place_names": {pid: p.name for pid, p in places.items()},
            "messages": [Message("success", saved)] if saved else [],
        },
    )
