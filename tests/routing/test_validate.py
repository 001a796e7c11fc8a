"""Rule-set checks: unknown references, shadowed rules, gaps in the week, fallback loops."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from routing.errors import RuleFileError, RuleProblem
from routing.origin import AreaDirectory
from routing.policy import Policy, load_policy
from routing.rulefile import RuleFile, read_rule_file
from routing.validate import check

Write = Callable[[dict[str, Any] | str], Path]


def problems_of(data: dict[str, Any] | str, write_rules: Write) -> list[RuleProblem]:
    path = write_rules(data)
    with pytest.raises(RuleFileError) as caught:
        load_policy(path, AreaDirectory.from_places([]))
    assert caught.value.problems
    return caught.value.problems


def messages(problems: list[RuleProblem]) -> list[str]:
    return [problem.message for problem in problems]


def test_default_emh_policy_has_no_problems(policy: Policy) -> None:
    assert check(policy.rule_file, policy.source) == []


def test_minimal_rule_file_has_no_problems(minimal: dict[str, Any]) -> None:
    assert check(RuleFile.model_validate(minimal)) == []


def test_unknown_rule_target_is_reported_with_its_line(minimal_text: str, write_rules: Write) -> None:
    text = minimal_text.replace("target: pool-all\n", "target: pool-everyone\n")
    [problem] = problems_of(text, write_rules)
    assert problem.message == "Regel 3 ‚rest‘: Ziel ‚pool-everyone‘ steht nicht unter targets"
    assert problem.line == text.splitlines().index("    target: pool-everyone") + 1


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("targets", "pool-cz", "fallback"),
            "nowhere",
            "Ziel pool-cz: Ausweichziel ‚nowhere‘ steht nicht unter targets",
        ),
        (
            ("rules", 0, "when", "not", "open"),
            "office",
            "Regel 1 ‚closed‘: Zeitplan ‚office‘ steht nicht unter schedules",
        ),
        (
            ("rules", 1, "when", "all", 1, "not", "saturated", "pool"),
            "closed",
            "Regel 2 ‚county‘: ‚closed‘ ist kein Pool unter targets",
        ),
        (("counties", "07135", "pool"), "callback", "Kreis 07135: ‚callback‘ ist kein Pool unter targets"),
        (
            ("lines", "115", "hours"),
            "office",
            "Behördennummer 115: Zeitplan ‚office‘ steht nicht unter schedules",
        ),
        (("members",), ["07135", "07233"], "members: Kreis 07233 steht nicht unter counties"),
        (
            ("rules", 2, "when"),
            {"county": ["07233"]},
            "Regel 3 ‚rest‘: Kreis 07233 steht nicht unter counties",
        ),
        (("rules", 2, "target"), "$somewhere", "Regel 3 ‚rest‘: Ziel ‚$somewhere‘ steht nicht unter targets"),
        (("rules", 1, "id"), "closed", "Regel 2 ‚closed‘: die id ‚closed‘ hat schon Regel 1 ‚closed‘"),
        (
            ("lines", "115", "numbers"),
            ["115", "02671 61-0"],
            "Die Nummer ‚+49 2671 61-0‘ steht doppelt da: für die Behördennummer 115 und für die Telefonzentrale von "
            "Kreis 07135",
        ),
        (
            ("departments",),
            {"kfz": {"07135": {"target": "kfz-cz", "hours": "service"}}},
            "Fachstelle kfz/07135: Ziel ‚kfz-cz‘ steht nicht unter targets",
        ),
    ],
)
def test_unknown_references_are_reported(
    minimal: dict[str, Any], write_rules: Write, path: tuple[str | int, ...], value: Any, message: str
) -> None:
    *parents, last = path
    node: Any = minimal
    for part in parents:
        node = node[part]
    node[last] = value
    assert messages(problems_of(minimal, write_rules)) == [message]


@pytest.mark.parametrize(
    ("earlier", "later", "why"),
    [
        (None, {"line": "115"}, "hat keine Bedingung"),
        ({"line": "115"}, {"line": "115"}, "verlangt nicht mehr als sie"),
        ({"line": "115"}, {"all": [{"county_known": False}, {"line": "115"}]}, "verlangt nicht mehr als sie"),
        (
            {"all": [{"line": "115"}]},
            {"all": [{"line": "115"}, {"topic": ["kfz"]}]},
            "verlangt nicht mehr als sie",
        ),
    ],
)
def test_a_rule_after_a_more_general_one_is_shadowed(
    minimal: dict[str, Any],
    write_rules: Write,
    earlier: dict[str, Any] | None,
    later: dict[str, Any],
    why: str,
) -> None:
    first = {"id": "first", "target": "pool-all"} | ({"when": earlier} if earlier else {})
    minimal["rules"][1:1] = [first, {"id": "second", "when": later, "target": "pool-cz"}]
    found = problems_of(minimal, write_rules)
    assert f"Regel 3 ‚second‘ wird nie erreicht: Regel 2 ‚first‘ {why} und greift vorher" in messages(found)


def test_a_rule_with_a_symbolic_target_does_not_shadow_a_later_rule(minimal: dict[str, Any]) -> None:
    minimal["rules"].insert(2, {"id": "also-county", "when": {"county_known": True}, "target": "pool-cz"})
    assert check(RuleFile.model_validate(minimal)) == []


def test_narrower_rules_after_broader_conditions_are_not_shadowed(minimal: dict[str, Any]) -> None:
    minimal["rules"][1:1] = [
        {"id": "a", "when": {"all": [{"line": "115"}, {"topic": ["kfz"]}]}, "target": "pool-all"},
        {"id": "b", "when": {"line": "115"}, "target": "pool-cz"},
    ]
    assert check(RuleFile.model_validate(minimal)) == []


def test_no_rule_for_unknown_counties_during_service_hours_is_a_gap(
    minimal: dict[str, Any], write_rules: Write
) -> None:
    del minimal["rules"][2]
    found = messages(problems_of(minimal, write_rules))
    assert len(found) == 2  # one per line, each listing the cases it was found in
    assert found[0].startswith(
        "Keine Regel greift für Anrufe über die Behördennummer 115 am Mo 08:00–18:00; Di 08:00–18:00; Mi"
    )
    assert "Sa" not in found[0]
    cases = "(Cochem-Zell, ohne Thema, Pools ausgelastet; Kreis unbekannt, ohne Thema, Poolstand unbekannt;"
    assert cases in found[0]


def test_a_rule_set_without_closed_hours_for_the_switchboard_has_a_gap_at_night(
    minimal: dict[str, Any], write_rules: Write
) -> None:
    minimal["rules"][0]["when"] = {"all": [{"line": "115"}, {"not": {"open": "service"}}]}
    minimal["rules"][1]["when"] = {"open": "service"}
    minimal["rules"][2]["when"] = {"line": "115"}
    [problem] = problems_of(minimal, write_rules)
    assert problem.message == (
        "Keine Regel greift für Anrufe über eine Telefonzentrale am Mo 00:00–08:00, 18:00–24:00; "
        "Di 00:00–08:00, 18:00–24:00; Mi 00:00–08:00, 18:00–24:00; "
        "Do 00:00–08:00, 18:00–24:00; Fr 00:00–08:00, 18:00–24:00; "
        "Sa 00:00–24:00; So 00:00–24:00; Feiertag 00:00–24:00 "
        "(Cochem-Zell, ohne Thema, Poolstand unbekannt; Cochem-Zell, ohne Thema, Pools ausgelastet)"
    )
    assert problem.file is not None
    assert problem.line == Path(problem.file).read_text(encoding="utf-8").splitlines().index("rules:") + 1


def test_saturated_pools_without_a_last_resort_are_a_gap(minimal: dict[str, Any], write_rules: Write) -> None:
    minimal["rules"][2]["when"] = {"not": {"saturated": {"pool": "pool-all"}}}
    found = messages(problems_of(minimal, write_rules))
    assert len(found) == 2
    assert all("Pools ausgelastet" in message and "Poolstand unbekannt" not in message for message in found)


def test_a_target_falling_back_to_itself_is_reported(minimal: dict[str, Any], write_rules: Write) -> None:
    minimal["targets"]["closed"]["fallback"] = "closed"
    assert messages(problems_of(minimal, write_rules)) == ["Ziel closed fällt auf sich selbst zurück"]


def test_a_fallback_loop_is_reported_once(minimal: dict[str, Any], write_rules: Write) -> None:
    minimal["targets"]["callback"]["fallback"] = "pool-cz"
    assert messages(problems_of(minimal, write_rules)) == [
        "Die Ausweichziele drehen sich im Kreis: callback → pool-cz → pool-all → callback"
    ]


def test_check_reads_lines_from_a_loaded_rule_file(minimal_text: str, write_rules: Write) -> None:
    text = minimal_text.replace("fallback: callback}", "fallback: pool-all}")
    rules, source = read_rule_file(write_rules(text))
    [problem] = check(rules, source)
    assert (problem.file, problem.line) == (
        source.file,
        text.splitlines().index('  pool-all: {kind: pool, uri: "sip:all@pbx.local", fallback: pool-all}') + 1,
    )


def _second_county(minimal: dict[str, Any], **fields: Any) -> None:
    minimal["members"].append("07233")
    minimal["counties"]["07233"] = {
        "name": "Vulkaneifel",
        "greeting": "Guten Tag",
        "pool": "pool-all",
        **fields,
    }


@pytest.mark.parametrize(
    ("cochem", "daun", "message"),
    [
        (
            {"number_block": "+49 2671 61"},
            {"number_block": "02671 6"},
            "Die Nummernblöcke von Kreis 07233 (+4926716…) und Kreis 07135 (+49267161…) überschneiden sich",
        ),
        (
            {"number_block": "+49 2671 61"},
            {"number_block": "+49 2671 61"},
            "Die Nummernblöcke von Kreis 07135 (+49267161…) und Kreis 07233 (+49267161…) überschneiden sich",
        ),
        (
            {"number_block": "+49 2671 61"},
            {"switchboard": ["+49 2671 61-500"]},
            "Die Nummer +49267161500 (die Telefonzentrale von Kreis 07233) liegt im Nummernblock von Kreis 07135",
        ),
    ],
)
def test_number_blocks_may_not_overlap_nor_take_in_another_line(
    minimal: dict[str, Any], write_rules: Write, cochem: dict, daun: dict, message: str
) -> None:
    minimal["counties"]["07135"].update(cochem)
    _second_county(minimal, **daun)
    found = messages(problems_of(minimal, write_rules))
    assert message in found
    assert all("Nummernbl" in m for m in found), found


def test_a_number_block_must_be_the_start_of_a_phone_number(
    minimal: dict[str, Any], write_rules: Write
) -> None:
    minimal["counties"]["07135"]["number_block"] = "Zentrale"
    assert len(problems_of(minimal, write_rules)) == 1
    assert "counties.07135.number_block" in messages(problems_of(minimal, write_rules))[0]


def test_separate_number_blocks_are_fine(minimal: dict[str, Any], write_rules: Write) -> None:
    minimal["counties"]["07135"]["number_block"] = "+49 2671 61"
    _second_county(minimal, number_block="+49 6592 933", switchboard=["+49 6592 933-0"])
    path = write_rules(minimal)
    policy = load_policy(path, AreaDirectory.from_places([]))
    assert dict(policy.lines.blocks) == {"07135": "+49267161", "07233": "+496592933"}
