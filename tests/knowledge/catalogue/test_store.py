"""Persistence functions on the demo catalogue: the switchboard directory's matching."""

import pytest

from knowledge.catalogue import store
from servicecenter.bootstrap import open_database


@pytest.fixture
async def session(settings):
    engine, sessionmaker = await open_database(settings)
    async with sessionmaker() as session:
        yield session
    await engine.dispose()


@pytest.mark.parametrize(
    ("q", "unit_id"),
    [
        ("kfz zulassung cochem", "kv-cochem-zell-zulassung"),
        ("KFZ Zulassung Cochem", "kv-cochem-zell-zulassung"),
        ("Führerschein Prüm", "kv-bitburg-pruem-fuehrerschein"),
        ("fuehrerschein pruem", "kv-bitburg-pruem-fuehrerschein"),
        ("fuhrerschein prum", "kv-bitburg-pruem-fuehrerschein"),
    ],
)
async def test_units_match_whatever_the_spelling(session, q: str, unit_id: str) -> None:
    units = await store.list_units(session, q=q)
    assert units[0].id == unit_id


async def test_every_word_must_match(session) -> None:
    assert await store.list_units(session, q="zulassung atlantis") == []


async def test_units_matching_in_their_name_come_first(session) -> None:
    units = await store.list_units(session, q="zulassung", county="07135")
    assert units[0].id == "kv-cochem-zell-zulassung"
    assert all(u.county in ("07135", None) for u in units)
