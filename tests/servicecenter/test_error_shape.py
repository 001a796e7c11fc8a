"""Every error leaves as RFC 9457 problem+json with type, title, status and detail; never a 5xx."""

import io

import pytest


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/nirgendwo", {}, 404),
        ("DELETE", "/api/v1/search", {}, 405),
        (
            "POST",
            "/api/v1/route",
            {"data": "{not json", "headers": {"Content-Type": "application/json"}},
            400,
        ),
        ("POST", "/api/v1/route", {"data": "called=115"}, 415),
        ("POST", "/api/v1/route", {"json": {"called": 115}}, 422),
        ("POST", "/api/v1/route", {"json": ["115"]}, 422),
        ("GET", "/api/v1/route", {"params": {"called": "115", "at": "gestern"}}, 422),
        ("GET", "/api/v1/route", {"params": {"called": "115", "at": "0001-01-01T00:00:00+14:00"}}, 422),
        ("GET", "/api/v1/route", {"params": {"called": "+"}}, 422),
        ("PUT", "/api/v1/pools/emh-all/state", {"json": {"agents_available": -1}}, 422),
        (
            "PUT",
            "/api/v1/pools/gibt-es-nicht/state",
            {"json": {"agents_available": 1, "calls_waiting": 0, "longest_wait_s": 0}},
            404,
        ),
    ],
)
async def test_errors_are_problem_json(
    client, make_user, method: str, path: str, kwargs: dict, status: int
) -> None:
    kwargs = {**kwargs, "headers": {**kwargs.get("headers", {}), **await make_user("acd", "pbx")}}
    response = await client.request(method, path, **kwargs)
    assert response.status == status
    assert response.content_type == "application/problem+json"
    body = await response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/v1/route"), ("POST", "/api/v1/import"), ("PUT", "/api/v1/routing/rules")],
)
async def test_json_nested_deeper_than_the_decoder_allows_is_400(
    client, make_user, method: str, path: str
) -> None:
    headers = {"Content-Type": "application/json", **await make_user("admin", "admin")}
    response = await client.request(method, path, data="[" * 100_000, headers=headers)
    assert response.status == 400
    assert response.content_type == "application/problem+json"
    assert "nested too deeply" in (await response.json())["detail"]


async def test_oversized_body_is_413(client) -> None:
    response = await client.post(
        "/api/v1/route",
        data=io.BytesIO(b"x" * (9 * 1024 * 1024)),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 413
    assert response.content_type == "application/problem+json"


async def test_request_id_is_echoed(client) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "loc"),
    [
        ("GET", "/api/v1/units", {"params": {"q": "Standesamt\x00"}}, 422, ["query", "q"]),
        ("GET", "/api/v1/search", {"params": {"q": "\x00"}}, 422, ["query", "q"]),
        ("POST", "/api/v1/session", {"json": {"name": "anna\x00", "password": "x"}}, 422, ["body", "name"]),
        (
            "PATCH",
            "/api/v1/units/kv-bernkastel-wittlich-zentrale",
            {"json": {"city": "Daun\x00"}, "headers": {"If-Match": '"1"'}},
            422,
            ["body", "city"],
        ),
        (
            "POST",
            "/api/v1/import",
            {"json": {"services": [], "units": [{"id\x00": 1}]}},
            422,
            ["body", "units", 0, "id\x00"],
        ),
        ("GET", "/api/v1/services/%00", {}, 404, None),
        ("GET", "/api/v1/responsibilities/1%00/history", {}, 404, None),
    ],
)
async def test_text_with_nul_characters_is_refused_on_every_database(
    client, make_user, method: str, path: str, kwargs: dict, status: int, loc
) -> None:
    """PostgreSQL cannot store or even compare text with NUL; it must never reach the database."""
    headers = {**kwargs.pop("headers", {}), **await make_user("admin", "admin")}
    before = await (await client.get("/api/v1/units/kv-bernkastel-wittlich-zentrale")).json()
    response = await client.request(method, path, headers=headers, **kwargs)
    assert response.status == status
    assert response.content_type == "application/problem+json"
    if loc is not None:
        assert (await response.json())["errors"] == [
            {"loc": loc, "msg": "text may not contain NUL characters"}
        ]
    assert await (await client.get("/api/v1/units/kv-bernkastel-wittlich-zentrale")).json() == before
