"""Every error leaves as RFC 9457 problem+json with type, title, status and detail; never a 5xx."""

import asyncio
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
        ("GET", "/api/v1/route", {"params": {"called": "115", "caller": "0\x00"}}, 422, ["query", "caller"]),
        ("GET", "/api/v1/route", {"params": {"called": "115", "x\x00": "1"}}, 422, ["query", "x\x00"]),
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


JSON_ENDPOINTS = [
    ("POST", "/api/v1/route"),
    ("POST", "/api/v1/session"),
    ("POST", "/api/v1/import"),
    ("PUT", "/api/v1/routing/rules"),
    ("PUT", "/api/v1/pools/emh-all/state"),
    ("PATCH", "/api/v1/units/kv-bernkastel-wittlich-zentrale"),
    ("POST", "/api/v1/services/personalausweis-beantragen/responsibilities"),
]


@pytest.mark.parametrize(("method", "path"), JSON_ENDPOINTS)
async def test_an_integer_of_5000_digits_is_400_on_every_json_endpoint(
    client, make_user, method, path
) -> None:
    """Python refuses to convert it (a 500 before); the JSON reader refuses it first."""
    headers = {"Content-Type": "application/json", "If-Match": '"1"', **await make_user("admin", "admin")}
    body = '{"name": "anna", "password": "x", "called": "115", "n": ' + "9" * 5000 + "}"
    response = await client.request(method, path, data=body, headers=headers)
    assert response.status == 400
    assert response.content_type == "application/problem+json"
    assert "more than 30 digits" in (await response.json())["detail"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ('{"called": "115", "n": -' + "9" * 31 + "}", "more than 30 digits"),
        ('{"called": "115", "n": 1e999}', "too large"),
        ('{"called": "115", "n": NaN}', "NaN is not JSON"),
        ('{"called": "115", "n": -Infinity}', "Infinity is not JSON"),
        ("[" * 33 + "]" * 33, "nested deeper than 32 levels"),
    ],
)
async def test_json_numbers_and_depth_are_bounded(client, body: str, detail: str) -> None:
    response = await client.post("/api/v1/route", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert response.content_type == "application/problem+json"
    assert detail in (await response.json())["detail"]


async def _raw_status(client, request: bytes) -> int:
    """Send `request` byte for byte to the test server; the status of its answer."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    try:
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
    finally:
        writer.close()
        await writer.wait_closed()
    return int(status_line.split(b" ", 2)[1])


@pytest.mark.parametrize(
    ("path", "header"),
    [
        (b"/", b"Cookie: sc_session=\xff\xfeabc"),
        (b"/verwaltung", b"Cookie: sc_session=\xc3"),
        (b"/api/v1/pools", b"Authorization: Bearer sc_\xff"),
        (b"/api/v1/session", b"Authorization: Bearer \xe4\xf6\xfc"),
        (b"/healthz", b"X-Request-ID: \xff"),
    ],
)
async def test_header_bytes_that_are_not_utf8_are_400(client, path: bytes, header: bytes) -> None:
    request = b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\n" + header + b"\r\nConnection: close\r\n\r\n"
    assert await _raw_status(client, request) == 400
