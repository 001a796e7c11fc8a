"""Every problem an admin is shown for a rule file is German, whatever kind of mistake it is."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from routing.errors import RuleFileError
from routing.origin import AreaDirectory
from routing.policy import load_policy
from routing.rulefile import parse_rule_file
from routing.schema_messages import german_schema_message
from routing.units import UnitFacts

ENGLISH = re.compile(
    r"\b(unknown|required|should|field|input|expected|permitted|valid|must|never|twice|loops|matches|"
    r"problem|missing|exist|overlap|number|falls|earlier)\b",
    re.IGNORECASE,
)
"""Words of the former English messages; YAML keys and values in a message (target, extension, …) are
the file's own."""


def _messages(load: Callable[[], object]) -> list[str]:
    with pytest.raises(RuleFileError) as caught:
        load()
    return [problem.message for problem in caught.value.problems]


def _schema_mistakes(text: str) -> str:
    """Many kinds of pydantic error at once: literal, list, bool, extra, missing, length, bounds, kind."""
    return (
        text.replace("version: 1", "version: 2")
        .replace('members: ["07135"]', 'members: "07135"')
        .replace("center: Test\n", "center: Test\ncenter: Doppelt\n")
        .replace("kind: callback", "kind: rueckruf")
        .replace("{county_known: true}", "{county_known: vielleicht}")
        .replace("{pool: $county-pool}", "{pool: $county-pool, longest_wait_over_s: -1}")
        .replace("    target: closed\n", f"    targt: closed\n    title: {'x' * 121}\n")
        .replace("  - id: rest\n", "  - id: rest\n    when: {not: {open: service}, line: '115'}\n")
        + "extra: 1\n"
    )


def _reference_mistakes(data: dict[str, Any]) -> dict[str, Any]:
    """A schema-valid file with one of each check's findings."""
    data["members"].append("07233")
    data["counties"]["07135"]["pool"] = "callback"
    data["counties"]["07135"]["number_block"] = "+49 2671 61"
    data["lines"]["115"]["hours"] = "office"
    data["lines"]["115"]["numbers"].append("02671 61-0")
    data["targets"]["closed"]["fallback"] = "closed"
    data["targets"]["callback"]["fallback"] = "pool-cz"
    data["targets"]["zulassung"] = {"kind": "extension", "unit": "cz-zulassung", "fallback": "nirgends"}
    data["departments"] = {"kfz": {"07135": {"target": "zulassung"}, "07999": {"target": "fehlt"}}}
    data["rules"][0]["when"] = {"all": [{"open": "office"}, {"county": ["07888"]}]}
    data["rules"][1]["when"]["all"].append({"saturated": {"pool": "closed"}})
    data["rules"][1:1] = [{"id": "closed", "target": "woanders"}, {"id": "spaet", "target": "pool-cz"}]
    return data


def test_schema_mistakes_are_told_in_german(minimal_text: str) -> None:
    found = _messages(lambda: parse_rule_file(_schema_mistakes(minimal_text), "rules.yaml"))
    assert len(found) >= 10, found
    assert [message for message in found if ENGLISH.search(message)] == []
    assert "Regel 2 ‚county‘, when.all[2].not.saturated.longest_wait_over_s: muss mindestens 0 sein" in found
    assert (
        "targets.callback.kind: erlaubt ist 'pool', 'queue', 'extension', 'voicemail', 'announcement' oder "
        in ("\n".join(found))
    )


def test_an_error_type_without_german_words_keeps_pydantics_message() -> None:
    """Nothing is lost: a type not in the table says what pydantic says, a validator's own words stay."""
    assert german_schema_message({"type": "url_parsing", "msg": "Input should be a valid URL"}) == (
        "Input should be a valid URL"
    )
    error = {
        "type": "value_error",
        "msg": "Value error, time ranges overlap",
        "ctx": {"error": ValueError("x")},
    }
    assert german_schema_message(error) == "x"


def test_reference_mistakes_are_told_in_german(
    minimal: dict[str, Any], write_rules: Callable[[dict[str, Any] | str], Path]
) -> None:
    path = write_rules(_reference_mistakes(minimal))
    no_hours = UnitFacts("cz-zulassung", "07135", "Zimmer 3", None)
    found = _messages(lambda: load_policy(path, AreaDirectory.from_places([]), {no_hours.id: no_hours}))
    assert len(found) >= 12, found
    assert [message for message in found if ENGLISH.search(message)] == []


def test_gaps_and_limits_are_told_in_german(
    minimal: dict[str, Any], write_rules: Callable[[dict[str, Any] | str], Path]
) -> None:
    del minimal["rules"][2]
    found = _messages(lambda: load_policy(write_rules(minimal), AreaDirectory.from_places([])))
    found += _messages(lambda: parse_rule_file("a: &a [*a]", "rules.yaml"))
    found += _messages(lambda: parse_rule_file("- " * 5000, "rules.yaml"))
    found += _messages(lambda: parse_rule_file("just text\n", "rules.yaml"))
    assert len(found) == 5, found
    assert [message for message in found if ENGLISH.search(message)] == []
