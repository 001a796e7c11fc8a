"""The ranking scores every match as whoosh would, and its cost is bounded by counts, not the clock: the same
answer on a busy and an idle machine."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from knowledge.search import ranking
from knowledge.search.bulk import LeafScorer
from knowledge.search.index import IndexDocument, SearchIndex, current_generation
from knowledge.search.query import HEAD_FIELD, on_field, plan_query
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


async def test_among_many_matches_the_services_titles_name_come_first(index) -> None:
    page = _page(index)
    assert page.total == 62
    assert {hit.id for hit in page.hits[:2]} == {"named-1", "named-2"}
    assert len(page.hits) == 10


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


async def _mixed_index(tmp_path: Path) -> SearchIndex:
    """The mixed catalogue, then two services changed: a second segment, and deleted documents in the first."""
    index = SearchIndex(tmp_path / "index")

    async def batches():
        yield _mixed_catalogue()

    await index.rebuild(batches(), revision=1, wordset=frozenset())
    changed = [d for d in _mixed_catalogue() if d.id in ("s-0014", "s-0021")]
    await index.upsert([replace(d, title=f"{d.title} Wohngeld Zuschuss") for d in changed], revision=2)
    return index


async def test_every_match_gets_the_score_whoosh_gives_it(tmp_path: Path) -> None:
    index = await _mixed_index(tmp_path)
    index.close()
    with whoosh_index.open_dir(str(current_generation(index.root))).searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 2 and searcher.reader().has_deletions()
        queries = [wq.Term("leika", "99000000000001"), wq.Phrase("title", ["antrag", "wohngeld"], boost=3.0)]
        for words in (["antrag"], ["wohngeld"], ["antrag", "wohngeld"], ["zuschuss", "antrag"], ["eintrag"]):
            plan = plan_query(searcher, words, SynonymTable({}), completing=False)
            assert plan is not None
            queries += [
                wq.AndMaybe(plan.loose, plan.boost),
                wq.And([on_field(plan.strict, HEAD_FIELD), wq.AndMaybe(plan.strict, plan.boost)]),
            ]
        for query in queries:
            expected = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
            scored: dict[int, float] = {}
            for leaf, offset in searcher.leaf_searchers():
                found = LeafScorer(searcher, leaf).scores(query)
                scored |= {offset + int(n): float(found.score[n]) for n in np.flatnonzero(found.matched)}
            assert expected and scored == pytest.approx(expected, rel=1e-12), query


async def test_pages_over_services_and_leika_entries(tmp_path: Path) -> None:
    index = await _mixed_index(tmp_path)
    index.close()
    with whoosh_index.open_dir(str(current_generation(index.root))).searcher() as searcher:

        def page(word: str, county: str | None = None, leika_only: bool = False) -> ranking.RankedPage:
            return ranking.rank(
                searcher,
                [word],
                completing=False,
                county=county,
                offset=0,
                limit=10,
                synonyms=SynonymTable({}),
                leika_only=leika_only,
            )

        assert page("antrag").total == 700 + 28, "every service, the entries but the described"
        assert page("antrag", leika_only=True).total == 29
        entries = page("eintrag")
        assert entries.total == 1 + 28 and entries.hits[0].id == "s-0005"
        assert "99000000000001" not in {h.id for h in entries.hits}, "a described entry comes as its service"
        assert {h.id for h in page("zuschuss").hits[:2]} == {"s-0014", "s-0021"}, "changed: in the title"
        in_county = page("zuschuss", county="07135")
        assert in_county.hits[0].id == "s-0014" and in_county.total == page("zuschuss").total
        assert "s-0021" not in {h.id for h in in_county.hits[:3]}, "outside the county: after its services"


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
