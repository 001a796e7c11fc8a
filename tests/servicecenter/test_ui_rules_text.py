"""The routing policy in German: every condition kind has a clause, negations read naturally."""

from pathlib import Path

import pytest
from pydantic import TypeAdapter

from routing.conditions import CONDITION_KINDS, Condition
from routing.origin import AreaDirectory
from routing.policy import load_policy
from servicecenter.policy_service import demo_units
from servicecenter.ui.rules_text import closing_days_text, describe_condition, describe_policy, schedule_texts

EMH_RULES = Path(__file__).resolve().parents[2] / "config" / "routing" / "emh.yaml"
POLICY = load_policy(EMH_RULES, AreaDirectory.from_places([]), demo_units(EMH_RULES.parents[1] / "catalogue"))
CONDITION = TypeAdapter(Condition)

EXAMPLES = {
    "all": (
        {"all": [{"line": "115"}, {"county_known": True}]},
        "Anruf kommt über die 115 und Kreis des Anrufs ist bekannt",
    ),
    "any": (
        {"any": [{"county": ["07135"]}, {"county": ["07233"]}]},
        "Kreis des Anrufs ist Cochem-Zell oder Kreis des Anrufs ist Vulkaneifel",
    ),
    "not": (
        {"not": {"open": "service"}},
        "außerhalb der Zeiten Mo–Fr 08:00–18:00 oder an einem Feiertag oder Schließtag",
    ),
    "line": ({"line": "switchboard"}, "Anruf kommt über eine Kreis-Telefonzentrale"),
    "called_county": ({"called_county": ["07232"]}, "angerufene Zentrale ist Eifelkreis Bitburg-Prüm"),
    "county": ({"county": ["07231"]}, "Kreis des Anrufs ist Bernkastel-Wittlich"),
    "county_known": ({"county_known": False}, "Kreis des Anrufs ist unbekannt"),
    "caller_area": ({"caller_area": ["06542"]}, "Vorwahl des Anrufers ist 06542"),
    "caller_county": ({"caller_county": ["07135"]}, "Anrufer kommt aus Cochem-Zell"),
    "open": (
        {"open": "service"},
        "innerhalb der Zeiten Mo–Fr 08:00–18:00 und nicht an einem Feiertag oder Schließtag",
    ),
    "topic": ({"topic": ["kfz-zulassung"]}, "gewähltes Thema ist kfz-zulassung"),
    "department_open": ({"department_open": True}, "Fachstelle zum gewählten Thema im Kreis ist geöffnet"),
    "saturated": (
        {"saturated": {"pool": "emh-all", "longest_wait_over_s": 45}},
        "der Pool „EMH alle Kreise“ ist ausgelastet (ausgelastet: kein Agent frei und längste Wartezeit über 45 s)",
    ),
}


def test_every_condition_kind_has_an_example() -> None:
    assert set(EXAMPLES) == set(CONDITION_KINDS)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_condition_reads_as_german(kind: str) -> None:
    data, german = EXAMPLES[kind]
    assert describe_condition(POLICY, CONDITION.validate_python(data)) == german


def test_negated_groups_follow_de_morgan() -> None:
    condition = CONDITION.validate_python({"not": {"all": [{"line": "115"}, {"county_known": True}]}})
    assert describe_condition(POLICY, condition) == (
        "Anruf kommt nicht über die 115 oder Kreis des Anrufs ist unbekannt"
    )


def test_emh_rules_in_order_with_targets_and_fallbacks() -> None:
    rules = describe_policy(POLICY)
    assert [r.id for r in rules] == [r.id for r in POLICY.rule_file.rules]
    closed = next(r for r in rules if r.id == "115-closed")
    assert closed.conditions == [
        "Anruf kommt über die 115",
        "außerhalb der Zeiten Mo–Fr 08:00–18:00 oder an einem Feiertag oder Schließtag",
    ]
    assert closed.label == "Regel 2 „115 außerhalb der Servicezeit“"
    assert closed.target == "Ansage Servicezeiten 115 mit Rückrufangebot (Ansage)"
    assert closed.fallbacks == ["Rückrufwunsch aufnehmen"]
    by_area = next(r for r in rules if r.id == "115-by-caller-area")
    assert by_area.target == "Agentenpool des Kreises"
    assert by_area.fallbacks == ["EMH alle Kreise", "Rückrufwunsch aufnehmen"]
    assert rules[-1].conditions == []


def test_every_emh_rule_has_a_german_title() -> None:
    assert all(rule.title for rule in POLICY.rule_file.rules)


def test_schedules_are_named_by_what_uses_them_and_dates_read_as_people_write_them() -> None:
    texts = dict(schedule_texts(POLICY))
    assert texts["Behördennummer 115, Telefonzentralen"] == "Mo–Fr 08:00–18:00"
    assert texts["Fachstelle Kfz-Zulassung Cochem-Zell"].startswith(
        "Mo, Mi, Fr 07:30–12:30; Di 07:30–12:30, 13:30–16:00"
    )
    assert closing_days_text(POLICY) == "24.12., 31.12."
