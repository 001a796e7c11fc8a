"""The quality metrics: ranks, recall@k, MRR, per-tag breakdown and the judged set's shape."""

from pathlib import Path

import pytest

from benchmarks.evaluation import (
    CUTOFF,
    TAGS,
    Evaluation,
    JudgedQuery,
    Outcome,
    evaluate,
    format_table,
    load_judged,
    metrics,
)


def _outcome(ids: list[str], expect: tuple[str, ...] = ("a",), tag: str = "plain") -> Outcome:
    return Outcome(JudgedQuery("q", expect, tag), tuple(ids), 0.001)


def test_rank_is_the_first_expected_id_and_any_expected_id_counts() -> None:
    assert _outcome(["x", "b", "a"], expect=("a", "b")).rank == 2
    assert _outcome(["a"]).rank == 1
    assert _outcome([]).rank is None


def test_a_hit_below_the_cutoff_is_a_miss() -> None:
    ids = [f"x{i}" for i in range(CUTOFF)] + ["a"]
    assert _outcome(ids).rank is None
    assert _outcome(ids[1:]).rank == CUTOFF


def test_recall_and_mrr() -> None:
    outcomes = [_outcome(["a"]), _outcome(["x", "y", "a"]), _outcome(["x"] * 5 + ["a"]), _outcome([])]
    m = metrics(outcomes)
    assert m.count == 4
    assert m.recall_at_1 == 0.25
    assert m.recall_at_5 == 0.5
    assert m.mrr == pytest.approx((1 + 1 / 3 + 1 / 6) / 4)


def test_metrics_of_nothing_are_zero() -> None:
    assert metrics([]).recall_at_5 == 0.0


def test_breakdown_by_tag_and_misses() -> None:
    evaluation = Evaluation(
        "e",
        (_outcome(["a"], tag="typo"), _outcome(["x"], tag="typo"), _outcome(["x"] * 5 + ["a"], tag="place")),
    )
    by_tag = evaluation.by_tag()
    assert list(by_tag) == ["typo", "place"]
    assert by_tag["typo"].recall_at_1 == 0.5
    assert by_tag["place"].recall_at_5 == 0.0
    assert len(evaluation.misses()) == 2
    assert "rank 6" in evaluation.describe_misses() and "rank -" in evaluation.describe_misses()


async def test_evaluate_runs_every_query_and_the_table_shows_each_engine() -> None:
    queries = [JudgedQuery("hund", ("a",), "plain"), JudgedQuery("katze", ("b",), "typo", "07233")]

    async def run(query: JudgedQuery) -> list[str]:
        return ["a"] if query.q == "hund" else ["c", "b"]

    first = await evaluate("first", queries, run)
    assert [o.rank for o in first.outcomes] == [1, 2]
    table = format_table([first, Evaluation("second", first.outcomes[:1])])
    assert "first" in table and "second" in table
    assert "typo (1)" in table and "overall (2)" in table


def test_the_judged_set_is_large_and_covers_every_tag() -> None:
    queries = load_judged()
    assert len(queries) >= 100
    assert {q.tag for q in queries} == set(TAGS)
    assert len({(q.q.lower(), q.county) for q in queries}) == len(queries)


def test_a_judged_entry_without_expectation_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "judged.yaml"
    path.write_text("- {q: hund, expect: [], tag: plain}\n")
    with pytest.raises(ValueError, match="entry 0"):
        load_judged(path)
