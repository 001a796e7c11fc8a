"""How answers travel: text compressed as the client's Accept-Encoding allows, static files cached by
their versioned URL and revalidated by ETag."""

import gzip
import json
import re
import zlib

import pytest

BROWSER = "gzip, deflate, br, zstd"


async def _raw(client, path: str, **headers: str):
    """The response and its body exactly as sent (not decompressed)."""
    response = await client.get(path, headers=headers, auto_decompress=False)
    return response, await response.read()


async def test_search_answers_are_gzipped_for_a_browser_and_plain_for_a_client_without_it(client) -> None:
    path = "/api/v1/search?q=Personalausweis&limit=12"
    zipped, body = await _raw(client, path, **{"Accept-Encoding": BROWSER})
    plain, plain_body = await _raw(client, path, **{"Accept-Encoding": "identity"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert "Content-Encoding" not in plain.headers
    hits = json.loads(gzip.decompress(body))["hits"]
    assert [hit["id"] for hit in hits] == [hit["id"] for hit in json.loads(plain_body)["hits"]]
    assert len(body) * 3 < len(plain_body)


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("deflate", "deflate"),
        ("gzip;q=0, deflate", "deflate"),
        ("gzip;q=0", None),
        ("br", None),
        ("GZIP", "gzip"),
    ],
)
async def test_the_coding_follows_accept_encoding(client, accept: str, coding: str | None) -> None:
    response, body = await _raw(client, "/api/v1/search?q=Hundesteuer", **{"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == coding
    data = zlib.decompress(body) if coding == "deflate" else gzip.decompress(body) if coding else body
    assert json.loads(data)["hits"]


async def test_small_answers_go_uncompressed(client) -> None:
    response, _ = await _raw(client, "/healthz", **{"Accept-Encoding": BROWSER})
    assert "Content-Encoding" not in response.headers


async def test_the_routing_decision_goes_uncompressed_though_it_is_over_a_kilobyte(client) -> None:
    path = "/api/v1/route?called=115&caller=%2B49%202671%20555123&at=2026-11-23T09%3A30%3A00%2B01%3A00"
    response, body = await _raw(client, path, **{"Accept-Encoding": BROWSER})
    assert response.status == 200
    assert len(body) >= 1024
    assert "Content-Encoding" not in response.headers
    assert json.loads(body)["rule"] == "115-by-caller-area"


async def test_pages_are_compressed_and_never_cached(client) -> None:
    response, body = await _raw(client, "/", **{"Accept-Encoding": BROWSER})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Anliegen oder Leistung" in gzip.decompress(body).decode()


async def test_static_files_are_cached_by_version_compressed_and_revalidated(client) -> None:
    html = await (await client.get("/")).text()
    url = re.search(r'"(/static/console\.js\?v=[^"]+)"', html).group(1)
    response, body = await _raw(client, url, **{"Accept-Encoding": BROWSER})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"Neues Gespr" in gzip.decompress(body)
    etag = response.headers["ETag"]
    again, again_body = await _raw(client, url, **{"Accept-Encoding": BROWSER, "If-None-Match": etag})
    assert again.status == 304 and again_body == b""
    assert "Content-Encoding" not in again.headers
    unversioned, _ = await _raw(client, "/static/console.js", **{"Accept-Encoding": "identity"})
    assert unversioned.headers["Cache-Control"] == "no-cache"
    assert "Content-Encoding" not in unversioned.headers
