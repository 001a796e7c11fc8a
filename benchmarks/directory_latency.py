"""Switchboard directory search in memory: p50 / p95 of the queries of issue 15, in milliseconds.

Two directories: the demo data (189 units, 26 people), and the demo units with PEOPLE generated people
(a few thousand entries, more than four Kreisverwaltungen and their VGs have staff with public contact).
Each query is timed cold (the per-word cache emptied first: a word never asked before) and warm (asked
again, as while an operator types on). The build time is what each instance spends, in a thread, when a
unit or person changed. Wall clock and this thread's CPU time; on a shared machine quote both and the load.

    .venv/bin/python -m benchmarks.directory_latency [PEOPLE] [ROUNDS]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time

from config import CONFIG_DIR
from knowledge.catalogue.demo import load_demo_document
from knowledge.catalogue.models import Place, Unit
from knowledge.directory.demo import load_demo_people
from knowledge.directory.models import Person
from knowledge.directory.search import Directory
from knowledge.search.places import Gazetteer, PlaceWords

CATALOGUE = CONFIG_DIR / "catalogue"
QUERIES = [
    "Herr Müller",
    "Müller",
    "Mueller",
    "Herr Müller vom Bauamt in Bitburg",
    "Landrat",
    "den Landrat",
    "Bürgermeister Daun",
    "Kreiskasse",
    "Poststelle",
    "Bauamt Bitburg",
    "Straßenverkehrsamt Cochem",
    "Wohngeldstelle",
    "Kreisjugendamt Daun",
    "Jugendamt Gerolstein",
    "Jugendamt Daun",
    "Kfz-Zulassung Cochem",
    "Führerschein Prüm",
    "Bauamd Bitburg",
    "Elterngeld A–K",
]
FIRST = ["Anna", "Thomas", "Petra", "Michael", "Sabine", "Jonas", "Claudia", "Stefan", "Katrin", "Lukas"]
LAST = ["Schmitz", "Weber", "Becker", "Hoffmann", "Krämer", "Meyer", "Wagner", "Schneider", "Klein", "Jakobs"]
FUNCTIONS = ["Sachbearbeitung", "Leitung", "Beratung", "Sekretariat", "Vollstreckung", "Anträge"]


def _people(units: list[Unit], count: int, seed: int = 115) -> list[Person]:
    rng = random.Random(seed)
    staffed = [u for u in units if u.county and u.phone and "-" in u.phone]
    people = []
    for i in range(count):
        unit = rng.choice(staffed)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}-{i}"
        function = f"{rng.choice(FUNCTIONS)} {unit.topics[0] if unit.topics else ''}".strip()
        people.append(
            Person(
                id=f"gen-{i}",
                county=unit.county,
                name=name,
                function=function,
                unit_id=unit.id,
                extension=str(1000 + i),
                topics=list(unit.topics[:2]),
            )  # fmt: skip
        )
    return people


def _percentiles(values: list[float]) -> str:
    values = sorted(values)
    return f"p50 {statistics.median(values):6.3f} ms  p95 {values[int(len(values) * 0.95)]:6.3f} ms"


def _measure(name: str, directory: Directory, gazetteer: Gazetteer, rounds: int) -> None:
    today = dt.date(2026, 3, 10)
    cold_wall, cold_cpu, warm_wall, warm_cpu = [], [], [], []
    for _ in range(rounds):
        for q in QUERIES:
            for wall, cpu, clear in ((cold_wall, cold_cpu, True), (warm_wall, warm_cpu, False)):
                if clear:
                    directory._cache.clear()
                began, began_cpu = time.perf_counter_ns(), time.thread_time_ns()
                directory.search(q, gazetteer=gazetteer, today=today, limit=30)
                cpu.append((time.thread_time_ns() - began_cpu) / 1e6)
                wall.append((time.perf_counter_ns() - began) / 1e6)
    print(f"{name}: {len(cold_wall)} queries each")
    print(f"  cold  wall {_percentiles(cold_wall)}   cpu {_percentiles(cold_cpu)}")
    print(f"  warm  wall {_percentiles(warm_wall)}   cpu {_percentiles(warm_cpu)}")


def main() -> None:
    generated = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    document = load_demo_document(CATALOGUE)
    places = [Place(**record.model_dump()) for record in document.places]
    gazetteer = Gazetteer(places, PlaceWords.load(CATALOGUE / "place-recognition.yaml"))
    units = [Unit(**record.model_dump()) for record in document.units]
    counties = {c.key: c.name for c in document.counties}
    demo_people = [Person(**values) for values in load_demo_people(CATALOGUE)]
    for name, people in (
        ("demo", demo_people),
        (f"demo + {generated} generated people", demo_people + _people(units, generated)),
    ):
        began = time.perf_counter()
        directory = Directory(units, people, counties)
        built = (time.perf_counter() - began) * 1000
        print(f"{name}: {len(directory.entries)} entries, built in {built:.0f} ms")
        _measure(name, directory, gazetteer, rounds)


if __name__ == "__main__":
    main()
