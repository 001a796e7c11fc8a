"""In-process routing decisions: median and p99 of `evaluate`, in microseconds.

Two policies: the EMH rule file with random calls, and the EMH rules behind 500 generated rules
(each on its own topic and line, so none shadows another) with calls whose matching rule is the
500th, or none of them. Target: p99 < 200 µs.

Each decision is timed twice: wall clock (what a caller waits) and this thread's CPU time (the
engine's own cost). On a machine shared with other jobs the wall-clock p99 mostly measures the
scheduler — a decision preempted by another process waits a time slice of milliseconds — while the
CPU-time p99 stays the engine's; quote both, and the load average printed first.

    .venv/bin/python benchmarks/route_decisions.py [CALLS]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable

import yaml

from config import CONFIG_DIR
from knowledge.catalogue.demo import load_demo_document
from routing.engine import evaluate
from routing.models import Call
from routing.origin import AreaDirectory
from routing.policy import Policy, build_policy, load_policy
from routing.rulefile import parse_rule_file
from servicecenter.policy_service import demo_units

CALLERS = [
    "+49 2671 1234",
    "06592 98765",
    "06542 4711",
    "+49 151 2345678",
    "anonymous",
    "+33 1 23456789",
    None,
]
CALLED = ["115", "+49 2671 61-0", "06592 933-0", "+4965611 50", "0657114 0"]
GENERATED = 500


def _report(name: str, policy: Policy, batch: list[Call]) -> None:
    wall, cpu = [], []
    for call in batch:
        began, began_cpu = time.perf_counter_ns(), time.thread_time_ns()
        evaluate(policy, call, {})
        cpu.append((time.thread_time_ns() - began_cpu) / 1000)
        wall.append((time.perf_counter_ns() - began) / 1000)
    wall.sort()
    cpu.sort()
    p99 = int(len(batch) * 0.99)
    print(
        f"{name:34} calls {len(batch)}  wall median {statistics.median(wall):6.1f} µs  "
        f"p99 {wall[p99]:7.1f} µs  max {wall[-1]:8.1f} µs | "
        f"CPU median {statistics.median(cpu):6.1f} µs  p99 {cpu[p99]:6.1f} µs"
    )


def _generated_policy(directory: AreaDirectory) -> Policy:
    """The EMH rules behind GENERATED rules: rule i matches line i % 2 with topic `thema-i` only."""
    rules = yaml.safe_load((CONFIG_DIR / "routing" / "emh.yaml").read_text(encoding="utf-8"))
    lines = ["115", "switchboard"]
    generated = [
        {
            "id": f"generated-{i}",
            "when": {"all": [{"line": lines[i % 2]}, {"topic": [f"thema-{i}"]}]},
            "target": "emh-all" if i % 3 else "callback",
        }
        for i in range(GENERATED)
    ]
    rules["rules"] = generated + rules["rules"]
    began = time.perf_counter()
    policy = build_policy(
        parse_rule_file(yaml.safe_dump(rules, allow_unicode=True), "generated.yaml")[0], directory
    )
    print(
        f"{GENERATED} generated rules + EMH rules checked and compiled in {time.perf_counter() - began:.1f} s"
    )
    return policy


def main(calls: int) -> None:
    print(
        "load average " + " ".join(f"{load:.2f}" for load in os.getloadavg()) + f" on {os.cpu_count()} cores"
    )
    places = load_demo_document(CONFIG_DIR / "catalogue").places
    directory = AreaDirectory.from_places((code, p.county, p.name) for p in places for code in p.area_codes)
    rng = random.Random(115)
    start = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)

    def batch(topic: Callable[[], str | None], called: Callable[[], str]) -> list[Call]:
        return [
            Call(
                called=called(),
                caller=rng.choice(CALLERS),
                at=start + dt.timedelta(minutes=rng.randrange(7 * 24 * 60)),
                topic=topic(),
            )
            for _ in range(calls)
        ]

    _report(
        "EMH rules, random calls",
        load_policy(CONFIG_DIR / "routing" / "emh.yaml", directory, demo_units(CONFIG_DIR / "catalogue")),
        batch(lambda: rng.choice([None, None, "kfz-zulassung"]), lambda: rng.choice(CALLED)),
    )
    generated = _generated_policy(directory)
    last = GENERATED - 1
    _report(
        f"{GENERATED} rules, match at rule {GENERATED}",
        generated,
        batch(lambda: f"thema-{last}", lambda: "115" if last % 2 == 0 else "+49 2671 61-0"),
    )
    _report(
        f"{GENERATED} rules, none match (EMH)",
        generated,
        batch(lambda: rng.choice([None, "kfz-zulassung"]), lambda: rng.choice(CALLED)),
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
