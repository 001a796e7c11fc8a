"""The catalogue exchange document: top-level `counties`, `places`, `units`, `services`.

The same shape is written by `servicecenter export` and `GET /api/v1/export` and read by import and by
the demo catalogue loader. Cross references are checked here, before anything touches the database, and
contact data is stored as knowledge/catalogue/contact.py keeps it (phone numbers normalised, web
addresses http or https).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.catalogue.contact import phone_number, web_address
from knowledge.catalogue.models import (
    CountyBase,
    PlaceBase,
    PlaceKind,
    ResponsibilityBase,
    ServiceBase,
    UnitBase,
)

__all__ = ["CatalogueDocument", "DocumentError", "ResponsibilityRecord", "ServiceRecord"]


def _optional(check: Callable[[str], str]) -> Callable[[str | None], str | None]:
    """A field validator that applies `check` to a value that is not None."""
    return lambda value: None if value is None else check(value)


def _check_extension(value: str | None) -> str | None:
    if value is not None and not (value.isascii() and value.isdigit() and len(value) <= 6):
        raise ValueError("an extension is at most six digits")
    return value


class DocumentError(ValueError):
    """The document is well-formed JSON but not a consistent catalogue."""

    def __init__(self, problems: list[dict]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the catalogue document")
        self.problems = problems


class UnitRecord(UnitBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types it as its own dict
    _valid_phone = field_validator("phone")(_optional(phone_number))
    _valid_extension = field_validator("extension")(_check_extension)
    _valid_website = field_validator("website")(_optional(web_address))


class ResponsibilityRecord(ResponsibilityBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types it as its own dict


class ServiceRecord(ServiceBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types it as its own dict
    _valid_online_service = field_validator("online_service")(_optional(web_address))

    responsibilities: list[ResponsibilityRecord] = Field(default_factory=list)


class CountyRecord(CountyBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types it as its own dict
    _valid_switchboard = field_validator("switchboard")(phone_number)
    _valid_website = field_validator("website")(_optional(web_address))


class PlaceRecord(PlaceBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types it as its own dict


class CatalogueDocument(BaseModel):
    """The whole Leistungsverzeichnis as one JSON document."""

    model_config = ConfigDict(extra="forbid")

    counties: list[CountyRecord] = Field(default_factory=list)
    places: list[PlaceRecord] = Field(default_factory=list)
    units: list[UnitRecord] = Field(default_factory=list)
    services: list[ServiceRecord] = Field(default_factory=list)

    @classmethod
    def parse(cls, data: object) -> CatalogueDocument:
        """Validate `data` completely, raising DocumentError with every problem found."""
        try:
            document = cls.model_validate(data)
        except ValidationError as error:
            raise DocumentError(
                [{"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors(include_url=False)]
            ) from None
        problems = document.reference_problems()
        if problems:
            raise DocumentError(problems)
        return document

    def reference_problems(self) -> list[dict]:
        """Duplicate ids, references to counties, places or units the document does not define, and
        responsibilities whose unit belongs to another county."""
        problems: list[dict] = []
        for section, key in (("counties", "key"), ("places", "id"), ("units", "id"), ("services", "id")):
            counts = Counter(getattr(record, key) for record in getattr(self, section))
            problems += [
                {"loc": [section], "msg": f"duplicate {key} {k!r}"} for k, n in counts.items() if n > 1
            ]

        counties = {c.key for c in self.counties}
        places = {p.id: p for p in self.places}
        units = {u.id: u for u in self.units}

        def missing(loc: list, kind: str, value: str | None, known: set | dict) -> None:
            if value is not None and value not in known:
                problems.append({"loc": loc, "msg": f"unknown {kind} {value!r}"})

        for i, place in enumerate(self.places):
            missing(["places", i, "county"], "county", place.county, counties)
            missing(["places", i, "parent"], "place", place.parent, places)
            if place.kind is PlaceKind.ortsgemeinde and place.parent is None:
                problems.append({"loc": ["places", i, "parent"], "msg": "an Ortsgemeinde needs its VG"})
        for i, unit in enumerate(self.units):
            missing(["units", i, "county"], "county", unit.county, counties)
            missing(["units", i, "place"], "place", unit.place, places)
        for i, service in enumerate(self.services):
            territories: Counter = Counter()
            for j, resp in enumerate(service.responsibilities):
                loc = ["services", i, "responsibilities", j]
                missing([*loc, "unit"], "unit", resp.unit, units)
                if resp.unit in units and units[resp.unit].county not in (None, resp.county):
                    problems.append(
                        {
                            "loc": [*loc, "unit"],
                            "msg": f"unit {resp.unit!r} belongs to county {units[resp.unit].county}",
                        }
                    )
                missing([*loc, "county"], "county", resp.county, counties)
                missing([*loc, "place"], "place", resp.place, places)
                if resp.place in places and places[resp.place].county != resp.county:
                    problems.append(
                        {"loc": [*loc, "place"], "msg": f"{resp.place!r} is not in {resp.county}"}
                    )
                territories[(resp.county, resp.place)] += 1
            for (county, place), n in territories.items():
                if n > 1:
                    where = place or county
                    problems.append({"loc": ["services", i], "msg": f"{n} responsibilities for {where}"})
        return problems
