"""Admin pages for the people of the switchboard directory: add a person, edit or remove one.

As every admin form, the page only decides who sees it; its script (`static/editor.js`) sends the change
to the JSON API (`/api/v1/people`) with If-Match and the CSRF token, where it is checked and audited.
"""

from __future__ import annotations

from aiohttp import web

from knowledge.accounts import Role
from knowledge.catalogue import store
from knowledge.catalogue.models import Unit
from knowledge.directory.models import Person
from knowledge.directory.people import list_people
from servicecenter.auth import Action, may
from servicecenter.keys import SESSIONMAKER
from servicecenter.ui.access import Identity, Refused, county_name, member_counties, require
from servicecenter.ui.rendering import Message, admin_page, render

__all__ = ["edit_person", "new_person", "people_for"]

NOT_FOUND = "Diese Person gibt es nicht (mehr). Vielleicht wurde sie entfernt."
CREATED = "Die Person wurde angelegt. Die Vermittlung findet sie gleich."


def _editable_counties(request: web.Request, identity: Identity) -> list[tuple[str, str]]:
    return [
        (key, name)
        for key, name in member_counties(request).items()
        if may(identity, Action.edit_person, key)
    ]


async def people_for(request: web.Request, identity: Identity) -> list[Person]:
    """The people the viewer may edit (a county editor: their county's), for the admin start page."""
    county = identity.county if identity.role is Role.county_editor else None
    async with request.app[SESSIONMAKER]() as session:
        return list(await list_people(session, county=county))


async def _form_context(request: web.Request, county: str, person: Person | None) -> dict:
    async with request.app[SESSIONMAKER]() as session:
        units: list[Unit] = [
            u for u in await store.list_units(session, county=county, limit=10_000) if u.county
        ]
        colleagues = [
            p for p in await list_people(session, county=county) if person is None or p.id != person.id
        ]
    return {
        "county": county,
        "county_label": county_name(request, county),
        "unit_options": [(u.id, u.name) for u in units],
        "colleague_options": [
            (p.id, f"{p.name} ({p.function})" if p.function else p.name) for p in colleagues
        ],
    }


@admin_page
async def new_person(request: web.Request) -> web.Response:
    """GET /verwaltung/neue-person?kreis=KEY: the form for a new person (the county's editors, admins)."""
    identity = await require(request, Action.edit_person)
    counties = _editable_counties(request, identity)
    wanted = request.query.get("kreis")
    county = wanted if wanted in dict(counties) else (counties[0][0] if counties else None)
    if county is None:
        raise Refused(403, "Kein Zugriff", "Sie dürfen in keinem Kreis Personen anlegen.")
    return await render(
        "edit_person.html",
        request,
        {"person": None, "counties": counties, **await _form_context(request, county, None)},
    )


@admin_page
async def edit_person(request: web.Request) -> web.Response:
    """GET /verwaltung/personen/{id}: a person's office contact data, absence and deputy, and removing them."""
    await require(request, Action.edit_person)
    async with request.app[SESSIONMAKER]() as session:
        person = await session.get(Person, request.match_info["id"])
    if person is None:
        raise Refused(404, "Nicht gefunden", NOT_FOUND)
    await require(request, Action.edit_person, county=person.county, scoped=True)
    created = request.query.get("gespeichert") == "neu"
    return await render(
        "edit_person.html",
        request,
        {
            "person": person,
            "counties": [],
            **await _form_context(request, person.county, person),
            "messages": [Message("success", CREATED)] if created else [],
        },
    )
