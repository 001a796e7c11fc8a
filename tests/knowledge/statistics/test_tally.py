"""Counting in memory: counters add up and go back after a failed write; searches count once typed."""

from knowledge.statistics.tally import TYPING_WINDOW_S, SearchTally, Tally


def test_a_tally_drains_and_takes_counts_back() -> None:
    tally = Tally()
    tally.add(("a",))
    tally.add(("a",))
    tally.add(("b",), 3)
    drained = tally.drain()
    assert drained == {("a",): [2], ("b",): [3]} and len(tally) == 0
    tally.add(("a",), -1)
    tally.restore(drained)
    assert tally.drain() == {("a",): [1], ("b",): [3]}


def _counted(searches: SearchTally) -> dict:
    return {(county, query): values for (_, county, query), values in searches.tally.drain().items()}


def test_a_query_being_typed_counts_once_and_a_personal_one_not_at_all() -> None:
    searches = SearchTally()
    now = 100.0
    for i, typed in enumerate(("p", "pe", "per", "perso", "perso ver", "perso verloren")):
        searches.note("agent-1", typed, "07233", 3, epoch=1_772_521_200, now=now + i * 0.2)
    searches.note("agent-2", "kfz", None, 0, epoch=1_772_521_200, now=now)
    for i, typed in enumerate(("fr", "frau", "frau zw", "frau zwackelmann")):
        searches.note("agent-3", typed, None, 0, epoch=1_772_521_200, now=now + i * 0.2)
    searches.settle(now + 1)
    assert _counted(searches) == {}
    searches.settle(now + 2 + TYPING_WINDOW_S)
    assert _counted(searches) == {("07233", "perso verloren"): [1, 0, 3], ("", "kfz"): [1, 1, 0]}


def test_a_new_query_of_the_same_client_counts_the_one_before() -> None:
    searches = SearchTally()
    searches.note("a", "hundesteuer", None, 4, epoch=1_772_521_200, now=0)
    searches.note("a", "kindergeld", None, 2, epoch=1_772_521_200, now=1)
    searches.note("a", "kindergeld", None, 2, epoch=1_772_521_200, now=2 + TYPING_WINDOW_S)
    searches.settle(0, everything=True)
    assert _counted(searches) == {("", "hundesteuer"): [1, 0, 4], ("", "kindergeld"): [2, 0, 4]}
