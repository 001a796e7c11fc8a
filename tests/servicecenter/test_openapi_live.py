"""Schemathesis against the live app: generated requests for every operation of /api/openapi.json, valid
and invalid, as an admin. No response may be a 5xx, and every response must be one the description
documents (status code, content type, headers, body schema).

The app is served by aiohttp's test server on 127.0.0.1 in the test's event loop. The generated run is
schemathesis_run.py in a process of its own (see there why), stopped by its PID when it overruns;
generation is derandomised, so a run sends the same requests each time, a bounded number per operation.
The known-good requests are checked the same way from a worker thread.
"""

import asyncio
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import pytest
import requests
import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from knowledge.calendar import BERLIN
from servicecenter.app import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = int(os.environ.get("SC_FUZZ_EXAMPLES", "20"))
RUN_LIMIT_S = int(os.environ.get("SC_FUZZ_LIMIT", "900"))
"""A bound against a hung run, not a speed target: a loaded 2-core machine takes minutes for every operation."""
PASSWORD = "ein langes Passwort"


@pytest.fixture
async def live(aiohttp_server, settings, make_user) -> tuple[str, dict]:
    """(base URL, admin bearer header) of the real app on 127.0.0.1; the server stops after the test."""
    headers = await make_user("fuzzer", "admin", password=PASSWORD)
    server = await aiohttp_server(create_app(settings), host="127.0.0.1")
    return str(server.make_url("")).rstrip("/"), headers


@pytest.mark.timeout(RUN_LIMIT_S + 60)
async def test_generated_requests_get_no_5xx_and_only_documented_responses(live) -> None:
    base_url, headers = live
    token = headers["Authorization"].removeprefix("Bearer ")
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("schemathesis_run.py")),
        base_url,
        str(EXAMPLES_PER_OPERATION),
        env={**os.environ, "SC_FUZZ_TOKEN": token},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), RUN_LIMIT_S)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    result = json.loads(out)
    print(
        f"schemathesis: {sum(result['statuses'].values())} requests in {time.monotonic() - started:.1f} s, "
        f"by status {result['statuses']}"
    )
    assert not result["failures"], "\n\n".join(result["failures"])


class Caller:
    """Known-good requests, each checked like the generated ones: every 2xx body against its schema."""

    def __init__(self, base_url: str, headers: dict) -> None:
        self.base_url, self.headers = base_url, headers
        self.schema = schemathesis.openapi.from_url(f"{base_url}/api/openapi.json", timeout=10)
        self.session = requests.Session()
        self.seen: set[tuple[str, str]] = set()

    def __call__(
        self,
        method: str,
        path: str,
        *,
        expect: int = 200,
        headers: dict | None = None,
        bearer: bool = True,
        **parts,
    ) -> schemathesis.Response:
        """`method path` with the case's `parts`; without `bearer` only the session cookie authenticates."""
        case = self.schema[path][method].Case(**parts)
        headers = {**(self.headers if bearer else {}), **(headers or {})}
        response = case.call_and_validate(
            base_url=self.base_url, session=self.session, checks=CHECKS, headers=headers, timeout=10
        )
        assert response.status_code == expect, (method, path, response.status_code, response.text)
        self.seen.add((method, path))
        return response


def _every_operation_once(caller: Caller) -> None:
    """A 2xx answer of every operation, in an order where each step can use what earlier ones returned."""
    call = caller
    for path in ("/healthz", "/readyz", "/metrics", "/api/openapi.json", "/api/v1/pools", "/api/v1/export"):
        call("GET", path)
    hits = call("GET", "/api/v1/search", query={"q": "Hundesteuer Gerolstein"}).json()["hits"]
    call("GET", "/api/v1/search", query={"q": "Persnalausweis ", "county": "07233", "limit": 3})
    service = hits[0]["id"]
    call("GET", "/api/v1/services/{id}", path_parameters={"id": service})
    call("GET", "/api/v1/leika", query={"q": "Hundehaltung Anmeldung"})
    call("GET", "/api/v1/leika/{key}", path_parameters={"key": "99102013000000"})
    unit = call("GET", "/api/v1/units", query={"q": "Standesamt", "county": "07233"}).json()[0]["id"]
    call("GET", "/api/v1/units/{id}", path_parameters={"id": unit})
    call("GET", "/api/v1/directory", query={"q": "Herr Müller vom Bauamt in Bitburg"})
    call("GET", "/api/v1/directory", query={"county": "07233", "limit": 5})
    call("GET", "/api/v1/people", query={"county": "07232"})
    call("GET", "/api/v1/people/{id}", path_parameters={"id": "bit-mueller"})

    for answer in ("json", "rtjson", "text"):
        call("GET", "/api/v1/route", query={"called": "115", "caller": "+49 6592 1234", "format": answer})
    decision = call(
        "POST",
        "/api/v1/route",
        query={"format": "json"},
        body={"called": "+49 2671 61-0", "at": "2026-03-02T10:00:00+01:00"},
    ).json()
    call("GET", "/api/v1/decisions/{id}", path_parameters={"id": decision["decision_id"]})
    extension = call("GET", "/api/v1/route", query={"called": "+49 6561 15-50", "format": "json"}).json()
    assert extension["called_person"]["id"] == "bit-bueroleitung"
    call("GET", "/api/v1/decisions/{id}", path_parameters={"id": extension["decision_id"]})
    call(
        "POST",
        "/api/v1/route/simulation",
        body={
            "called": "115",
            "caller": "+49 2671 1234",
            "pools": {"emh-cochem-zell": {"agents_available": 0, "calls_waiting": 4, "longest_wait_s": 90}},
        },
    )
    call(
        "PUT",
        "/api/v1/pools/{id}/state",
        path_parameters={"id": "emh-all"},
        body={"agents_available": 2, "calls_waiting": 1, "longest_wait_s": 12.5},
    )

    line = "1772521260|c.1|emh-all|NONE|ENTERQUEUE|https://x/?called=115|06592 1234|1\n"
    call("POST", "/api/v1/acd/events", body=line, media_type="text/plain")
    call(
        "POST",
        "/api/v1/decisions/{id}/outcome",
        path_parameters={"id": decision["decision_id"]},
        body={"outcome": "solved", "service_id": service},
    )
    call("GET", "/api/v1/stats", query={"from": "2026-03-02", "to": "2026-03-08", "by": "week"})
    call("GET", "/api/v1/stats", query={"by": "hour", "format": "csv", "line": "115"})
    call("GET", "/api/v1/search/insights", query={"limit": 5})
    synonyms = call("GET", "/api/v1/synonyms")
    call(
        "PUT",
        "/api/v1/synonyms",
        body={"entries": {**synonyms.json()["entries"], "schrottkarre": ["sperrmüll"]}},
        headers={"If-Match": synonyms.headers["etag"][0]},  # schemathesis: lower-case keys, lists
    )

    tomorrow = (dt.datetime.now(BERLIN) + dt.timedelta(days=1)).isoformat()
    closure = call(
        "POST",
        "/api/v1/closures",
        expect=201,
        body={
            "scope": {"unit": unit},
            "until": tomorrow,
            "reason": "Personalversammlung",
            "announcement": "Ab morgen.",
        },
    ).json()
    call("GET", "/api/v1/closures", query={"county": "07233", "in_force": True})
    call("GET", "/api/v1/units/{id}", path_parameters={"id": unit})
    call("DELETE", "/api/v1/closures/{id}", path_parameters={"id": str(closure["id"])}, expect=204)
    notice = call(
        "POST",
        "/api/v1/notices",
        expect=201,
        body={
            "text": "Terminbuchung gestört",
            "severity": "warning",
            "scope": {"all": True},
            "valid_until": tomorrow,
        },
    ).json()
    call("GET", "/api/v1/notices", query={"scope": "all"})
    call("GET", "/api/v1/search", query={"q": "Hundesteuer Gerolstein"})
    call("DELETE", "/api/v1/notices/{id}", path_parameters={"id": str(notice["id"])}, expect=204)

    document = call("GET", "/api/v1/export").json()
    place = document["places"][0]["id"]
    responsibility = call(
        "GET", "/api/v1/services/{id}/responsibilities", path_parameters={"id": service}
    ).json()[0]["id"]
    person = call(
        "POST",
        "/api/v1/people",
        expect=201,
        body={"name": "Jonas Beispiel", "unit_id": "kv-vulkaneifel-jugendamt", "extension": "557"},
    ).json()["id"]
    changes = {
        "services": (service, {"notes": "Hinweis"}),
        "units": (unit, {"extension": "123"}),
        "places": (place, {"area_codes": ["06592"]}),
        "responsibilities": (str(responsibility), {"notes": "Termin nötig"}),
        "people": (person, {"absent_until": "2026-12-24", "deputy_id": "dau-klein"}),
    }
    for collection, (entry, change) in changes.items():
        if collection in ("places", "responsibilities"):
            call("GET", f"/api/v1/{collection}/{{id}}", path_parameters={"id": entry})
        ids = {"id": entry}
        call(
            "PATCH",
            f"/api/v1/{collection}/{{id}}",
            path_parameters=ids,
            body=change,
            headers={"If-Match": '"1"'},
        )
        call("GET", f"/api/v1/{collection}/{{id}}/history", path_parameters=ids)
        call(
            "POST",
            f"/api/v1/{collection}/{{id}}/history/{{version}}/restore",
            path_parameters={**ids, "version": "1"},
            headers={"If-Match": '"2"'},
        )

    call(
        "DELETE",
        "/api/v1/people/{id}",
        path_parameters={"id": person},
        expect=204,
        headers={"If-Match": '"3"'},
    )

    free = [
        s["id"]
        for s in document["services"]
        if not any(r["county"] == "07233" and r["place"] is None for r in s["responsibilities"])
    ]
    created = call(
        "POST",
        "/api/v1/services/{id}/responsibilities",
        path_parameters={"id": free[0]},
        expect=201,
        body={"unit": unit, "county": "07233"},
    ).json()
    call(
        "DELETE",
        "/api/v1/responsibilities/{id}",
        path_parameters={"id": str(created["id"])},
        expect=204,
        headers={"If-Match": '"1"'},
    )

    rules = call("GET", "/api/v1/routing/rules").json()
    version = call(
        "PUT", "/api/v1/routing/rules", body={"text": rules["text"], "activate": False}, expect=201
    ).json()["version"]
    call("GET", "/api/v1/routing/rules/versions")
    call("GET", "/api/v1/routing/rules/versions/{version}", path_parameters={"version": str(version)})
    call(
        "POST", "/api/v1/routing/rules/versions/{version}/activate", path_parameters={"version": str(version)}
    )

    ticket = call(
        "POST",
        "/api/v1/tickets",
        expect=201,
        headers={"Idempotency-Key": "schemathesis-known-good"},
        body={
            "kind": "callback",
            "county": "07233",
            "service_id": service,
            "unit_id": unit,
            "summary": "Frage, die im Gespräch offen blieb",
            "contact": {"name": "Erika Mustermann", "phone": "+49 6592 1234", "channel": "phone"},
            "consent": True,
        },
    ).json()
    ids = {"id": ticket["id"]}
    call("GET", "/api/v1/tickets", query={"state": "open", "county": "07233", "kind": "forward", "limit": 5})
    call("GET", "/api/v1/tickets/{id}", path_parameters=ids)
    call(
        "PATCH",
        "/api/v1/tickets/{id}",
        path_parameters=ids,
        body={"note": "Rückruf versucht"},
        headers={"If-Match": f'"{ticket["version"]}"'},
    )
    call("POST", "/api/v1/tickets/{id}/forward", path_parameters=ids, expect=202)
    call("GET", "/api/v1/tickets/{id}/history", path_parameters=ids)

    call("POST", "/api/v1/import", query={"dry_run": True}, body=document)

    call("GET", "/api/v1/users")
    user = {"name": "known.good"}
    call(
        "POST",
        "/api/v1/users",
        expect=201,
        body={"name": "known.good", "role": "county_editor", "county": "07233", "password": PASSWORD},
    )
    call("PATCH", "/api/v1/users/{name}", path_parameters=user, body={"role": "agent", "county": None})
    call(
        "PUT", "/api/v1/users/{name}/password", path_parameters=user, expect=204, body={"password": PASSWORD}
    )
    token = call("POST", "/api/v1/users/{name}/tokens", path_parameters=user, expect=201).json()
    call("GET", "/api/v1/users/{name}/tokens", path_parameters=user)
    call(
        "DELETE",
        "/api/v1/users/{name}/tokens/{token_id}",
        path_parameters={**user, "token_id": token["id"]},
        expect=204,
    )
    login = call("POST", "/api/v1/session", body={"name": "fuzzer", "password": PASSWORD}, bearer=False)
    assert caller.session.cookies.get("sc_session")
    call("GET", "/api/v1/session", bearer=False)
    call(
        "DELETE",
        "/api/v1/session",
        expect=204,
        bearer=False,
        headers={"X-CSRF-Token": login.json()["csrf_token"]},
    )


async def test_a_real_answer_of_every_operation_matches_the_description(live) -> None:
    caller = await asyncio.to_thread(Caller, *live)
    try:
        await asyncio.wait_for(asyncio.to_thread(_every_operation_once, caller), 60)
    finally:
        caller.session.close()
    described = {
        (method.upper(), path) for path, item in caller.schema.raw_schema["paths"].items() for method in item
    }
    assert caller.seen == described
