"""Called numbers -> lines: 115 and the switchboards of member counties only."""

from __future__ import annotations

import pytest

from routing.errors import InvalidCall, UnknownLine
from routing.lines import Line, line_table
from routing.policy import Policy


@pytest.mark.parametrize(
    ("called", "line"),
    [
        ("115", Line("115", None)),
        ("+49 6571 14-0", Line("switchboard", "07231")),
        ("06561150", Line("switchboard", "07232")),
        ("+49 2671 61-0", Line("switchboard", "07135")),
        ("06592 933-0", Line("switchboard", "07233")),
    ],
)
def test_lines_of_the_default_policy(policy: Policy, called: str, line: Line) -> None:
    assert policy.lines.identify(called) == line


def test_switchboard_of_a_county_that_is_no_member_is_no_line(policy: Policy) -> None:
    rules = policy.rule_file.model_copy(update={"members": ["07232", "07135", "07233"]})
    table = line_table(rules)
    with pytest.raises(UnknownLine):
        table.identify("+49 6571 14-0")
    assert table.identify("115") == Line("115", None)


def test_unknown_and_invalid_numbers_raise_different_errors(policy: Policy) -> None:
    with pytest.raises(UnknownLine):
        policy.lines.identify("+49 30 1234567")
    with pytest.raises(InvalidCall):
        policy.lines.identify("hello")


@pytest.mark.parametrize("called", ["+49 2671 61-0", "02671610", "115"])
def test_a_notation_seen_before_is_identified_the_same_way(policy: Policy, called: str) -> None:
    table = line_table(policy.rule_file)
    assert table.identify(called) == table.identify(called) == policy.lines.identify(called)


def test_numbers_that_are_no_line_keep_raising_after_lines_were_identified(policy: Policy) -> None:
    table = line_table(policy.rule_file)
    for _ in range(2):
        assert table.identify("+49 2671 61-0") == Line("switchboard", "07135")
        with pytest.raises(UnknownLine):
            table.identify("+49 2671 61-1")
        with pytest.raises(InvalidCall):
            table.identify("hello")
