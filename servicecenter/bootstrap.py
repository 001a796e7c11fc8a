"""Getting a database ready: schema up to date, the shared synonym list seeded from its files, the demo
catalogue (and its demo people) in an empty one, and the LeiKa reference list where the table is empty.

Used by `serve` and by the command line alike, so a first start needs nothing else. On PostgreSQL an
advisory lock keeps several instances starting at once from migrating or seeding twice.
"""

from __future__ import annotations

from pathlib import Path

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from knowledge.catalogue import leika, store
from knowledge.catalogue.demo import load_demo_document
from knowledge.catalogue.exchange import ImportReport, import_document
from knowledge.directory.demo import load_demo_people, seed_people
from knowledge.search import synonym_versions
from knowledge.search.synonyms import read_synonym_files
from knowledge.storage.db import create_engine, create_sessionmaker
from knowledge.storage.migrate import upgrade
from servicecenter.settings import Settings

__all__ = [
    "LEIKA_FILE",
    "SEED_AUTHOR",
    "load_leika",
    "open_database",
    "seed_demo",
    "seed_demo_people",
    "seed_synonyms",
]

log = structlog.get_logger(__name__)

STARTUP_LOCK = 115_115
LEIKA_FILE = Path("reference") / "leika-2019.csv"
"""The LeiKa list loaded on a first start, relative to the catalogue directory."""
SEED_AUTHOR = "config"
"""The author of the synonym list's first version, read from the files of the settings."""


async def _lock(session: AsyncSession) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STARTUP_LOCK})


async def seed_demo(
    sessionmaker: async_sessionmaker[AsyncSession], *, directory: Path, only_if_empty: bool
) -> ImportReport | None:
    """Import the demo catalogue in `directory` (always, or only into an empty database); None if skipped.
    The files are read only when they are imported: every start asks, and reading them is most of the work."""
    async with sessionmaker() as session, session.begin():
        await _lock(session)
        if only_if_empty and not await store.is_empty(session):
            return None
        report = await import_document(session, load_demo_document(directory))
    log.info("demo_catalogue_loaded", **{k: v["created"] + v["updated"] for k, v in report.summary().items()})
    return report


async def seed_demo_people(sessionmaker: async_sessionmaker[AsyncSession], *, directory: Path) -> int:
    """The demo people of `directory` into an empty directory (after the demo catalogue, whose units
    they work in); how many were loaded."""
    people = load_demo_people(directory)
    async with sessionmaker() as session, session.begin():
        await _lock(session)
        loaded = await seed_people(session, people)
    if loaded:
        log.info("demo_people_loaded", people=loaded)
    return loaded


async def load_leika(sessionmaker: async_sessionmaker[AsyncSession], *, path: Path) -> int:
    """Load the LeiKa list at `path` into an empty table; the number of entries loaded (0 if it had some)."""
    async with sessionmaker() as session:
        if await leika.is_loaded(session):
            return 0
    entries = leika.parse_csv(path.read_text(encoding="utf-8"))
    async with sessionmaker() as session, session.begin():
        await _lock(session)
        if await leika.is_loaded(session):
            return 0
        report = await leika.replace_entries(session, entries)
    log.info("leika_loaded", entries=len(report.created), file=str(path))
    return len(report.created)


async def seed_synonyms(sessionmaker: async_sessionmaker[AsyncSession], *, files: list[Path]) -> bool:
    """Store the synonym files as the shared list's first version unless the database has one; whether it did."""
    async with sessionmaker() as session, session.begin():
        await _lock(session)
        if await synonym_versions.current_version(session) is not None:
            return False
        entries = read_synonym_files(files)
        await synonym_versions.add_version(session, entries=entries, author=SEED_AUTHOR, after=None)
    log.info("synonyms_seeded", entries=len(entries))
    return True


async def open_database(
    settings: Settings, *, load_demo: bool | None = None
) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    """An engine on a migrated database; an empty one gets the demo catalogue unless switched off."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.database)
    try:
        await upgrade(engine)
        sessionmaker = create_sessionmaker(engine)
        await seed_synonyms(sessionmaker, files=settings.synonyms_files)
        if settings.load_demo if load_demo is None else load_demo:
            loaded = await seed_demo(sessionmaker, directory=settings.catalogue_dir, only_if_empty=True)
            if loaded is not None:
                await seed_demo_people(sessionmaker, directory=settings.catalogue_dir)
        if (settings.catalogue_dir / LEIKA_FILE).exists():
            await load_leika(sessionmaker, path=settings.catalogue_dir / LEIKA_FILE)
    except BaseException:
        await engine.dispose()
        raise
    return engine, sessionmaker
