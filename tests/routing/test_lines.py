"""Called numbers -> lines: 115 and the switchboards of member counties only, with their number blocks."""

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
            table.identify("+49 2671 62-1")
        with pytest.raises(InvalidCall):
            table.identify("hello")


@pytest.mark.parametrize(
    ("called", "line"),
    [
        ("+49 6561 15-50", Line("switchboard", "07232", "50")),
        ("06561 1550", Line("switchboard", "07232", "50")),
        ("+4965611550", Line("switchboard", "07232", "50")),
        ("0049 6561 15-410", Line("switchboard", "07232", "410")),
        ("+49 2671 61-300", Line("switchboard", "07135", "300")),
        ("06592 933-551", Line("switchboard", "07233", "551")),
        ("+49 6571 14-1", Line("switchboard", "07231", "1")),
    ],
)
def test_a_number_in_a_county_block_is_its_switchboard_with_the_extension(
    policy: Policy, called: str, line: Line
) -> None:
    assert policy.lines.identify(called) == line


@pytest.mark.parametrize("called", ["+49 6561 15-0", "06561 15-0", "06561150", "+496561150", "0049 6561 150"])
def test_a_main_number_stays_the_switchboard_itself_in_every_notation(policy: Policy, called: str) -> None:
    assert policy.lines.identify(called) == Line("switchboard", "07232")


def test_numbers_next_to_a_block_are_no_line(policy: Policy) -> None:
    for called in ("+49 6561 16-50", "+49 6561 6001-0", "+49 2671 608-110", "+49 6592 939-110"):
        with pytest.raises(UnknownLine):
            policy.lines.identify(called)


def test_the_number_of_an_extension_is_its_block_and_the_digits(policy: Policy) -> None:
    assert policy.lines.number_of("07232", "50") == "+4965611550"
    rules = policy.rule_file
    without = rules.model_copy(
        update={
            "counties": {
                **rules.counties,
                "07232": rules.counties["07232"].model_copy(update={"number_block": None}),
            }
        }
    )
    assert line_table(without).number_of("07232", "50") is None


def test_blocks_of_non_member_counties_and_without_a_switchboard_line_are_no_lines(policy: Policy) -> None:
    rules = policy.rule_file
    not_member = line_table(rules.model_copy(update={"members": ["07135", "07233", "07231"]}))
    with pytest.raises(UnknownLine):
        not_member.identify("+49 6561 15-50")
    no_switchboard = line_table(rules.model_copy(update={"lines": {"115": rules.lines["115"]}}))
    assert no_switchboard.blocks == {}
