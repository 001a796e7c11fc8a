"""The project's own YAML files (the demo catalogue and people, synonyms, place words), read with libyaml's
C parser where PyYAML has it: the demo catalogue is 1.5 MB of YAML, which the pure-Python parser took a
second to read and the C parser reads seven times faster, with the same result (the safe constructor
builds the values either way). Rule files, which come from users, go through `routing.rulefile`'s own
bounded loader instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["read_yaml"]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """The data of the UTF-8 YAML file at `path` (None for an empty file), unchecked: each caller
    validates what it reads."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
