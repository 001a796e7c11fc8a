"""GET /api/openapi.json: a valid OpenAPI 3.1 document that describes every JSON route the app serves."""

import re

from openapi_spec_validator import validate

from servicecenter.app import create_app


async def _document(client) -> dict:
    response = await client.get("/api/openapi.json")
    assert response.status == 200
    return await response.json()


async def test_the_document_is_valid_openapi_3_1(client) -> None:
    document = await _document(client)
    assert document["openapi"] == "3.1.0"
    validate(document)


async def test_every_json_route_is_described_and_nothing_else(client, settings) -> None:
    app = create_app(settings)
    served = {
        (route.method, re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.resource.canonical))
        for route in app.router.routes()
        if route.method != "HEAD"
        and route.resource.canonical.startswith(("/api/", "/healthz", "/readyz", "/metrics"))
    }
    document = await _document(client)
    described = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert described == served
    assert ("PATCH", "/api/v1/units/{id}") in described


async def test_errors_are_problem_json_with_the_problem_schema(client) -> None:
    document = await _document(client)
    problem = document["components"]["schemas"]["ProblemBody"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert problem["properties"]["errors"]["anyOf"][0]["items"] == {
        "$ref": "#/components/schemas/ProblemError"
    }
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400 and path != "/readyz":  # degraded readiness is a report, not an error
                    assert list(response["content"]) == ["application/problem+json"], (method, path, status)


async def test_writes_declare_security_if_match_and_their_body_model(client) -> None:
    document = await _document(client)
    patch = document["paths"]["/api/v1/units/{id}"]["patch"]
    assert patch["security"] == [{"bearer": []}, {"session": [], "csrf": []}]
    assert {"name": "If-Match", "in": "header"}.items() <= patch["parameters"][-1].items()
    assert patch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UnitPatch"
    }
    assert {"401", "403", "412", "428", "422", "404"} <= set(patch["responses"])
    assert "ETag" in document["paths"]["/api/v1/units/{id}"]["get"]["responses"]["200"]["headers"]
    assert set(document["components"]["securitySchemes"]) == {"bearer", "session", "csrf"}


async def test_query_models_become_parameters(client) -> None:
    document = await _document(client)
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert parameters["q"]["required"] is True
    assert parameters["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 10,
        "title": "Limit",
    }
    assert parameters["county"]["schema"]["pattern"] == r"^\d{5}$"
    assert "anyOf" not in parameters["county"]["schema"]
