"""The one URL map of the service, grouped by audience.

JSON routes are added through `ApiRoutes`, which registers each on the router and declares it in the
OpenAPI description (`GET /api/openapi.json`) in the same call; HTML pages and static files are plain
aiohttp routes.
"""

from __future__ import annotations

from functools import partial

from aiohttp import web

from knowledge.catalogue.document import CatalogueDocument
from knowledge.closures.schemas import ClosureCreate, ClosureView, NoticeCreate, NoticeView
from knowledge.statistics.report import Report
from knowledge.statistics.searches import Insights
from knowledge.tickets.schemas import TicketCreate, TicketPatch
from routing.models import Call, Decision, PoolInfo
from servicecenter.api import (
    acd,
    catalogue,
    closures,
    directory,
    edits,
    entries,
    exchange,
    health,
    leika,
    metrics,
    notices,
    people,
    routing,
    rules,
    session,
    statistics,
    synonyms,
    tickets,
    users,
)
from servicecenter.api.edits import EDITABLE
from servicecenter.api.responses import (
    Change,
    Health,
    ImportResult,
    PersonState,
    PlaceState,
    Readiness,
    ResponsibilityState,
    RtJson,
    SearchResult,
    ServiceState,
    ServiceView,
    UnitState,
    UnitView,
)
from servicecenter.keys import WORKER
from servicecenter.openapi import API_ROUTES, ApiRoutes, Operation, Reply, ok, openapi_json, problem
from servicecenter.ui import (
    STATIC_DIR,
    account,
    admin,
    closures_page,
    history,
    insights_page,
    operations,
    pages,
    people_admin,
    statistics_page,
    switchboard_page,
)
from servicecenter.ui import tickets as ticket_pages

__all__ = ["ROUTING_SURFACE", "setup_routes"]

ROUTING_SURFACE = frozenset({"/healthz", "/readyz", "/metrics", "/api/v1/route", "/api/v1/decisions/{id}"})
"""What a routing worker answers: the PBX's decisions, the agent's screen pop reading one again, and the
checks of the balancer and of Prometheus."""

NOT_FOUND = {404: problem("no such entry")}
SESSION_PROBLEMS = {
    401: problem("an unknown bearer token", "WWW-Authenticate"),
    403: problem("a session cookie without its CSRF token"),
}
STATES = {
    "services": ServiceState,
    "units": UnitState,
    "places": PlaceState,
    "responsibilities": ResponsibilityState,
    "people": PersonState,
}


def setup_routes(app: web.Application) -> None:
    """Register every route on `app`, and the OpenAPI description of the JSON ones; a routing worker
    (`serve --route-port`) gets only what the PBX asks, and what operators and the balancer check."""
    routing_only = app[WORKER].routing_only
    api = ApiRoutes(app.router, only=ROUTING_SURFACE if routing_only else None)

    # Operations
    api.add(
        "GET",
        "/healthz",
        health.healthz,
        Operation(
            "Liveness: 200 while the process runs", "operations", {200: ok(Health, "running")}, database=False
        ),
    )
    api.add(
        "GET",
        "/readyz",
        health.readyz,
        Operation(
            "Readiness of database, search index and routing",
            "operations",
            {
                200: ok(
                    Readiness, "ready (with scope=routing: routing answers, the body says what else is up)"
                ),
                503: ok(Readiness, "degraded: routing answers, the rest may fail"),
            },
            query=health.ReadinessQuery,
            database=False,
        ),
    )
    api.add(
        "GET",
        "/metrics",
        metrics.metrics,
        Operation(
            "Prometheus metrics of every worker of this instance; for the networks in METRICS_NETWORKS only",
            "operations",
            {
                200: Reply("Prometheus text format 0.0.4", {"text/plain": str}),
                403: problem("the client is outside SERVICECENTER_METRICS_NETWORKS"),
            },
            database=False,
        ),
    )
    api.add(
        "GET",
        "/api/openapi.json",
        openapi_json,
        Operation(
            "This description (OpenAPI 3.1)",
            "operations",
            {200: ok(dict, "the OpenAPI document")},
            database=False,
        ),
    )

    # Call-center agents and the switchboard
    api.add(
        "GET",
        "/api/v1/search",
        catalogue.search_services,
        Operation(
            "Search services as an agent types, with who is responsible and whether open now",
            "agents",
            {
                200: ok(SearchResult, "ranked hits"),
                429: problem("too many anonymous searches of this client at once", "Retry-After"),
                503: problem(
                    "the catalogue database is unreachable, or the search workers are busy or restarting",
                    "Retry-After",
                ),
            },
            query=catalogue.SearchQuery,
        ),
    )
    api.add(
        "GET",
        "/api/v1/services/{id}",
        catalogue.get_service,
        Operation(
            "A service with every county's responsibility",
            "agents",
            {200: ok(ServiceView, "the service", "ETag"), **NOT_FOUND},
        ),
    )
    api.add(
        "GET",
        "/api/v1/units",
        catalogue.list_units,
        Operation(
            "The switchboard directory: offices and departments with their numbers",
            "agents",
            {200: ok(list[UnitView], "matching units")},
            query=catalogue.UnitQuery,
        ),
    )
    api.add(
        "GET",
        "/api/v1/units/{id}",
        catalogue.get_unit,
        Operation("One unit", "agents", {200: ok(UnitView, "the unit", "ETag"), **NOT_FOUND}),
    )

    api.add(
        "GET",
        "/api/v1/directory",
        directory.search_directory,
        Operation(
            "The switchboard directory: units, people and functions in one ranked list, from memory",
            "agents",
            {200: ok(list[directory.DirectoryEntry], "ranked entries")},
            query=directory.DirectoryQuery,
            database=False,
        ),
    )
    api.add(
        "GET",
        "/api/v1/people",
        people.list_people_handler,
        Operation(
            "The people of the switchboard directory (office contact data), by county and name",
            "agents",
            {200: ok(list[PersonState], "the people")},
            query=people.PeopleQuery,
        ),
    )
    api.add(
        "GET",
        "/api/v1/people/{id}",
        people.get_person,
        Operation(
            "One person, for editing", "agents", {200: ok(PersonState, "the person", "ETag"), **NOT_FOUND}
        ),
    )

    api.add(
        "GET",
        "/api/v1/leika",
        leika.list_leika,
        Operation(
            "The LeiKa reference list, searched by words, a 14-digit key or a key's first digits",
            "agents",
            {200: ok(leika.LeikaPage, "matching entries")},
            query=leika.LeikaQuery,
        ),
    )
    api.add(
        "GET",
        "/api/v1/leika/{key}",
        leika.get_leika,
        Operation(
            "One LeiKa entry with the EMH services that carry its key",
            "agents",
            {200: ok(leika.LeikaDetail, "the entry"), **NOT_FOUND},
            path_params={"key": "a 14-digit LeiKa-Leistungsschlüssel"},
        ),
    )

    # PBX and ACD
    route_reply = Reply(
        "the decision as JSON (`format=json`), Kamailio rtjson (`rtjson`), or one SIP URI "
        "per line, target then fallbacks (`text`)",
        {"application/json": Decision | RtJson, "text/plain": str},
    )
    for method, query, body in (
        ("GET", routing.RouteQuery, None),
        ("POST", routing.FormatQuery, Call),
    ):
        api.add(
            method,
            "/api/v1/route",
            routing.route,
            Operation(
                "Where a call goes, and why; answered from memory",
                "pbx",
                {200: route_reply},
                query=query,
                body=body,
                database=False,
            ),
        )
    api.add(
        "POST",
        "/api/v1/route/simulation",
        routing.simulate,
        Operation(
            "Where a call would go under an assumed pool load (the routing page); nothing counted",
            "pbx",
            {200: ok(Decision, "the decision, with its German trace")},
            body=routing.Simulation,
            database=False,
        ),
    )
    api.add(
        "GET",
        "/api/v1/decisions/{id}",
        routing.get_decision,
        Operation(
            "A recent decision again (made by any instance on the same database), for the agent who takes the call",
            "pbx",
            {
                200: ok(Decision, "the decision"),
                404: problem(
                    "unknown: not among this instance's last 10,000 decisions, nor (PostgreSQL) within the shared "
                    "retention period"
                ),
            },
            path_params={"id": "`decision_id` of a routing answer"},
        ),
    )
    api.add(
        "GET",
        "/api/v1/pools",
        routing.list_pools,
        Operation(
            "Every pool of the active policy with its live state",
            "pbx",
            {200: ok(list[PoolInfo], "the pools")},
            database=False,
        ),
    )
    api.add(
        "PUT",
        "/api/v1/pools/{id}/state",
        routing.put_pool_state,
        Operation(
            "The ACD reports a pool's live load (pbx, admin)",
            "pbx",
            {200: ok(PoolInfo, "the pool with its new state"), 404: problem("no such pool")},
            body=routing.PoolStateUpdate,
            auth=True,
            path_params={"id": "a pool of `GET /api/v1/pools`"},
        ),
    )

    # Statistics without personal data
    api.add(
        "POST",
        "/api/v1/acd/events",
        acd.post_events,
        Operation(
            "Asterisk queue_log lines (text/plain), each event counted exactly once (pbx, admin)",
            "statistics",
            {
                200: ok(acd.IngestResult, "what was counted"),
                422: problem("malformed lines, each named by its number in `errors`; nothing stored"),
            },
            body=str,
            body_media="text/plain",
            auth=True,
        ),
    )
    api.add(
        "POST",
        "/api/v1/decisions/{id}/outcome",
        statistics.post_outcome,
        Operation(
            "The agent's wrap-up of a call; a second one corrects the first (agent, supervisor, admin)",
            "statistics",
            {
                200: ok(statistics.OutcomeRecorded, "counted"),
                404: problem("not among the last 10,000 decisions"),
            },
            body=statistics.OutcomeReport,
            auth=True,
            path_params={"id": "`decision_id` of a routing answer"},
        ),
    )
    api.add(
        "GET",
        "/api/v1/stats",
        statistics.get_stats,
        Operation(
            "Service level, first-contact resolution and demand per period, with totals (supervisor, admin)",
            "statistics",
            {
                200: Reply(
                    "the figures as JSON, or as CSV with `format=csv` (a last row `total`)",
                    {"application/json": Report, "text/csv": str},
                )
            },
            query=statistics.StatsQuery,
            auth=True,
        ),
    )
    api.add(
        "GET",
        "/api/v1/search/insights",
        statistics.get_insights,
        Operation(
            "The most frequent queries and those without a hit (catalogue_editor, admin)",
            "statistics",
            {200: ok(Insights, "the queries")},
            query=statistics.InsightsQuery,
            auth=True,
        ),
    )
    api.add(
        "GET",
        "/api/v1/synonyms",
        synonyms.get_synonyms,
        Operation(
            "The shared colloquial-word list search uses (catalogue_editor, admin)",
            "editing",
            {200: ok(synonyms.SynonymList, "the list in force", "ETag"), 404: problem("no list stored yet")},
            auth=True,
        ),
    )
    api.add(
        "PUT",
        "/api/v1/synonyms",
        synonyms.put_synonyms,
        Operation(
            "Save the whole list as the next version; every instance searches with it within a second",
            "editing",
            {200: ok(synonyms.SynonymList, "saved", "ETag")},
            body=synonyms.SynonymsUpload,
            auth=True,
            if_match=True,
        ),
    )

    # Closures and notices (permissions in servicecenter/auth.py)
    api.add(
        "GET",
        "/api/v1/closures",
        closures.list_closures,
        Operation(
            "Closures of lines, counties and units in force or still to come; answered from memory",
            "closures and notices",
            {200: ok(list[ClosureView], "the closures, by start")},
            query=closures.ClosureQuery,
            database=False,
        ),
    )
    api.add(
        "POST",
        "/api/v1/closures",
        closures.create_closure,
        Operation(
            "Close a unit, a county (county_editor of that county, admin) or a line (admin; supervisor: "
            "for the rest of today); routing and the units follow at once",
            "closures and notices",
            {201: ok(ClosureView, "stored"), 422: problem("invalid fields or an unknown unit or county")},
            body=ClosureCreate,
            auth=True,
        ),
    )
    api.add(
        "DELETE",
        "/api/v1/closures/{id}",
        closures.delete_closure,
        Operation(
            "Remove a closure (who may store it may remove it)",
            "closures and notices",
            {204: Reply("removed"), 404: problem("no such closure")},
            auth=True,
            path_params={"id": "`id` of a closure"},
        ),
    )
    api.add(
        "GET",
        "/api/v1/notices",
        notices.list_notices,
        Operation(
            "Info-Meldungen in force or still to come; answered from memory",
            "closures and notices",
            {200: ok(list[NoticeView], "the notices, by start")},
            query=notices.NoticeQuery,
            database=False,
        ),
    )
    api.add(
        "POST",
        "/api/v1/notices",
        notices.create_notice,
        Operation(
            "Post an Info-Meldung for a unit or a county (county_editor of that county, admin), a service "
            "or everyone (admin)",
            "closures and notices",
            {
                201: ok(NoticeView, "stored"),
                422: problem("invalid fields or an unknown unit, county or service"),
            },
            body=NoticeCreate,
            auth=True,
        ),
    )
    api.add(
        "DELETE",
        "/api/v1/notices/{id}",
        notices.delete_notice,
        Operation(
            "Take an Info-Meldung down",
            "closures and notices",
            {204: Reply("removed"), 404: problem("no such notice")},
            auth=True,
            path_params={"id": "`id` of a notice"},
        ),
    )

    # Catalogue editing (permissions in servicecenter/auth.py)
    for collection in ("places", "responsibilities"):
        api.add(
            "GET",
            f"/api/v1/{collection}/{{id}}",
            partial(edits.get_entry, collection=collection),
            Operation(
                f"One of the {collection}, for editing",
                "editing",
                {200: ok(STATES[collection], "the entry", "ETag"), **NOT_FOUND},
            ),
        )
    for collection, editable in EDITABLE.items():
        state = STATES[collection]
        api.add(
            "PATCH",
            f"/api/v1/{collection}/{{id}}",
            partial(entries.patch, collection=collection),
            Operation(
                f"Change some fields of one of the {collection}",
                "editing",
                {200: ok(state, "the entry as changed", "ETag"), **NOT_FOUND},
                body=editable.patch_model,
                auth=True,
                if_match=True,
            ),
        )
        api.add(
            "GET",
            f"/api/v1/{collection}/{{id}}/history",
            partial(entries.history, collection=collection),
            Operation(
                f"Every change of one of the {collection}, newest first",
                "editing",
                {200: ok(list[Change], "the changes"), **NOT_FOUND},
                auth=True,
            ),
        )
        api.add(
            "POST",
            f"/api/v1/{collection}/{{id}}/history/{{version}}/restore",
            partial(entries.restore, collection=collection),
            Operation(
                f"Bring back the editable fields of an earlier version of one of the {collection}",
                "editing",
                {200: ok(state, "the entry as restored", "ETag"), 404: problem("no such entry or version")},
                auth=True,
                if_match=True,
                path_params={"version": "a version from the entry's history"},
            ),
        )
    api.add(
        "GET",
        "/api/v1/services/{id}/responsibilities",
        edits.list_responsibilities,
        Operation(
            "A service's responsibilities with ids and versions, for editing",
            "editing",
            {200: ok(list[ResponsibilityState], "the responsibilities"), **NOT_FOUND},
        ),
    )
    api.add(
        "POST",
        "/api/v1/services/{id}/responsibilities",
        edits.create_responsibility,
        Operation(
            "Make a unit responsible for a service in a territory",
            "editing",
            {
                201: ok(ResponsibilityState, "created", "ETag", "Location"),
                **NOT_FOUND,
                409: problem("the territory has a responsibility already"),
            },
            body=edits.ResponsibilityCreate,
            auth=True,
        ),
    )
    api.add(
        "DELETE",
        "/api/v1/responsibilities/{id}",
        edits.delete_responsibility,
        Operation(
            "Delete a responsibility",
            "editing",
            {204: Reply("deleted"), **NOT_FOUND},
            auth=True,
            if_match=True,
        ),
    )

    api.add(
        "POST",
        "/api/v1/people",
        people.create_person,
        Operation(
            "Add a person to the switchboard directory, in their unit's county (its county editors, admin)",
            "editing",
            {
                201: ok(PersonState, "created", "ETag", "Location"),
                409: problem("the id is taken"),
            },
            body=people.PersonCreate,
            auth=True,
        ),
    )
    api.add(
        "DELETE",
        "/api/v1/people/{id}",
        people.delete_person,
        Operation(
            "Remove a person who left (county editors of their county, admin)",
            "editing",
            {204: Reply("deleted"), **NOT_FOUND, 409: problem("the person stands in for a colleague")},
            auth=True,
            if_match=True,
        ),
    )

    # Tickets: callbacks, forwarding to the Fachbereich, messages
    ticket_ids = {"id": "`id` of a ticket"}
    api.add(
        "POST",
        "/api/v1/tickets",
        tickets.create_ticket,
        Operation(
            "Record a callback, a question for a unit or a message; due in 24 service hours "
            "(agent, admin; pbx: callbacks)",
            "tickets",
            {
                201: ok(tickets.TicketDetail, "created", "ETag", "Location"),
                200: ok(tickets.TicketDetail, "created before with this Idempotency-Key", "ETag"),
            },
            body=TicketCreate,
            auth=True,
            idempotency=True,
        ),
    )
    api.add(
        "GET",
        "/api/v1/tickets",
        tickets.list_tickets,
        Operation(
            "The worklist, due first, with overdue and warning (agent, admin; county editor: own county)",
            "tickets",
            {200: ok(list[tickets.TicketView], "matching tickets")},
            query=tickets.TicketQuery,
            auth=True,
        ),
    )
    api.add(
        "GET",
        "/api/v1/tickets/{id}",
        tickets.get_ticket,
        Operation(
            "One ticket with the mails sent about it",
            "tickets",
            {200: ok(tickets.TicketDetail, "the ticket", "ETag"), **NOT_FOUND},
            auth=True,
            path_params=ticket_ids,
        ),
    )
    api.add(
        "PATCH",
        "/api/v1/tickets/{id}",
        tickets.patch_ticket,
        Operation(
            "Change a ticket's state (forward only; closed is final), note or unit (agent, admin)",
            "tickets",
            {
                200: ok(tickets.TicketDetail, "the ticket as changed", "ETag"),
                **NOT_FOUND,
                409: problem("the ticket is closed"),
            },
            body=TicketPatch,
            auth=True,
            if_match=True,
            path_params=ticket_ids,
        ),
    )
    api.add(
        "POST",
        "/api/v1/tickets/{id}/forward",
        tickets.forward_ticket,
        Operation(
            "E-mail the ticket (again) to its unit with a new answer link (agent, admin)",
            "tickets",
            {
                202: ok(tickets.TicketDetail, "the mail is queued", "ETag"),
                **NOT_FOUND,
                409: problem("the ticket is closed, or has no unit with an e-mail address"),
            },
            auth=True,
            path_params=ticket_ids,
        ),
    )
    api.add(
        "GET",
        "/api/v1/tickets/{id}/history",
        tickets.ticket_history,
        Operation(
            "Every change of a ticket, newest first (contact data is never recorded)",
            "tickets",
            {200: ok(list[Change], "the changes"), **NOT_FOUND},
            auth=True,
            path_params=ticket_ids,
        ),
    )

    # Routing rules (admins)
    api.add(
        "GET",
        "/api/v1/routing/rules",
        rules.get_rules,
        Operation(
            "The rules in force, with their text",
            "routing rules",
            {200: ok(rules.RulesVersionInfo, "the rules in force")},
            auth=True,
        ),
    )
    api.add(
        "PUT",
        "/api/v1/routing/rules",
        rules.put_rules,
        Operation(
            "Store a new version of the rules, checked first, and by default activate it",
            "routing rules",
            {201: ok(rules.RulesVersionInfo, "stored")},
            body=rules.RulesUpload,
            auth=True,
        ),
    )
    api.add(
        "GET",
        "/api/v1/routing/rules/versions",
        rules.list_versions,
        Operation(
            "Every stored version, newest first, without text",
            "routing rules",
            {200: ok(list[rules.RulesVersionInfo], "the versions")},
            auth=True,
        ),
    )
    api.add(
        "GET",
        "/api/v1/routing/rules/versions/{version}",
        rules.get_version,
        Operation(
            "One stored version with its text",
            "routing rules",
            {200: ok(rules.RulesVersionInfo, "the version"), **NOT_FOUND},
            auth=True,
        ),
    )
    api.add(
        "POST",
        "/api/v1/routing/rules/versions/{version}/activate",
        rules.activate_version,
        Operation(
            "Make a stored version the live policy (rollback)",
            "routing rules",
            {
                200: ok(rules.RulesVersionInfo, "now active"),
                **NOT_FOUND,
                422: problem("the version no longer compiles against the catalogue"),
            },
            auth=True,
        ),
    )

    # Users and API tokens (admins)
    user_name = {"name": "a user's name"}
    api.add(
        "GET",
        "/api/v1/users",
        users.list_users,
        Operation("Every user, by name", "users", {200: ok(list[users.UserView], "the users")}, auth=True),
    )
    api.add(
        "POST",
        "/api/v1/users",
        users.create_user,
        Operation(
            "Create a user (as `servicecenter user add`)",
            "users",
            {201: ok(users.UserView, "created"), 409: problem("the name is taken")},
            body=users.UserCreate,
            auth=True,
        ),
    )
    api.add(
        "PATCH",
        "/api/v1/users/{name}",
        users.patch_user,
        Operation(
            "Change a user's role, county, or disable it; its sessions end where its rights shrink",
            "users",
            {
                200: ok(users.UserView, "the user as changed"),
                **NOT_FOUND,
                409: problem("admins cannot change their own role or disable themselves"),
            },
            body=users.UserPatch,
            auth=True,
            path_params=user_name,
        ),
    )
    api.add(
        "PUT",
        "/api/v1/users/{name}/password",
        users.reset_password,
        Operation(
            "Set a new password; the user's sessions end",
            "users",
            {204: Reply("changed"), **NOT_FOUND},
            body=users.PasswordReset,
            auth=True,
            path_params=user_name,
        ),
    )
    api.add(
        "GET",
        "/api/v1/users/{name}/tokens",
        users.list_tokens,
        Operation(
            "A user's API tokens (ids, never the tokens)",
            "users",
            {200: ok(list[users.TokenInfo], "the tokens"), **NOT_FOUND},
            auth=True,
            path_params=user_name,
        ),
    )
    api.add(
        "POST",
        "/api/v1/users/{name}/tokens",
        users.create_token,
        Operation(
            "A new API token for the user, shown in this answer only (as `servicecenter token create`)",
            "users",
            {201: ok(users.NewToken, "the token"), **NOT_FOUND},
            auth=True,
            path_params=user_name,
        ),
    )
    api.add(
        "DELETE",
        "/api/v1/users/{name}/tokens/{token_id}",
        users.revoke_token,
        Operation(
            "Revoke a token: it stops working at once",
            "users",
            {204: Reply("revoked"), **NOT_FOUND},
            auth=True,
            path_params={**user_name, "token_id": "`id` of the token in the user's token list"},
        ),
    )

    # Web login
    api.add(
        "POST",
        "/api/v1/session",
        session.log_in,
        Operation(
            "Log in: name and password in, a session cookie out",
            "session",
            {
                200: ok(session.SessionInfo, "logged in", "Set-Cookie"),
                401: problem("wrong name or password"),
                403: problem("the account is disabled"),
                429: problem("too many failed logins", "Retry-After"),
            },
            body=session.Login,
        ),
    )
    api.add(
        "GET",
        "/api/v1/session",
        session.current_session,
        Operation(
            "Who is logged in, with the CSRF token for the UI",
            "session",
            {200: ok(session.SessionInfo, "the session"), **SESSION_PROBLEMS, 401: problem("not logged in")},
        ),
    )
    api.add(
        "DELETE",
        "/api/v1/session",
        session.log_out,
        Operation(
            "Log out", "session", {204: Reply("logged out", headers=("Set-Cookie",)), **SESSION_PROBLEMS}
        ),
    )

    # Catalogue exchange
    api.add(
        "GET",
        "/api/v1/export",
        catalogue.export,
        Operation(
            "The catalogue document, as `servicecenter export` writes it",
            "exchange",
            {200: ok(CatalogueDocument, "the whole catalogue")},
        ),
    )
    api.add(
        "POST",
        "/api/v1/import",
        exchange.import_catalogue,
        Operation(
            "Import a catalogue document: all-or-nothing, idempotent; `dry_run` only reports",
            "exchange",
            {200: ok(ImportResult, "what changed (or would change)")},
            query=exchange.ImportQuery,
            body=CatalogueDocument,
            auth=True,
        ),
    )

    app[API_ROUTES] = api
    if not routing_only:
        _setup_pages(app)


def _setup_pages(app: web.Application) -> None:
    """The HTML pages (German) and their static files."""
    # Agent and switchboard UI (HTML, German)
    app.router.add_get("/", pages.console, name="console")
    app.router.add_get("/vermittlung", switchboard_page.switchboard, name="switchboard")
    app.router.add_get("/routing", pages.routing_view, name="routing")
    app.router.add_get("/statistik", statistics_page.statistics, name="statistics")
    app.router.add_static("/static/", STATIC_DIR, name="static", append_version=True)

    # Tickets for agents (login), and the answer page units reach through the link in their mail (no login)
    app.router.add_get("/anliegen", ticket_pages.worklist, name="tickets")
    app.router.add_get("/anliegen/vorgang/{id}", ticket_pages.ticket_page, name="ticket")
    app.router.add_get("/anliegen/{token}", ticket_pages.answer_page, name="answer")
    app.router.add_post("/anliegen/{token}", ticket_pages.submit_answer)

    # Admin UI (HTML, German; writes go through the JSON API below)
    app.router.add_get("/anmelden", account.login_page, name="login")
    app.router.add_get("/verwaltung", admin.start, name="admin")
    app.router.add_get("/verwaltung/suchanfragen", insights_page.search_insights, name="search_insights")
    app.router.add_get("/verwaltung/synonyme", insights_page.synonyms, name="synonyms")
    app.router.add_get("/verwaltung/schliessungen", closures_page.closures_admin, name="closures")
    app.router.add_get("/verwaltung/stellen/{id}", admin.edit_unit, name="edit_unit")
    app.router.add_get("/verwaltung/leistungen/{id}", admin.edit_service, name="edit_service")
    app.router.add_get(
        "/verwaltung/leistungen/{id}/zustaendigkeiten", admin.responsibilities, name="edit_responsibilities"
    )
    app.router.add_get("/verwaltung/neue-person", people_admin.new_person, name="new_person")
    app.router.add_get("/verwaltung/personen/{id}", people_admin.edit_person, name="edit_person")
    app.router.add_get("/verwaltung/benutzer", operations.users_page, name="users")
    app.router.add_get("/verwaltung/benutzer/{name}", operations.user_page, name="user")
    app.router.add_get("/verwaltung/routing", operations.rules_page, name="rules")
    app.router.add_get(
        "/verwaltung/routing/versionen/{n}", operations.rules_version_page, name="rules_version"
    )
    app.router.add_get("/verwaltung/import", operations.import_page, name="catalogue_import")
    app.router.add_get("/verwaltung/pools", operations.pools_page, name="pools")
    app.router.add_get(
        "/verwaltung/{section:stellen|leistungen|zustaendigkeiten|personen}/{id}/verlauf",
        history.history_page,
        name="history",
    )
