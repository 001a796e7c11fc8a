"""Agent search, service entries, the unit directory and export over real HTTP."""

import asyncio
import os
import signal

import pytest

from servicecenter.app import create_app
from servicecenter.keys import SEARCH_INDEX
from servicecenter.settings import Settings

COUNTIES = {"07231", "07232", "07135", "07233"}


async def _search(client, **params) -> dict:
    response = await client.get("/api/v1/search", params=params)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_personalausweis_finds_the_id_card_service_with_all_four_counties(client) -> None:
    body = await _search(client, q="Personalausweis")
    first = body["hits"][0]
    assert "Personalausweis" in first["title"]
    assert first["level"] == "municipality"
    assert {r["county"] for r in first["responsible"]} == COUNTIES
    assert all(r["phone"] for r in first["responsible"])
    assert body["total"] >= 1 and body["took_ms"] >= 0


@pytest.mark.parametrize(
    ("query", "expected_word"),
    [
        ("fuhrerschein umtausch", "Führerschein"),
        ("Wunschkennzeichen", "Wunschkennzeichen"),
        ("hundesteuer", "Hundesteuer"),
        ("Führungszeugnis", "Führungszeugnis"),
    ],
)
async def test_typical_queries_rank_the_right_service_first(client, query: str, expected_word: str) -> None:
    body = await _search(client, q=query)
    assert expected_word in body["hits"][0]["title"]


async def test_a_place_in_the_query_narrows_the_responsible_unit(client) -> None:
    body = await _search(client, q="Hundesteuer Gerolstein")
    assert body["place"]["county"] == "07233"
    first = body["hits"][0]
    assert "Hundesteuer" in first["title"]
    assert [r["place"] for r in first["responsible"]] == ["vg-gerolstein"]


async def test_an_edited_unit_shows_in_the_very_next_answer(client, make_user) -> None:
    """Search answers keep the responsible units per catalogue revision: an edit moves the revision, so
    the next answer reads them again."""
    admin = await make_user("anna", "admin")
    [before] = (await _search(client, q="Hundesteuer Gerolstein"))["hits"][0]["responsible"]
    path = f"/api/v1/units/{before['unit_id']}"
    unit = await client.get(path)
    assert unit.status == 200
    edited = await client.patch(
        path, json={"phone": "+49 6591 13-4711"}, headers={**admin, "If-Match": unit.headers["ETag"]}
    )
    assert edited.status == 200, await edited.text()
    [after] = (await _search(client, q="Hundesteuer Gerolstein"))["hits"][0]["responsible"]
    assert before["phone"] != after["phone"] == "+49 6591 13-4711"


async def test_a_postal_code_picks_the_county_for_county_matters(client) -> None:
    body = await _search(client, q="Wunschkennzeichen 56812")
    assert {r["county"] for r in body["hits"][0]["responsible"]} == {"07135"}


async def test_county_parameter_filters_responsibilities(client) -> None:
    body = await _search(client, q="Personalausweis", county="07232")
    assert {r["county"] for r in body["hits"][0]["responsible"]} == {"07232"}


async def test_snippet_marks_the_matched_words(client) -> None:
    body = await _search(client, q="Reisepass")
    assert "<mark>" in " ".join(hit["snippet"] for hit in body["hits"])


async def test_limit_and_offset_page_through_hits(client) -> None:
    everything = await _search(client, q="Antrag", limit=20)
    second_page = await _search(client, q="Antrag", limit=5, offset=5)
    assert [h["id"] for h in second_page["hits"]] == [h["id"] for h in everything["hits"][5:10]]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "x", "limit": "0"},
        {"q": "x", "limit": "101"},
        {"q": "x", "county": "Daun"},
        {"q": "x", "offset": "-1"},
        {"q": "x", "unknown": "1"},
    ],
)
async def test_bad_search_parameters_get_422_naming_the_field(client, params: dict) -> None:
    response = await client.get("/api/v1/search", params=params)
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    body = await response.json()
    assert body["status"] == 422 and body["errors"]


async def test_query_syntax_characters_are_plain_text(client) -> None:
    body = await _search(client, q='"(Perso AND OR -:*')
    assert isinstance(body["hits"], list)


async def test_service_entry_holds_every_text_module_and_responsibility(client) -> None:
    hit = (await _search(client, q="Personalausweis"))["hits"][0]
    response = await client.get(f"/api/v1/services/{hit['id']}")
    assert response.status == 200
    entry = await response.json()
    assert entry["title"] == hit["title"]
    assert entry["fees"] and entry["documents"]
    assert len(entry["responsible"]) >= 4


async def test_unknown_service_is_a_404_problem(client) -> None:
    response = await client.get("/api/v1/services/gibt-es-nicht")
    assert response.status == 404
    assert response.content_type == "application/problem+json"


async def test_units_directory_finds_departments_by_topic(client) -> None:
    response = await client.get("/api/v1/units", params={"q": "zulassung", "county": "07135"})
    units = await response.json()
    assert units and all(u["county"] in ("07135", None) for u in units)
    assert any(u["extension"] for u in units)
    one = await client.get(f"/api/v1/units/{units[0]['id']}")
    assert (await one.json())["name"] == units[0]["name"]


async def test_export_holds_the_whole_demo_catalogue(client) -> None:
    document = await (await client.get("/api/v1/export")).json()
    assert set(document) == {"counties", "places", "units", "services"}
    assert len(document["services"]) >= 150
    assert {c["key"] for c in document["counties"]} == COUNTIES


@pytest.mark.parametrize(
    ("q", "limit"),
    [
        ("Personalausweis " * 13, "at most 200 characters (search_max_query_chars)"),
        (" ".join(["pass"] * 17), "at most 16 words (search_max_query_words)"),
        ("a " * 17, "at most 16 words (search_max_query_words)"),
    ],
)
async def test_a_query_too_long_for_the_search_is_422_naming_the_limit(client, q: str, limit: str) -> None:
    response = await client.get("/api/v1/search", params={"q": q})
    assert response.status == 422
    body = await response.json()
    assert limit in body["detail"]
    assert body["errors"] == [{"loc": ["query", "q"], "msg": limit}]


async def test_the_query_limits_are_settings(aiohttp_client, settings: Settings) -> None:
    client = await aiohttp_client(create_app(settings.model_copy(update={"search_max_query_words": 2})))
    assert (await client.get("/api/v1/search", params={"q": "Hund anmelden"})).status == 200
    too_many = await client.get("/api/v1/search", params={"q": "Hund anmelden Daun"})
    assert too_many.status == 422
    assert "at most 2 words" in (await too_many.json())["detail"]


async def test_200_sharp_s_is_an_ordinary_query(client) -> None:
    """Folded to 400 letters, it is not corrected (the automaton grows with the word; benchmarks/hostile_input.py)."""
    body = await _search(client, q="ß" * 200)
    assert body["hits"] == [] and body["suggestion"] is None


def _worker_pid(searcher) -> int:
    return os.getpid()


async def test_one_client_runs_a_bounded_number_of_anonymous_searches_at_once(
    aiohttp_client, settings: Settings, make_user
) -> None:
    """The search worker is stopped by the test, so the searches it was given stay in flight until it goes on."""
    limited = {"search_max_concurrent_per_client": 3, "search_workers": 1}
    client = await aiohttp_client(create_app(settings.model_copy(update=limited)))
    bearer = await make_user("alex", "agent")
    worker = await client.app[SEARCH_INDEX].read(_worker_pid)
    os.kill(worker, signal.SIGSTOP)
    try:
        anonymous = [
            asyncio.ensure_future(client.get("/api/v1/search", params={"q": "Personalausweis"}))
            for _ in range(6)
        ]
        logged_in = asyncio.ensure_future(
            client.get("/api/v1/search", params={"q": "Personalausweis"}, headers=bearer)
        )
        refused = []
        for finished in asyncio.as_completed(anonymous):
            refused.append(await finished)
            if len(refused) == 3:
                break
        assert [r.status for r in refused] == [429] * 3
        assert all(r.headers["Retry-After"] == "1" for r in refused)
        assert "at most 3 anonymous searches" in (await refused[0].json())["detail"]
    finally:
        os.kill(worker, signal.SIGCONT)
    assert sorted(r.status for r in await asyncio.gather(*anonymous)) == [200] * 3 + [429] * 3
    assert (await logged_in).status == 200
