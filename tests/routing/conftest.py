"""Shared fixtures for the routing tests: an explicit area directory, the EMH policy, a minimal rule file."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from routing.origin import AreaDirectory
from routing.policy import Policy, load_policy
from routing.units import UnitFacts
from servicecenter.policy_service import demo_units

CONFIG = Path(__file__).resolve().parents[2] / "config"
EMH_RULES = CONFIG / "routing" / "emh.yaml"
DEMO_UNITS: dict[str, UnitFacts] = demo_units(CONFIG / "catalogue")
"""The demo catalogue's units: the extensions and hours the EMH rule file's departments ring."""

PLACES = [
    ("06542", "07135", "Zell (Mosel)"),
    ("06542", "07231", "Reil"),
    ("02671", "07135", "Cochem"),
    ("06592", "07233", "Daun"),
    ("06571", "07231", "Wittlich"),
    ("06561", "07232", "Bitburg"),
    ("06502", "07235", "Schweich"),  # Trier-Saarburg: a county that is not a member
]

# A small valid rule file for tests that break one thing at a time.
MINIMAL = """\
version: 1
center: Test
members: ["07135"]
counties:
  "07135":
    name: Cochem-Zell
    greeting: Kreisverwaltung Cochem-Zell, guten Tag
    pool: pool-cz
    switchboard: ["+49 2671 61-0"]
lines:
  "115": {numbers: ["115"], hours: service, greeting: Behördennummer 115}
  switchboard: {hours: service}
schedules:
  service:
    mon: ["08:00-18:00"]
    tue: ["08:00-18:00"]
    wed: ["08:00-18:00"]
    thu: ["08:00-18:00"]
    fri: ["08:00-18:00"]
targets:
  pool-cz: {kind: pool, uri: "sip:cz@pbx.local", fallback: pool-all}
  pool-all: {kind: pool, uri: "sip:all@pbx.local", fallback: callback}
  callback: {kind: callback, uri: "sip:callback@pbx.local"}
  closed: {kind: announcement, uri: "sip:closed@pbx.local"}
rules:
  - id: closed
    when: {not: {open: service}}
    target: closed
  - id: county
    when: {all: [{county_known: true}, {not: {saturated: {pool: $county-pool}}}]}
    target: $county-pool
  - id: rest
    target: pool-all
"""


@pytest.fixture(scope="session")
def directory() -> AreaDirectory:
    return AreaDirectory.from_places(PLACES)


@pytest.fixture(scope="session")
def policy(directory: AreaDirectory) -> Policy:
    return load_policy(EMH_RULES, directory, DEMO_UNITS)


@pytest.fixture
def minimal_text() -> str:
    return MINIMAL


@pytest.fixture
def minimal() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(MINIMAL))


@pytest.fixture
def write_rules(tmp_path: Path) -> Callable[[dict[str, Any] | str], Path]:
    def write(data: dict[str, Any] | str) -> Path:
        path = tmp_path / "rules.yaml"
        text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
