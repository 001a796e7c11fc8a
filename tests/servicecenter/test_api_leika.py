"""LeiKa over HTTP and in agent search: the list, one entry with its services, undescribed entries after
the described services, a key as the query, and places in the answer."""

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from servicecenter.app import create_app
from servicecenter.bootstrap import LEIKA_FILE
from tests.servicecenter.test_cli import _run


async def _get(client, path: str, **params) -> dict:
    response = await client.get(path, params=params)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_the_list_is_searched_by_words_key_or_key_prefix(client) -> None:
    body = await _get(client, "/api/v1/leika", q="Hundehaltung Anmeldung")
    assert body["entries"][0]["key"] == "99110009104000"
    assert body["entries"][0]["level"] == "county" and body["entries"][0]["described"] is False
    by_key = await _get(client, "/api/v1/leika", q="99050012104000")
    assert by_key["total"] == 1 and by_key["entries"][0]["described"] is True
    prefix = await _get(client, "/api/v1/leika", q="99008001", limit=2)
    assert prefix["total"] > 2 and [e["key"][:8] for e in prefix["entries"]] == ["99008001"] * 2
    everything = await _get(client, "/api/v1/leika", offset=4810)
    assert everything["total"] == 4813 and len(everything["entries"]) == 3


async def test_an_entry_names_the_services_that_carry_its_key(client) -> None:
    body = await _get(client, "/api/v1/leika/99102013000000")
    assert body["name"] == "Hundesteuer" and body["typisierung"] == "4"
    assert [s["id"] for s in body["services"]] == ["hundesteuer-abmelden", "hundesteuer-anmelden"]
    for unknown in ("99999999999999", "abc", "9910201300000"):
        response = await client.get(f"/api/v1/leika/{unknown}")
        assert response.status == 404
        assert response.content_type == "application/problem+json"


async def test_search_finds_undescribed_entries_after_every_service(client) -> None:
    body = await _get(client, "/api/v1/search", q="Hundehaltung Anmeldung", limit=20)
    described = [hit["described"] for hit in body["hits"]]
    assert described == sorted(described, reverse=True) and False in described
    first = next(hit for hit in body["hits"] if not hit["described"])
    assert (first["id"], first["leika"], first["typisierung"]) == ("99110009104000", "99110009104000", "2/3")
    assert first["level"] == "county" and first["responsible"] == []
    assert body["facets"]["kind"]["leika"] >= 1


async def test_a_described_key_is_found_as_its_service_only(client) -> None:
    body = await _get(client, "/api/v1/search", q="99050012104000")
    assert [(h["id"], h["described"]) for h in body["hits"]] == [("gewerbe-anmelden", True)]
    undescribed = await _get(client, "/api/v1/search", q="99110009104000")
    assert [h["id"] for h in undescribed["hits"]] == ["99110009104000"]


async def test_a_county_level_entry_names_the_kreisverwaltung_of_the_county_asked_about(client) -> None:
    body = await _get(client, "/api/v1/search", q="Hundehaltung Anmeldung", county="07135", limit=20)
    entry = next(hit for hit in body["hits"] if hit["id"] == "99110009104000")
    assert [r["unit_id"] for r in entry["responsible"]] == ["kv-cochem-zell-zentrale"]
    assert "LeiKa" in entry["responsible"][0]["notes"]


async def test_an_ortsgemeinde_reaches_the_units_of_its_vg(client) -> None:
    body = await _get(client, "/api/v1/search", q="Hundesteuer Lutzerath")
    assert body["place"]["municipality"] == "Verbandsgemeinde Ulmen" and body["place"]["county"] == "07135"
    hit = next(h for h in body["hits"] if h["id"] == "hundesteuer-anmelden")
    assert {r["place"] for r in hit["responsible"]} == {"vg-ulmen"}


async def test_ambiguous_and_outside_places_are_said_and_narrow_nothing(client) -> None:
    ambiguous = await _get(client, "/api/v1/search", q="Hundesteuer Esch")
    assert ambiguous["place"]["ambiguous"] is True and ambiguous["place"]["county"] is None
    assert {c["county"] for c in ambiguous["place"]["candidates"]} == {"07231", "07233"}
    hit = next(h for h in ambiguous["hits"] if h["id"] == "hundesteuer-anmelden")
    assert len({r["county"] for r in hit["responsible"]}) == 4
    outside = await _get(client, "/api/v1/search", q="Ummelden 54290")
    assert outside["place"] == {
        "name": "54290",
        "county": None,
        "municipality": None,
        "outside": True,
        "ambiguous": False,
        "candidates": [],
        "note": "liegt außerhalb des EMH-Gebiets",
    }
    assert outside["hits"] and all(hit["responsible"] == [] for hit in outside["hits"])
    words = await _get(client, "/api/v1/search", q="Schutz vor Stalking")
    assert words["place"] is None and words["hits"][0]["id"] == "auskunftssperre"


async def test_import_leika_replaces_the_list_all_or_nothing_and_the_search_follows(
    settings, tmp_path: Path
) -> None:
    shipped = (settings.catalogue_dir / LEIKA_FILE).read_text(encoding="utf-8")
    changed = tmp_path / "leika.csv"
    changed.write_text(
        shipped.replace("Hundehaltung Anmeldung,", "Hundehaltung Anmeldung beim Ordnungsamt,", 1)
        + "99999999999999,Lamaweide Genehmigung,5,,,,,\n",
        encoding="utf-8",
    )
    broken = tmp_path / "broken.csv"
    broken.write_text(shipped + "12,kaputt,1,,,,,\n", encoding="utf-8")
    code, _, err = await _run(settings, "import-leika", str(broken))
    assert code == 1 and "is not 14 digits" in err and "nothing was changed" in err

    code, _, err = await _run(settings, "import-leika", str(changed), "--dry-run")
    assert code == 0 and "+ 99999999999999 Lamaweide Genehmigung" in err and "dry run" in err
    code, _, err = await _run(settings, "import-leika", str(changed))
    assert code == 0, err
    assert "created     1  updated     1  deleted     0" in err
    assert "~ 99110009104000 Hundehaltung Anmeldung beim Ordnungsamt" in err
    code, _, err = await _run(settings, "import-leika", str(changed))
    assert code == 0 and "nothing changed" in err

    async with TestClient(
        TestServer(create_app(settings), host="127.0.0.1")
    ) as client:  # the index follows on start
        body = await _get(client, "/api/v1/search", q="Lamaweide")
        assert [h["id"] for h in body["hits"]] == ["99999999999999"]
