"""Search quality on the judged agent queries, against the real engine on the demo index."""

from benchmarks.evaluation import engine_search, evaluate, format_table, load_judged
from knowledge.catalogue import leika, store
from knowledge.search.index import SearchIndex
from knowledge.search.places import Gazetteer, PlaceWords
from knowledge.search.synonyms import SynonymTable
from knowledge.storage.db import create_engine, create_sessionmaker
from servicecenter.settings import Settings

RECALL_AT_5 = 0.95


async def test_judged_queries_reach_the_recall_target(settings: Settings) -> None:
    engine = create_engine(settings.database)
    index = SearchIndex(settings.index_dir)
    try:
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as session:
            gazetteer = Gazetteer(
                list(await store.list_places(session)), PlaceWords.load(settings.place_words_file)
            )
        result = await evaluate(
            "engine",
            load_judged(),
            engine_search(
                index=index,
                sessionmaker=sessionmaker,
                gazetteer=gazetteer,
                synonyms=SynonymTable.load(settings.synonyms_files),
            ),
        )
    finally:
        index.close()
        await engine.dispose()
    assert result.overall.recall_at_5 >= RECALL_AT_5, (
        f"recall@5 {result.overall.recall_at_5:.3f} < {RECALL_AT_5}\n{format_table([result])}\n"
        f"misses:\n{result.describe_misses()}"
    )


async def test_every_expected_service_exists_in_the_demo_catalogue(settings: Settings) -> None:
    engine = create_engine(settings.database)
    try:
        async with create_sessionmaker(engine)() as session:
            missing = {
                sid
                for q in load_judged()
                for sid in q.expect
                if await store.get_service(session, service_id=sid) is None
                and await leika.get_entry(session, key=sid) is None
            }
            counties = {c.key for c in await store.list_counties(session)}
    finally:
        await engine.dispose()
    assert missing == set()
    assert {q.county for q in load_judged() if q.county} <= counties
