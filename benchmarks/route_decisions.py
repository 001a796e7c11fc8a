"""In-process routing decisions: median and p99 of `evaluate`, in microseconds.

Two policies: the EMH rule file with random calls, and the EMH rules behind 500 generated rules
(each on its own topic and line, so none shadows another) with calls whose matching rule is the
500th, or none of them — the worst case, every generated rule is tried first. Target: p99 < 200 µs.

    .venv/bin/python benchmarks/route_decisions.py [CALLS]
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable

import yaml

from config import CONFIG_DIR
from knowledge.demo import load_demo_document
from routing.engine import evaluate
from routing.models import Call
from routing.origin import AreaDirectory
from routing.policy import Policy, build_policy, load_policy
from routing.rulefile import parse_rule_file

CALLERS = ["+49 2671 1234", "06592 98765", "06542 4711", "+49 151 2345678", "anonymous", "+33 1 23456789", None]
CALLED = ["115", "+49 2671 61-0", "06592 933-0", "+4965611 50", "0657114 0"]
GENERATED = 500


def _report(name: str, policy: Policy, batch: list[Call]) -> None:
    timings = []
    for call in batch:
        began = time.perf_counter_ns()
        evaluate(policy, call, {})
        timings.append((time.perf_counter_ns() - began) / 1000)
    timings.sort()
    print(f"{name:34} calls {len(batch)}  median {statistics.median(timings):6.1f} µs  "
          f"p99 {timings[int(len(timings) * 0.99)]:6.1f} µs  max {timings[-1]:7.1f} µs")


def _generated_policy(directory: AreaDirectory) -> Policy:
    """The EMH rules behind GENERATED rules: rule i matches line i % 2 with topic `thema-i` only."""
    rules = yaml.safe_load((CONFIG_DIR / "routing" / "emh.yaml").read_text(encoding="utf-8"))
    lines = ["115", "switchboard"]
    generated = [
        {"id": f"generated-{i}", "when": {"all": [{"line": lines[i % 2]}, {"topic": [f"thema-{i}"]}]},
         "target": "emh-all" if i % 3 else "callback"}
        for i in range(GENERATED)
    ]
    rules["rules"] = generated + rules["rules"]
    began = time.perf_counter()
    policy = build_policy(parse_rule_file(yaml.safe_dump(rules, allow_unicode=True), "generated.yaml")[0], directory)
    print(f"{GENERATED} generated rules + EMH rules checked and compiled in {time.perf_counter() - began:.1f} s")
    return policy


def main(calls: int) -> None:
    places = load_demo_document().places
    directory = AreaDirectory.from_places((code, p.county, p.name) for p in places for code in p.area_codes)
    rng = random.Random(115)
    start = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)

    def batch(topic: Callable[[], str | None], called: Callable[[], str]) -> list[Call]:
        return [
            Call(called=called(), caller=rng.choice(CALLERS),
                 at=start + dt.timedelta(minutes=rng.randrange(7 * 24 * 60)), topic=topic())
            for _ in range(calls)
        ]

    _report("EMH rules, random calls", load_policy(CONFIG_DIR / "routing" / "emh.yaml", directory),
            batch(lambda: rng.choice([None, None, "kfz-zulassung"]), lambda: rng.choice(CALLED)))
    generated = _generated_policy(directory)
    last = GENERATED - 1
    _report(f"{GENERATED} rules, match at rule {GENERATED}", generated,
            batch(lambda: f"thema-{last}", lambda: "115" if last % 2 == 0 else "+49 2671 61-0"))
    _report(f"{GENERATED} rules, none match (EMH)", generated,
            batch(lambda: rng.choice([None, "kfz-zulassung"]), lambda: rng.choice(CALLED)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
