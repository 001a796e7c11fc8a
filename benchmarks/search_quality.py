"""Search quality on the judged agent queries: our engine beside plain full-text search over the same data.

    .venv/bin/python benchmarks/search_quality.py [--postgres URL] [--misses ENGINE]

Engines, each given the same demo services (title, synonyms, short text and body as our index has them):
- `engine`: knowledge.search.search() on a fresh data dir with the demo catalogue;
- `sqlite-fts5`: an in-memory FTS5 table, tokenizer `unicode61 remove_diacritics 2`, bm25 with the same
  field weights as our index (4, 3, 1.5, 1); all words AND'd, OR'd when that finds nothing;
- `postgres-german`: `to_tsvector('german', …)` with weights A–D, `plainto_tsquery` (AND), OR'd words when
  that finds nothing, ranked by ts_rank — when `--postgres` or SERVICECENTER_TEST_DATABASE_URL names a server.
Prints recall@1, recall@5 and MRR overall and per tag, and the median time per query.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sqlite3
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import asyncpg
from sqlalchemy import make_url

from benchmarks.evaluation import (
    CUTOFF,
    Evaluation,
    JudgedQuery,
    engine_search,
    evaluate,
    format_table,
    load_judged,
)
from config import CONFIG_DIR
from knowledge.catalogue import store
from knowledge.catalogue.demo import load_demo_document
from knowledge.search.index import IndexDocument, SearchIndex
from knowledge.search.places import Gazetteer, PlaceWords
from knowledge.search.sync import ensure_index
from knowledge.search.synonyms import SynonymTable
from servicecenter.bootstrap import open_database
from servicecenter.logs import configure_logging
from servicecenter.settings import Settings

FIELDS = ("title", "synonyms", "short_text", "body")


def demo_documents() -> list[IndexDocument]:
    """The demo services exactly as our index sees them."""
    return [
        IndexDocument.from_service(s, sorted({r.county for r in s.responsibilities}))
        for s in load_demo_document(CONFIG_DIR / "catalogue").services
    ]


def words(text: str) -> list[str]:
    """The query words a plain full-text search gets: word characters only, so no query syntax leaks in."""
    return re.findall(r"\w+", text.lower())


class Fts5:
    """SQLite FTS5 over the same fields, bm25-ranked; in memory, or in a file that other threads open too."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    @classmethod
    def build(cls, documents: Iterable[IndexDocument], path: str = ":memory:") -> Fts5:
        db = sqlite3.connect(path, check_same_thread=False)
        db.execute(
            "CREATE VIRTUAL TABLE doc USING fts5(id UNINDEXED, counties UNINDEXED, "
            f"{', '.join(FIELDS)}, tokenize = 'unicode61 remove_diacritics 2')"
        )
        db.executemany(
            "INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?)",
            ((d.id, d.counties, d.title, d.synonyms, d.short_text, d.body) for d in documents),
        )
        db.commit()
        return cls(db)

    @classmethod
    def open(cls, path: str) -> Fts5:
        """Another connection to a built file, for another thread."""
        return cls(sqlite3.connect(path, check_same_thread=False))

    def ids(self, q: str, county: str | None, limit: int = CUTOFF) -> list[str]:
        """The best `limit` ids: all words AND'd, OR'd when that finds nothing."""
        terms = [f'"{w}"' for w in words(q)]
        if not terms:
            return []
        pattern = f"%{county}%" if county else "%"
        for joiner in (" AND ", " OR ") if len(terms) > 1 else (" AND ",):
            rows = self.db.execute(
                "SELECT id FROM doc WHERE doc MATCH ? AND counties LIKE ? "
                "ORDER BY bm25(doc, 0, 0, 4.0, 3.0, 1.5, 1.0) LIMIT ?",
                (joiner.join(terms), pattern, limit),
            ).fetchall()
            if rows:
                return [r[0] for r in rows]
        return []

    async def run(self, query: JudgedQuery) -> list[str]:
        return self.ids(query.q, query.county)


class PostgresGerman:
    """PostgreSQL full-text search with the 'german' configuration, ts_rank-ranked."""

    TABLE = "quality_baseline_doc"

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    @classmethod
    async def open(cls, url: str, documents: Sequence[IndexDocument]) -> PostgresGerman:
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn)
        await connection.execute(f"""
            CREATE TEMPORARY TABLE {cls.TABLE} (id text PRIMARY KEY, counties text, tsv tsvector);
        """)
        await connection.executemany(
            f"""INSERT INTO {cls.TABLE} VALUES ($1, $2,
                  setweight(to_tsvector('german', $3), 'A') || setweight(to_tsvector('german', $4), 'B') ||
                  setweight(to_tsvector('german', $5), 'C') || setweight(to_tsvector('german', $6), 'D'))""",
            [(d.id, d.counties, d.title, d.synonyms, d.short_text, d.body) for d in documents],
        )
        await connection.execute(f"CREATE INDEX ON {cls.TABLE} USING gin (tsv); ANALYZE {cls.TABLE}")
        return cls(connection)

    async def run(self, query: JudgedQuery) -> list[str]:
        terms = words(query.q)
        if not terms:
            return []
        queries = [("plainto_tsquery('german', $1)", " ".join(terms))]
        if len(terms) > 1:
            queries.append(("to_tsquery('german', $1)", " | ".join(terms)))
        for tsquery, text in queries:
            rows = await self.connection.fetch(
                f"SELECT id FROM {self.TABLE}, {tsquery} q WHERE tsv @@ q AND ($2::text IS NULL OR "
                f"counties LIKE '%' || $2 || '%') ORDER BY ts_rank(tsv, q) DESC, id LIMIT {CUTOFF}",
                text,
                query.county,
            )
            if rows:
                return [r["id"] for r in rows]
        return []

    async def close(self) -> None:
        await self.connection.close()


async def our_engine(queries: list[JudgedQuery]) -> Evaluation:
    """Our search on a fresh data dir with the demo catalogue, through knowledge.search.search()."""
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), database_url=None)
        engine, sessionmaker = await open_database(settings)
        index = SearchIndex(settings.index_dir)
        try:
            await ensure_index(index, sessionmaker)
            async with sessionmaker() as session:
                gazetteer = Gazetteer(
                    list(await store.list_places(session)), PlaceWords.load(settings.place_words_file)
                )
            run = engine_search(
                index=index,
                sessionmaker=sessionmaker,
                gazetteer=gazetteer,
                synonyms=SynonymTable.load(settings.synonyms_files),
            )
            await evaluate("engine", queries[:10], run)  # warm caches and the worker's searcher
            return await evaluate("engine", queries, run)
        finally:
            index.close()
            await engine.dispose()


async def main(args: argparse.Namespace) -> None:
    configure_logging(log_format="console", level="warning")
    queries = load_judged()
    documents = demo_documents()
    evaluations = [
        await our_engine(queries),
        await evaluate("sqlite-fts5", queries, Fts5.build(documents).run),
    ]
    url = args.postgres or os.environ.get("SERVICECENTER_TEST_DATABASE_URL")
    if url:
        postgres = await PostgresGerman.open(url, documents)
        try:
            evaluations.append(await evaluate("postgres-german", queries, postgres.run))
        finally:
            await postgres.close()
    print(
        f"{len(queries)} judged queries, {len(documents)} demo services; hits counted up to rank {CUTOFF}\n"
    )
    print(format_table(evaluations))
    if not url:
        print("\npostgres-german: skipped (no --postgres URL and no SERVICECENTER_TEST_DATABASE_URL)")
    for evaluation in evaluations:
        if args.misses in (evaluation.engine, "all"):
            print(
                f"\n{evaluation.engine}: {len(evaluation.misses())} misses (not in the top 5)\n"
                f"{evaluation.describe_misses()}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="postgresql://user@host:port/db for the 'german' baseline")
    parser.add_argument("--misses", default="engine", help="list the misses of this engine ('all', 'none')")
    asyncio.run(main(parser.parse_args(sys.argv[1:])))
