"""The ranking's cost is bounded by counts, not the clock: the same answer on a busy and an idle machine."""

from pathlib import Path

import pytest
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
