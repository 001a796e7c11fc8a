"""The member counties are named by their five-digit Kreisschlüssel everywhere: one type for that key.

The catalogue's County table, the routing rule file and every API parameter validate a county key with
this same type, so "07135" is written one way in every layer.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

__all__ = ["COUNTY_KEY_PATTERN", "CountyKey", "short_name"]

COUNTY_KEY_PATTERN = r"^\d{5}$"
CountyKey = Annotated[str, StringConstraints(pattern=COUNTY_KEY_PATTERN)]


def short_name(name: str) -> str:
    """The name people say: "Landkreis Cochem-Zell" -> "Cochem-Zell"; the Eifelkreis keeps its name."""
    return name.removeprefix("Landkreis ")
