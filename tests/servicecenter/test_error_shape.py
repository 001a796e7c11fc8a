"""Every error leaves as RFC 9457 problem+json with type, title, status and detail; never a 5xx."""

import io

import pytest


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/nirgendwo", {}, 404),
        ("DELETE", "/api/v1/search", {}, 405),
        ("POST", "/api/v1/route", {"data": "{not json", "headers": {"Content-Type": "application/json"}}, 400),
        ("POST", "/api/v1/route", {"data": "called=115"}, 415),
        ("POST", "/api/v1/route", {"json": {"called": 115}}, 422),
        ("POST", "/api/v1/route", {"json": ["115"]}, 422),
        ("GET", "/api/v1/route", {"params": {"called": "115", "at": "gestern"}}, 422),
        ("GET", "/api/v1/route", {"params": {"called": "115", "at": "0001-01-01T00:00:00+14:00"}}, 422),
        ("GET", "/api/v1/route", {"params": {"called": "+"}}, 422),
        ("PUT", "/api/v1/pools/emh-all/state", {"json": {"agents_available": -1}}, 422),
        ("PUT", "/api/v1/pools/gibt-es-nicht/state",
         {"json": {"agents_available": 1, "calls_waiting": 0, "longest_wait_s": 0}}, 404),
    ],
)
async def test_errors_are_problem_json(client, make_user, method: str, path: str, kwargs: dict,
                                       status: int) -> None:
    kwargs = {**kwargs, "headers": {**kwargs.get("headers", {}), **await make_user("acd", "pbx")}}
    response = await client.request(method, path, **kwargs)
    assert response.status == status
    assert response.content_type == "application/problem+json"
    body = await response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)


@pytest.mark.parametrize(("method", "path"), [("POST", "/api/v1/route"), ("POST", "/api/v1/import"),
                                             ("PUT", "/api/v1/routing/rules")])
async def test_json_nested_deeper_than_the_decoder_allows_is_400(client, make_user, method: str, path: str) -> None:
    headers = {"Content-Type": "application/json", **await make_user("admin", "admin")}
    response = await client.request(method, path, data="[" * 100_000, headers=headers)
    assert response.status == 400
    assert response.content_type == "application/problem+json"
    assert "nested too deeply" in (await response.json())["detail"]


async def test_oversized_body_is_413(client) -> None:
    response = await client.post("/api/v1/route", data=io.BytesIO(b"x" * (9 * 1024 * 1024)),
                                 headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert response.content_type == "application/problem+json"


async def test_request_id_is_echoed(client) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
