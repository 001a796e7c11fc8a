"""What agents type, and what they must get: the search behaviour over the demo catalogue, via HTTP."""

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from knowledge.calendar import BERLIN, ServiceCalendar
from knowledge.catalogue import store
from knowledge.catalogue.kept_responsibilities import KeptResponsibilities
from knowledge.catalogue.models import Place
from knowledge.closures.board import NoticeBoard
from knowledge.search.agent_search import ResponsibleOffice, SearchRequest, search
from knowledge.search.index import IndexDocument, SearchIndex
from knowledge.search.places import Gazetteer
from knowledge.search.query import max_edits
from knowledge.search.synonyms import SynonymTable
from servicecenter.app import create_app
from servicecenter.bootstrap import open_database
from servicecenter.keys import SESSIONMAKER


async def _search(client, q: str, **params) -> dict:
    response = await client.get("/api/v1/search", params={"q": q, **params})
    assert response.status == 200, await response.text()
    return await response.json()


async def _first(client, q: str, **params) -> str:
    return (await _search(client, q, **params))["hits"][0]["id"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Wohnsitzanmeldung", "wohnsitz-anmelden"),  # compound meets "Wohnsitz anmelden"
        ("Kfz-Zulassungsstelle", "fahrzeug-neuzulassung"),  # loosened to any word
        ("personalausweiss", "personalausweis-beantragen"),  # typo
        ("kindergelt", "kindergeld"),  # typo
        ("perso verloren", "personalausweis-verlust-melden"),  # colloquial
        ("knöllchen", "verwarnungsgeld-parken"),  # synonym table
        ("knoellchen", "verwarnungsgeld-parken"),  # … in any spelling
        ("hartz 4", "buergergeld"),  # multi-word synonym
        ("angelschein", "fischereischein"),
        ("heiraten", "eheschliessung-anmelden"),
        ("fuhrerschein umtausch", "fuehrerschein-umtausch"),  # umlaut left out
        ("personala", "personalausweis-beantragen"),  # still typing
    ],
)
async def test_agents_words_find_the_service(client, query: str, expected: str) -> None:
    assert await _first(client, query) == expected


async def test_a_misspelt_query_gets_a_suggestion_and_a_correct_one_none(client) -> None:
    assert (await _search(client, "Personalausweiss beantragen"))[
        "suggestion"
    ] == "personalausweis beantragen"
    assert (await _search(client, "Personalausweis beantragen"))["suggestion"] is None


def test_typo_tolerance_grows_with_word_length() -> None:
    assert [max_edits(w) for w in ("pass", "kfz", "ausweis", "fuehrers", "reisepass", "personalausweis")] == [
        0,
        0,
        1,
        1,
        2,
        2,
    ]


async def test_short_unknown_words_are_not_guessed(client) -> None:
    body = await _search(client, "xqzt ")
    assert body["total"] == 0 and body["suggestion"] is None


async def test_the_last_word_is_completed_only_while_typing(client) -> None:
    assert await _first(client, "sperrm") == "sperrmuell-anmelden"
    finished = await _search(client, "sperrm ")
    assert finished["total"] == 0 or finished["suggestion"], "a finished word is corrected, not completed"


async def test_and_is_loosened_to_or_when_nothing_has_every_word(client) -> None:
    body = await _search(client, "Reisepass Sperrmüll")
    ids = {hit["id"] for hit in body["hits"]}
    assert "reisepass-beantragen" in ids and "sperrmuell-anmelden" in ids


async def test_facets_count_every_match_by_level_and_county(client) -> None:
    body = await _search(client, "beantragen", limit=1)
    assert sum(body["facets"]["level"].values()) == body["total"] > 1
    assert set(body["facets"]["county"]) == {"07231", "07232", "07135", "07233"}


async def test_services_of_the_selected_county_come_first(settings, tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "small")
    documents = [
        IndexDocument(
            "strong", "Hundesteuer anmelden", "Hundesteuer", "Hundesteuer", "", "municipality", "", "07231"
        ),
        IndexDocument("weak", "Hund anmelden", "", "Hundesteuer nebenbei", "", "municipality", "", "07135"),
    ]

    async def batches():
        yield documents

    await index.rebuild(batches(), revision=1, wordset=frozenset())
    engine, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker() as session:
            gazetteer = Gazetteer(list(await store.list_places(session)))

            async def ids(county: str | None) -> list[str]:
                body = await search(
                    index=index,
                    session=session,
                    gazetteer=gazetteer,
                    synonyms=SynonymTable({}),
                    calendar=ServiceCalendar([]),
                    notices=NoticeBoard(),
                    responsibilities=KeptResponsibilities(ResponsibleOffice.of),
                    request=SearchRequest("Hundesteuer", county),
                    now=dt.datetime.now(BERLIN),
                )
                return [hit.id for hit in body.hits]

            assert await ids(None) == ["strong", "weak"]
            assert await ids("07135") == ["weak", "strong"]
    finally:
        index.close()
        await engine.dispose()


async def _eventually(check, seconds: float = 5.0) -> None:
    """Poll `check` until it holds; the follower's own target is one second, benchmarks measure it."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "not searchable in time"
        await asyncio.sleep(0.05)


async def test_an_edit_becomes_searchable_while_the_service_runs(client) -> None:
    async with client.app[SESSIONMAKER]() as session:
        service = await store.get_service(session, service_id="sperrmuell-anmelden")
        service.synonyms = [*service.synonyms, "Entrümpelung"]
        await store.bump_revision(session, services=[service.id])
        await session.commit()

    async def found() -> bool:
        hits = (await _search(client, "Entrümpelung "))["hits"]
        return [hit["id"] for hit in hits[:1]] == ["sperrmuell-anmelden"]

    await _eventually(found)


async def test_an_edited_synonym_list_counts_on_every_instance_from_the_next_search(
    aiohttp_client, settings, make_user
) -> None:
    editor = await make_user("redaktion", "catalogue_editor")
    one = await aiohttp_client(create_app(settings))
    other = await aiohttp_client(create_app(settings))
    current = await one.get("/api/v1/synonyms", headers=editor)
    entries = (await current.json())["entries"]
    saved = await one.put(
        "/api/v1/synonyms",
        json={"entries": {**entries, "schrottauto": ["sperrmüll"]}},
        headers={**editor, "If-Match": current.headers["ETag"]},
    )
    assert saved.status == 200, await saved.text()
    assert await _first(one, "schrottauto ") == "sperrmuell-anmelden"

    async def on_the_other_instance() -> bool:
        hits = (await _search(other, "schrottauto "))["hits"]
        return [hit["id"] for hit in hits[:1]] == ["sperrmuell-anmelden"]

    await _eventually(on_the_other_instance)


async def test_an_edited_place_is_recognised_in_queries_while_the_service_runs(client) -> None:
    before = (await _search(client, "Hundesteuer 54999"))["place"]
    assert before is None or before.get("outside"), "an unknown postcode is no place of the EMH area"
    async with client.app[SESSIONMAKER]() as session:
        place = await session.get(Place, "vg-gerolstein")
        place.postal_codes = [*place.postal_codes, "54999"]
        await store.bump_revision(session)
        await session.commit()

    async def recognised() -> bool:
        return ((await _search(client, "Hundesteuer 54999"))["place"] or {}).get("county") == "07233"

    await _eventually(recognised)
