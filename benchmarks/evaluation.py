"""Search quality measured on judged queries: recall@1, recall@5 and MRR, overall and per kind of query.

Engine-agnostic: an engine is any async function from a judged query to ranked service ids, so the same
judged set measures our search, the SQLite FTS5 and PostgreSQL baselines (benchmarks/search_quality.py)
and guards recall in the tests (tests/knowledge/search/test_search_quality.py).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.calendar import BERLIN, ServiceCalendar
from knowledge.catalogue.kept_responsibilities import KeptResponsibilities
from knowledge.closures.board import NoticeBoard
from knowledge.search.agent_search import ResponsibleOffice, SearchRequest, search
from knowledge.search.index import SearchIndex
from knowledge.search.places import Gazetteer
from knowledge.search.synonyms import SynonymTable

__all__ = [
    "CUTOFF",
    "JUDGED_QUERIES",
    "TAGS",
    "Evaluation",
    "JudgedQuery",
    "Metrics",
    "Outcome",
    "engine_search",
    "evaluate",
    "format_table",
    "load_judged",
    "metrics",
]

JUDGED_QUERIES = Path(__file__).resolve().parent / "judged_queries.yaml"
TAGS = ("plain", "colloquial", "typo", "umlaut", "compound", "place", "prefix", "leika")
CUTOFF = 10
"""Ranks looked at: a hit below rank 10 counts as a miss (MRR@10)."""


@dataclass(frozen=True)
class JudgedQuery:
    """What an agent types and the services that answer it (any of them counts as a hit)."""

    q: str
    expect: tuple[str, ...]
    tag: str
    county: str | None = None


def load_judged(path: Path = JUDGED_QUERIES) -> list[JudgedQuery]:
    """The judged set from YAML; refuses entries without an expected id or with an unknown tag."""
    queries = []
    for i, entry in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
        expect = tuple(entry.get("expect") or ())
        if not entry.get("q") or not expect or entry.get("tag") not in TAGS:
            raise ValueError(f"{path.name} entry {i}: needs q, expect and a tag out of {', '.join(TAGS)}")
        queries.append(JudgedQuery(str(entry["q"]), expect, entry["tag"], entry.get("county")))
    return queries


@dataclass(frozen=True)
class Outcome:
    """One judged query run: the ids returned, in rank order, and how long the engine took."""

    query: JudgedQuery
    ids: tuple[str, ...]
    seconds: float

    @property
    def rank(self) -> int | None:
        """1-based rank of the first expected id within the cutoff; None for a miss."""
        return next((i for i, sid in enumerate(self.ids[:CUTOFF], 1) if sid in self.query.expect), None)


@dataclass(frozen=True)
class Metrics:
    """Quality of a group of outcomes."""

    count: int
    recall_at_1: float
    recall_at_5: float
    mrr: float


def metrics(outcomes: Sequence[Outcome]) -> Metrics:
    """Recall@1, recall@5 and mean reciprocal rank (a miss counts 0)."""
    if not outcomes:
        return Metrics(0, 0.0, 0.0, 0.0)
    ranks = [o.rank for o in outcomes]
    n = len(ranks)
    return Metrics(
        count=n,
        recall_at_1=sum(r == 1 for r in ranks) / n,
        recall_at_5=sum(r is not None and r <= 5 for r in ranks) / n,
        mrr=sum(1 / r for r in ranks if r is not None) / n,
    )


@dataclass(frozen=True)
class Evaluation:
    """All outcomes of one engine on the judged set."""

    engine: str
    outcomes: tuple[Outcome, ...]

    @property
    def overall(self) -> Metrics:
        return metrics(self.outcomes)

    def by_tag(self) -> dict[str, Metrics]:
        """Metrics per tag, in the order of TAGS."""
        return {
            t: metrics([o for o in self.outcomes if o.query.tag == t])
            for t in TAGS
            if any(o.query.tag == t for o in self.outcomes)
        }

    def misses(self, worse_than: int = 5) -> list[Outcome]:
        """Outcomes whose first expected id is below `worse_than` (or missing)."""
        return [o for o in self.outcomes if o.rank is None or o.rank > worse_than]

    @property
    def median_ms(self) -> float:
        return statistics.median(o.seconds for o in self.outcomes) * 1000 if self.outcomes else 0.0

    def describe_misses(self, worse_than: int = 5) -> str:
        """One line per miss: tag, query, expected, rank and what came first instead."""
        lines = []
        for o in self.misses(worse_than):
            where = f" [{o.query.county}]" if o.query.county else ""
            got = ", ".join(o.ids[:3]) or "nothing"
            lines.append(
                f"  {o.query.tag:10} {o.query.q!r}{where}: want {'|'.join(o.query.expect)}, "
                f"rank {o.rank or '-'}; top: {got}"
            )
        return "\n".join(lines)


SearchFunction = Callable[[JudgedQuery], Awaitable[Sequence[str]]]


async def evaluate(engine: str, queries: Iterable[JudgedQuery], run: SearchFunction) -> Evaluation:
    """Run every judged query through `run`, one after another, timing each."""
    outcomes = []
    for query in queries:
        started = time.perf_counter()
        ids = await run(query)
        outcomes.append(Outcome(query, tuple(ids), time.perf_counter() - started))
    return Evaluation(engine, tuple(outcomes))


def engine_search(
    *,
    index: SearchIndex,
    sessionmaker: async_sessionmaker[AsyncSession],
    gazetteer: Gazetteer,
    synonyms: SynonymTable,
    calendar: ServiceCalendar | None = None,
    now: dt.datetime | None = None,
) -> SearchFunction:
    """Our search engine as a SearchFunction, through its public `search()`."""
    calendar = calendar or ServiceCalendar()
    moment = now or dt.datetime(2025, 3, 5, 10, 0, tzinfo=BERLIN)

    responsibilities = KeptResponsibilities(ResponsibleOffice.of)

    async def run(query: JudgedQuery) -> list[str]:
        async with sessionmaker() as session:
            body = await search(
                index=index,
                session=session,
                gazetteer=gazetteer,
                synonyms=synonyms,
                calendar=calendar,
                notices=NoticeBoard(),
                responsibilities=responsibilities,
                request=SearchRequest(query.q, query.county, CUTOFF, 0),
                now=moment,
            )
        return [hit.id for hit in body.hits]

    return run


def format_table(evaluations: Sequence[Evaluation]) -> str:
    """Engines side by side: recall@1, recall@5 and MRR overall and per tag, and the median query time."""
    header = f"{'':17}" + "".join(f"{e.engine:>24}" for e in evaluations)
    sub = f"{'tag (n)':17}" + "".join(f"{'R@1':>8}{'R@5':>8}{'MRR':>8}" for _ in evaluations)
    rows = [header, sub]
    groups = [("overall", lambda e: e.overall)] + [(t, lambda e, t=t: e.by_tag().get(t)) for t in TAGS]
    for name, pick in groups:
        cells = [pick(e) for e in evaluations]
        count = next((c.count for c in cells if c), 0)
        if not count:
            continue
        rows.append(
            f"{f'{name} ({count})':17}"
            + "".join(
                f"{c.recall_at_1:8.2f}{c.recall_at_5:8.2f}{c.mrr:8.2f}" if c else f"{'':24}" for c in cells
            )
        )
    rows.append(f"{'median ms':17}" + "".join(f"{e.median_ms:24.2f}" for e in evaluations))
    return "\n".join(rows)
