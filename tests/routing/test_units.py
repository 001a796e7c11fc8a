"""Department targets ring catalogue units: URI and hours come from the unit, problems name the line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from knowledge.calendar import WeeklyHours
from routing.engine import evaluate
from routing.errors import RuleFileError
from routing.models import Call
from routing.origin import AreaDirectory
from routing.policy import Policy, load_policy
from routing.units import UnitFacts

ZULASSUNG = UnitFacts("cz-zulassung", "07135", "4 12", WeeklyHours(tue=["08:00-12:00"], thu=["14:00-18:00"]))


@pytest.fixture
def with_department(minimal: dict[str, Any]) -> dict[str, Any]:
    """The minimal rule file with a department topic whose target rings the unit cz-zulassung."""
    minimal["counties"]["07135"]["extension_uri"] = "sip:{extension}@kv-cz.pbx.local"
    minimal["targets"]["zulassung"] = {"kind": "extension", "unit": "cz-zulassung", "fallback": "pool-cz"}
    minimal["departments"] = {"kfz": {"07135": {"target": "zulassung"}}}
    minimal["rules"].insert(0, {"id": "dept", "when": {"department_open": True}, "target": "$department"})
    return minimal


def _load(path: Path, *units: UnitFacts) -> Policy:
    return load_policy(path, AreaDirectory.from_places([]), {unit.id: unit for unit in units})


def _route(policy: Policy, at: str) -> str:
    call = Call.model_validate({"called": "02671 61-0", "at": at, "topic": "kfz"})
    return evaluate(policy, call, {}).target.uri


def test_the_unit_gives_the_uri_and_the_hours(
    with_department: dict[str, Any], write_rules: Callable[[dict[str, Any]], Path]
) -> None:
    policy = _load(write_rules(with_department), ZULASSUNG)
    assert _route(policy, "2026-03-12T17:45") == "sip:412@kv-cz.pbx.local"  # Thursday, unit open
    assert _route(policy, "2026-03-12T10:00") == "sip:cz@pbx.local"  # Thursday morning, unit closed
    assert policy.units == {"cz-zulassung": ZULASSUNG}


def test_an_edited_unit_changes_the_route(
    with_department: dict[str, Any], write_rules: Callable[[dict[str, Any]], Path]
) -> None:
    path = write_rules(with_department)
    moved = UnitFacts("cz-zulassung", "07135", "300", WeeklyHours(thu=["08:00-12:00"]))
    policy = _load(path, moved)
    assert _route(policy, "2026-03-12T10:00") == "sip:300@kv-cz.pbx.local"
    assert _route(policy, "2026-03-12T17:45") == "sip:cz@pbx.local"


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ((), "Ziel zulassung: Stelle ‚cz-zulassung‘ gibt es im Leistungsverzeichnis nicht"),
        (
            (UnitFacts("cz-zulassung", "07135", None, ZULASSUNG.hours),),
            "Ziel zulassung: Stelle cz-zulassung hat keine Durchwahl",
        ),
        (
            (UnitFacts("cz-zulassung", "07135", "Zimmer 3", ZULASSUNG.hours),),
            "Ziel zulassung: Stelle cz-zulassung: Durchwahl ‚Zimmer 3‘ ist keine wählbare Nummer",
        ),
        (
            (UnitFacts("cz-zulassung", "07233", "300", ZULASSUNG.hours),),
            "Ziel zulassung: Stelle cz-zulassung: Kreis 07233 hat in der Regeldatei keine extension_uri",
        ),
        (
            (UnitFacts("cz-zulassung", "07135", "300", None),),
            "Fachstelle kfz/07135: Stelle cz-zulassung hat keine Öffnungszeiten",
        ),
    ],
)
def test_a_missing_or_incomplete_unit_is_a_problem_with_its_line(
    with_department: dict[str, Any],
    write_rules: Callable[[dict[str, Any]], Path],
    units: tuple[UnitFacts, ...],
    message: str,
) -> None:
    path = write_rules(with_department)
    with pytest.raises(RuleFileError) as caught:
        _load(path, *units)
    [problem] = caught.value.problems
    assert problem.message == message
    text = path.read_text(encoding="utf-8").splitlines()
    assert problem.line is not None
    assert "cz-zulassung" in text[problem.line - 1] or "07135" in text[problem.line - 1]


def test_a_department_without_hours_needs_a_unit_target(
    with_department: dict[str, Any], write_rules: Callable[[dict[str, Any]], Path]
) -> None:
    with_department["departments"]["kfz"]["07135"]["target"] = "pool-cz"
    with pytest.raises(RuleFileError) as caught:
        _load(write_rules(with_department), ZULASSUNG)
    assert [p.message for p in caught.value.problems] == [
        "Fachstelle kfz/07135: Ziel pool-cz nennt keine Stelle (unit), also braucht die Fachstelle hours"
    ]


def test_a_target_has_either_uri_or_unit(
    with_department: dict[str, Any], write_rules: Callable[[dict[str, Any]], Path]
) -> None:
    with_department["targets"]["zulassung"]["uri"] = "sip:1@pbx.local"
    with pytest.raises(RuleFileError, match="entweder uri oder unit"):
        _load(write_rules(with_department), ZULASSUNG)
