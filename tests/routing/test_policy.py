"""Loading a policy: all or nothing, compiled once, immutable."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from routing.errors import RuleFileError
from routing.origin import AreaDirectory
from routing.policy import Policy, build_policy, load_policy
from routing.rulefile import RuleFile


def test_default_policy_has_the_four_member_counties(policy: Policy) -> None:
    assert policy.members == {"07231", "07232", "07135", "07233"}
    greeting = policy.rule_file.lines["115"].greeting
    assert greeting == "Behördennummer 115, Servicecenter Eifel-Mosel-Hunsrück, guten Tag"


def test_fallback_chains_are_compiled_in_order(policy: Policy) -> None:
    chain = [target.id for target in policy.chains["emh-vulkaneifel"]]
    assert chain == ["emh-vulkaneifel", "emh-all", "callback"]
    assert [target.kind for target in policy.chains["closed-115"]] == ["announcement", "callback"]


def test_pools_are_listed_with_their_county(policy: Policy) -> None:
    pools = {pool.id: pool.county for pool in policy.pools()}
    assert pools == {
        "emh-bernkastel-wittlich": "07231",
        "emh-bitburg-pruem": "07232",
        "emh-cochem-zell": "07135",
        "emh-vulkaneifel": "07233",
        "emh-all": None,
    }


def test_policy_cannot_be_changed(policy: Policy) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.members = frozenset()  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.chains["emh-all"] = ()  # type: ignore[index]


def test_a_bad_file_raises_with_every_problem_and_yields_no_policy(
    minimal: dict[str, Any], write_rules: Callable[[dict[str, Any]], Path]
) -> None:
    minimal["rules"][2]["target"] = "nowhere"
    minimal["targets"]["pool-cz"]["fallback"] = "nobody"
    with pytest.raises(RuleFileError) as caught:
        load_policy(write_rules(minimal), AreaDirectory.from_places([]))
    assert len(caught.value.problems) == 2


def test_build_policy_from_a_parsed_rule_file(minimal: dict[str, Any]) -> None:
    policy = build_policy(RuleFile.model_validate(minimal), AreaDirectory.from_places([]))
    assert policy.source.file is None
    assert policy.lines.identify("+49 2671 61-0").county == "07135"
