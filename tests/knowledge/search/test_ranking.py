"""The ranking's cost is bounded by counts, not the clock: the same answer on a busy and an idle machine."""

from pathlib import Path

import pytest
from whoosh import collectors
from whoosh import index as whoosh_index

from knowledge.search import ranking
from knowledge.search.index import IndexDocument, SearchIndex, current_generation
from knowledge.search.synonyms import SynonymTable

BROAD = [
    IndexDocument(
        f"broad-{n:03}", f"Bescheinigung Nummer {n}", "", "Antrag stellen", "", "county", "", "07231"
    )
    for n in range(60)
]
NAMED = [
    IndexDocument("named-1", "Antrag auf Wohngeld", "", "Antrag", "", "county", "", "07135"),
    IndexDocument("named-2", "Antrag auf Elterngeld", "", "Antrag", "", "county", "", "07233"),
]


@pytest.fixture
async def index(tmp_path: Path):
    index = SearchIndex(tmp_path / "index")

    async def batches():
        yield BROAD + NAMED  # the services a title names come last in document order

    await index.rebuild(batches(), revision=1, wordset=frozenset())
    yield index
    index.close()


def _page(index: SearchIndex, limit: int = 10) -> ranking.RankedPage:
    """Ranked in this process (the service ranks in its read workers), so that the budget can be patched."""
    with whoosh_index.open_dir(str(current_generation(index.root))).searcher() as searcher:
        return ranking.rank(
            searcher,
            ["antrag"],
            completing=False,
            county=None,
            offset=0,
            limit=limit,
            synonyms=SynonymTable({}),
        )


async def test_beyond_the_scoring_budget_the_services_titles_name_still_come_first(
    index, monkeypatch
) -> None:
    monkeypatch.setattr(ranking, "SCORING_BUDGET", 5)
    page = _page(index)
    assert page.total == 62
    assert {hit.id for hit in page.hits[:2]} == {"named-1", "named-2"}
    assert len(page.hits) == 7, "five scored within the budget plus the two the titles name"


async def test_a_page_is_never_empty_while_matches_exist(index, monkeypatch) -> None:
    monkeypatch.setattr(ranking, "SCORING_BUDGET", 1)
    page = _page(index, limit=3)
    assert page.total == 62 and page.hits


def _mixed_catalogue() -> list[IndexDocument]:
    """Enough services that posting lists span many blocks, in the four counties, then LeiKa entries (the
    first described by service s-0005), laid out as a rebuild lays them out."""
    counties = ("07231", "07232", "07135", "07233")
    services = [
        IndexDocument(
            id=f"s-{n:04}",
            title=f"Antrag {'Wohngeld' if n % 7 == 0 else 'Bescheinigung'} Nummer {n}",
            synonyms="Eintrag" if n == 5 else "Zuschuss" if n % 11 == 0 else "",
            short_text="Antrag stellen " * (1 + n % 5),
            body="Wohngeld und Antrag " * (n % 3),
            level="county",
            leika="99000000000001" if n == 5 else "",
            counties=counties[n % 4] if n % 3 else ",".join(counties[:2]),
        )
        for n in range(700)
    ]
    entries = [
        IndexDocument(
            id=f"leika:990000000000{n:02}",
            title=f"Antrag Wohngeld Eintrag {n}",
            synonyms="",
            short_text="",
            body="",
            level="county",
            leika=f"990000000000{n:02}",
            counties="",
            kind="leika",
        )
        for n in range(1, 30)
    ]
    return services + entries


async def test_skipping_blocks_that_cannot_reach_the_page_changes_no_answer(
    tmp_path: Path, monkeypatch
) -> None:
    index = SearchIndex(tmp_path / "index")

    async def batches():
        yield _mixed_catalogue()

    await index.rebuild(batches(), revision=1, wordset=frozenset())
    index.close()
    asked = [
        (words, county, offset, leika_only)
        for words in (
            ("antrag",),
            ("wohngeld",),
            ("antrag", "wohngeld"),
            ("zuschuss", "antrag"),
            ("eintrag",),
        )
        for county in (None, "07135", "07233")
        for offset in (0, 20)
        for leika_only in (False, True)
    ]

    def pages() -> dict[tuple, ranking.RankedPage]:
        with whoosh_index.open_dir(str(current_generation(index.root))).searcher() as searcher:
            return {
                (words, county, offset, leika_only): ranking.rank(
                    searcher,
                    list(words),
                    completing=False,
                    county=county,
                    offset=offset,
                    limit=10,
                    synonyms=SynonymTable({}),
                    leika_only=leika_only,
                )
                for words, county, offset, leika_only in asked
            }

    skipping = pages()
    monkeypatch.setattr(collectors.TopCollector, "_use_block_quality", lambda self: False)
    assert skipping == pages()
    assert skipping[("antrag",), None, 0, False].total == 700 + 28, (
        "every service, the entries but the described"
    )
    assert skipping[("antrag",), None, 0, True].total == 29
    entries = skipping[("eintrag",), None, 0, False]
    assert entries.total == 1 + 28 and entries.hits[0].id == "s-0005"
    assert "99000000000001" not in {h.id for h in entries.hits}, "a described entry comes as its service"


async def test_a_repeated_query_gets_the_kept_page_and_another_synonym_table_a_new_one(index) -> None:
    with whoosh_index.open_dir(str(current_generation(index.root))).searcher() as searcher:

        def page(word: str, synonyms: SynonymTable) -> ranking.RankedPage:
            return ranking.rank(
                searcher, [word], completing=False, county=None, offset=0, limit=10, synonyms=synonyms
            )

        first = page("antrag", SynonymTable({}))
        assert page("antrag", SynonymTable({})) is first
        assert page("gesuch", SynonymTable({})).total == 0
        assert page("gesuch", SynonymTable({("gesuch",): ("antrag",)})).total == 62
