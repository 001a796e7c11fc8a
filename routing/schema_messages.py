"""Pydantic's findings in a rule file, said in German and placed the way an admin sees the YAML.

The admin page and `servicecenter check-rules` show every schema problem of a rule file; pydantic words
them in English. Each error is translated by its stable `type` (pydantic-core's error codes, with the
numbers from its `ctx`), not by its English wording, which changes between pydantic versions; a type not
in the table keeps pydantic's own message, so nothing is lost. A rule is named as the trace names it
("Regel 2 „Titel“", without a title by its id: "Regel 2 ‚county‘"), any other place by its YAML keys,
list items counted from 1. (pydantic-i18n was not taken: it keys translations by pydantic's English
wording and ships no German.)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from routing.wording import rule_in_file

__all__ = ["german_schema_message", "yaml_keys", "yaml_place"]

Loc = tuple[str | int, ...]


def _expected(ctx: Mapping[str, Any]) -> str:
    """pydantic's list of allowed values ("'a', 'b' or 'c'") with a German 'oder'."""
    return str(ctx.get("expected", "")).replace(" or ", " oder ")


def _bound(ctx: Mapping[str, Any], key: str) -> str:
    """A limit from the schema as German writes numbers: 0 rather than 0.0, 1,5 rather than 1.5."""
    value = ctx.get(key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


_TEXTS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: "Pflichtangabe fehlt",
    "extra_forbidden": lambda ctx: "diesen Schlüssel gibt es hier nicht (Tippfehler?)",
    "string_type": lambda ctx: "hier gehört ein Text hin",
    "string_too_short": lambda ctx: f"mindestens {ctx.get('min_length')} Zeichen",
    "string_too_long": lambda ctx: f"höchstens {ctx.get('max_length')} Zeichen",
    "string_pattern_mismatch": lambda ctx: f"passt nicht zum Muster {ctx.get('pattern')}",
    "int_type": lambda ctx: "hier gehört eine ganze Zahl hin",
    "int_parsing": lambda ctx: "hier gehört eine ganze Zahl hin",
    "int_from_float": lambda ctx: "hier gehört eine ganze Zahl hin",
    "float_type": lambda ctx: "hier gehört eine Zahl hin",
    "float_parsing": lambda ctx: "hier gehört eine Zahl hin",
    "bool_type": lambda ctx: "hier gehört true oder false hin",
    "bool_parsing": lambda ctx: "hier gehört true oder false hin",
    "list_type": lambda ctx: "hier gehört eine Liste hin, z. B. [a, b]",
    "dict_type": lambda ctx: "hier gehört eine Zuordnung (Schlüssel: Wert) hin",
    "model_type": lambda ctx: "hier gehört eine Zuordnung (Schlüssel: Wert) hin",
    "model_attributes_type": lambda ctx: "hier gehört eine Zuordnung (Schlüssel: Wert) hin",
    "literal_error": lambda ctx: f"erlaubt ist {_expected(ctx)}",
    "enum": lambda ctx: f"erlaubt ist {_expected(ctx)}",
    "too_short": lambda ctx: f"mindestens {ctx.get('min_length')} Einträge",
    "too_long": lambda ctx: f"höchstens {ctx.get('max_length')} Einträge",
    "greater_than": lambda ctx: f"muss größer als {_bound(ctx, 'gt')} sein",
    "greater_than_equal": lambda ctx: f"muss mindestens {_bound(ctx, 'ge')} sein",
    "less_than": lambda ctx: f"muss kleiner als {_bound(ctx, 'lt')} sein",
    "less_than_equal": lambda ctx: f"darf höchstens {_bound(ctx, 'le')} sein",
}


def german_schema_message(error: Mapping[str, Any]) -> str:
    """What is wrong, without the place: German for the error types in the table, else pydantic's words
    (a validator's own message without pydantic's 'Value error, ' in front)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in _TEXTS:
        return _TEXTS[kind](ctx)
    if kind == "condition_kind":  # routing.conditions: the keys it lists are the YAML's own
        keys = str(error["msg"]).rpartition(": ")[2]
        return f"eine Bedingung braucht genau einen dieser Schlüssel: {keys}"
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    return str(error["msg"])


def _node_path(loc: Loc, nodes: Collection[Loc]) -> Loc:
    """`loc` without pydantic's union tags: the parts that are YAML nodes, and a last key that is missing."""
    path: Loc = ()
    for index, part in enumerate(loc):
        for candidate in (part, str(part)):
            if (*path, candidate) in nodes:
                path = (*path, candidate)
                break
        else:
            last = index == len(loc) - 1
            if last and (not path or path[-1] != part):
                path = (*path, part)
    return path


def yaml_keys(path: Loc) -> str:
    """YAML keys as a path, list items counted from 1: 'when.all[1].county_known'."""
    return ".".join(f"[{part + 1}]" if isinstance(part, int) else str(part) for part in path).replace(
        ".[", "["
    )


def yaml_place(loc: Loc, nodes: Collection[Loc], data: object) -> str:
    """Where an error is, as the admin finds it: 'Regel 2 „Titel“, when.all[1].county_known' or
    'counties.07135.pool'; '' for the document itself."""
    path = _node_path(loc, nodes)
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rules = data.get("rules") if isinstance(data, dict) else None
        rule = rules[path[1]] if isinstance(rules, list) and path[1] < len(rules) else None
        title, rule_id = (rule.get("title"), rule.get("id")) if isinstance(rule, dict) else (None, None)
        label = rule_in_file(path[1] + 1, title if isinstance(title, str) else None, rule_id)
        return f"{label}, {yaml_keys(path[2:])}" if path[2:] else label
    return yaml_keys(path)
