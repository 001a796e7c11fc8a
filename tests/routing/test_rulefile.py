"""Reading rule files: YAML and schema problems come back with the line they are on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from routing.errors import RuleFileError
from routing.rulefile import parse_rule_file, read_rule_file


def problems(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(RuleFileError) as caught:
        parse_rule_file(text, "rules.yaml")
    assert all(problem.file == "rules.yaml" for problem in caught.value.problems)
    return [(problem.line, problem.message) for problem in caught.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def test_minimal_rule_file_parses_and_knows_its_lines(minimal_text: str) -> None:
    rules, source = parse_rule_file(minimal_text, "rules.yaml")
    assert [rule.id for rule in rules.rules] == ["closed", "county", "rest"]
    assert source.line(("rules", 2, "target")) == line_of(minimal_text, "target: pool-all")


def test_wrong_value_deep_in_a_condition_reports_its_line(minimal_text: str) -> None:
    text = minimal_text.replace("{county_known: true}", "{county_known: maybe}")
    [(line, message)] = problems(text)
    assert line == line_of(text, "county_known: maybe")
    assert message == "Regel 2 ‚county‘, when.all[1].county_known: hier gehört true oder false hin"


def test_unknown_key_reports_the_line_of_the_key(minimal_text: str) -> None:
    text = minimal_text.replace("    target: closed\n", "    targt: closed\n")
    found = problems(text)
    line = line_of(text, "targt: closed")
    assert (line, "Regel 1 ‚closed‘, targt: diesen Schlüssel gibt es hier nicht (Tippfehler?)") in found
    assert (line - 2, "Regel 1 ‚closed‘, target: Pflichtangabe fehlt") in found


def test_condition_with_two_kinds_is_refused(minimal_text: str) -> None:
    text = minimal_text.replace("when: {not: {open: service}}", "when: {not: {open: service}, line: '115'}")
    [(line, message)] = problems(text)
    assert line == line_of(text, "line: '115'")
    assert message.startswith(
        "Regel 1 ‚closed‘, when: eine Bedingung braucht genau einen dieser Schlüssel: all, any,"
    )


def test_every_schema_problem_is_reported_at_once(minimal_text: str) -> None:
    text = minimal_text.replace('uri: "sip:cz@pbx.local"', 'uri: "http://cz"')
    text = text.replace("version: 1", "version: 2")
    found = problems(text)
    assert {line for line, _ in found} == {1, line_of(text, "http://cz")}


def test_invalid_switchboard_number_is_refused_with_its_line(minimal_text: str) -> None:
    text = minimal_text.replace("+49 2671 61-0", "not a number")
    [(line, message)] = problems(text)
    assert line == line_of(text, "not a number")
    assert "keine gültige Rufnummer" in message


def test_unquoted_county_key_read_as_octal_is_refused(minimal_text: str) -> None:
    found = problems(minimal_text.replace('members: ["07135"]', "members: [07135]"))
    assert [line for line, _ in found] == [3]


def test_yaml_syntax_error_reports_its_line(minimal_text: str) -> None:
    text = minimal_text.replace("  - id: rest\n", "  - id: [rest\n")
    [(line, message)] = problems(text)
    assert line is not None and line >= line_of(text, "id: [rest")
    assert message.startswith(f"YAML-Fehler in Zeile {line}, Spalte ")


def test_duplicate_keys_are_refused(minimal_text: str) -> None:
    text = minimal_text.replace("center: Test\n", "center: Test\ncenter: Again\n")
    assert (3, "Schlüssel ‚center‘ kommt doppelt vor") in problems(text)
    nested = minimal_text.replace("    pool: pool-cz\n", "    pool: pool-cz\n    pool: pool-all\n")
    assert (
        line_of(nested, "pool: pool-all"),
        "counties.07135: Schlüssel ‚pool‘ kommt doppelt vor",
    ) in problems(nested)


@pytest.mark.parametrize("text", ["", "- a list\n", "just text\n"])
def test_a_rule_file_must_be_a_mapping(text: str) -> None:
    assert problems(text) == [
        (1, "Eine Regeldatei ist eine YAML-Zuordnung (Schlüssel: Wert), z. B. „version: 1“")
    ]


def test_missing_file_is_a_rule_file_error(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="Regeldatei nicht lesbar"):
        read_rule_file(tmp_path / "missing.yaml")


def test_problems_name_the_file_and_line(minimal_text: str, write_rules: Callable[[str], Path]) -> None:
    path = write_rules(minimal_text.replace("version: 1", "version: 3"))
    with pytest.raises(RuleFileError) as caught:
        read_rule_file(path)
    assert str(caught.value) == f"{path}:1: version: erlaubt ist 1"


BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (BILLION_LAUGHS, 5, "die Aliase ergeben mehr als 50.000 Knoten"),
        ("a: &a [*a]", 1, "ein Alias verweist auf einen Knoten, der ihn enthält"),
        ("a: &a {b: {c: *a}}", 1, "ein Alias verweist auf einen Knoten, der ihn enthält"),
        ("- " * 5000, 1, "tiefer als 32 Ebenen verschachtelt"),
        ("[" * 10000, 1, "tiefer als 32 Ebenen verschachtelt"),
        ("{a: " * 10000, 1, "tiefer als 32 Ebenen verschachtelt"),
        ("".join(" " * i + "k:\n" for i in range(100)), 32, "tiefer als 32 Ebenen verschachtelt"),
    ],
)
def test_alias_bombs_and_deep_nesting_are_refused_before_they_expand(
    text: str, line: int, message: str
) -> None:
    """Each was a RecursionError or minutes of CPU and gigabytes of memory."""
    assert problems(text) == [(line, f"Nicht angenommen: {message}")]


def test_a_rule_file_longer_than_the_limit_is_refused(minimal_text: str) -> None:
    text = minimal_text + "#" * 200_000
    assert problems(text) == [(None, "Die Regeldatei ist länger als 200.000 Zeichen")]


def test_aliases_within_the_limits_still_work(minimal_text: str) -> None:
    """A rule file may share a block through an anchor; only runaway expansion is refused."""
    text = minimal_text.replace('    mon: ["08:00-18:00"]', '    mon: &day ["08:00-18:00"]').replace(
        '    tue: ["08:00-18:00"]', "    tue: *day"
    )
    rules, _ = parse_rule_file(text, "rules.yaml")
    assert rules.schedules["service"] == parse_rule_file(minimal_text, "rules.yaml")[0].schedules["service"]
