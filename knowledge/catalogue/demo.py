"""The demonstration Leistungsverzeichnis, authored as YAML under `config/catalogue`.

Four files hold the sections of the exchange document (`counties`, `places`, `units`, `services`). A service
names the topic of the unit that handles it (`handled_by`) instead of listing its responsibilities; the
loader expands that topic into one responsibility per territory and then validates the whole document.

Expansion of `handled_by: T`:

- level `municipality`: for every Verbandsgemeinde and verbandsfreie Gemeinde P (in file order), the unit with
  `place == P` and T in its topics; else the county's unit without a place; else a unit without a county.
- every other level: for every county K (in file order), K's unit without a place; else a unit without a county.

If several units match at the same step, the first in file order wins. A territory without any unit is a
problem; all problems are raised together as a DocumentError.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.catalogue.document import CatalogueDocument, DocumentError
from knowledge.yaml_files import read_yaml

__all__ = ["SECTIONS", "expand_handled_by", "load_demo_document"]

SECTIONS = ("counties", "places", "units", "services")
_ADMIN_KINDS = {"verbandsgemeinde", "verbandsfreie_gemeinde"}


def _read(path: Path, section: str) -> list[dict]:
    """The YAML list of mappings in `path`; an empty file is an empty list."""
    data = read_yaml(path)
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(record, dict) for record in data):
        raise DocumentError([{"loc": [section], "msg": f"{path.name} must be a YAML list of mappings"}])
    return data


def _first(units: list[dict], topic: str, **match: object) -> dict | None:
    """The first unit (file order) with `topic` among its topics whose fields equal `match`."""
    for unit in units:
        if topic in (unit.get("topics") or []) and all(
            unit.get(key) == value for key, value in match.items()
        ):
            return unit
    return None


def _find(units: list[dict], topic: str, county: str, place: str | None) -> dict | None:
    """The unit handling `topic` for a territory: the place's own, else the county's, else one without county."""
    steps: list[dict] = [{"place": place}] if place else []
    steps += [{"county": county, "place": None}, {"county": None}]
    for match in steps:
        unit = _first(units, topic, **match)
        if unit is not None:
            return unit
    return None


def expand_handled_by(data: dict) -> dict:
    """Return `data` with every service's `handled_by` replaced by responsibilities (see module docstring)."""
    units = data.get("units") or []
    by_county = [(county.get("key"), None) for county in data.get("counties") or []]
    by_place = [
        (place.get("county"), place.get("id"))
        for place in data.get("places") or []
        if place.get("kind") in _ADMIN_KINDS
    ]
    problems: list[dict] = []
    services: list[dict] = []
    for i, record in enumerate(data.get("services") or []):
        service = dict(record)
        topic = service.pop("handled_by", None)
        if topic is not None and service.get("responsibilities"):
            problems.append({"loc": ["services", i], "msg": "give either handled_by or responsibilities"})
        elif topic is not None:
            territories = by_place if service.get("level") == "municipality" else by_county
            responsibilities = []
            for county, place in territories:
                unit = _find(units, topic, county, place)
                if unit is None:
                    where = f"place {place!r}" if place else f"county {county!r}"
                    problems.append(
                        {
                            "loc": ["services", i, "handled_by"],
                            "msg": f"no unit with topic {topic!r} for {where}",
                        }
                    )
                else:
                    responsibilities.append({"unit": unit.get("id"), "county": county, "place": place})
            service["responsibilities"] = responsibilities
        services.append(service)
    if problems:
        raise DocumentError(problems)
    return {**data, "services": services}


def load_demo_document(directory: Path) -> CatalogueDocument:
    """Read the four YAML files in `directory`, expand `handled_by` and validate the catalogue document."""
    data = {section: _read(directory / f"{section}.yaml", section) for section in SECTIONS}
    return CatalogueDocument.parse(expand_handled_by(data))
