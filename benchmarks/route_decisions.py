"""In-process routing decisions with the EMH policy: median and p99 of `evaluate`, in microseconds.

    .venv/bin/python benchmarks/route_decisions.py [CALLS]
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time

from config import CONFIG_DIR
from knowledge.demo import load_demo_document
from routing.engine import evaluate
from routing.models import Call
from routing.origin import AreaDirectory
from routing.policy import load_policy

CALLERS = ["+49 2671 1234", "06592 98765", "06542 4711", "+49 151 2345678", "anonymous", "+33 1 23456789", None]
CALLED = ["115", "+49 2671 61-0", "06592 933-0", "+4965611 50", "0657114 0"]


def main(calls: int) -> None:
    places = load_demo_document().places
    directory = AreaDirectory.from_places((code, p.county, p.name) for p in places for code in p.area_codes)
    policy = load_policy(CONFIG_DIR / "routing" / "emh.yaml", directory)
    rng = random.Random(115)
    start = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    batch = [
        Call(called=rng.choice(CALLED), caller=rng.choice(CALLERS),
             at=start + dt.timedelta(minutes=rng.randrange(7 * 24 * 60)),
             topic=rng.choice([None, None, "kfz-zulassung"]))
        for _ in range(calls)
    ]
    timings = []
    for call in batch:
        began = time.perf_counter_ns()
        evaluate(policy, call, {})
        timings.append((time.perf_counter_ns() - began) / 1000)
    timings.sort()
    print(f"calls {calls}  median {statistics.median(timings):.1f} µs  "
          f"p99 {timings[int(len(timings) * 0.99)]:.1f} µs  max {timings[-1]:.1f} µs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
