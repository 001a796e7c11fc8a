"""The catalogue exchange document: top-level `counties`, `places`, `units`, `services`.

The same shape is written by `servicecenter export` and `GET /api/v1/export` and read by import and by
the demo catalogue loader. Cross references are checked here, before anything touches the database.
"""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.catalogue.models import (
    CountyBase,
    PlaceBase,
    PlaceKind,
    ResponsibilityBase,
    ServiceBase,
    UnitBase,
)

__all__ = ["CatalogueDocument", "DocumentError", "ResponsibilityRecord", "ServiceRecord"]


class DocumentError(ValueError):
    """The document is well-formed JSON but not a consistent catalogue."""

    def __init__(self, problems: list[dict]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the catalogue document")
        self.problems = problems


class UnitRecord(UnitBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types it as its own dict


class ResponsibilityRecord(ResponsibilityBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types it as its own dict


class ServiceRecord(ServiceBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types it as its own dict

    responsibilities: list[ResponsibilityRecord] = Field(default_factory=list)


class CountyRecord(CountyBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]  # SQLModel types it as its own dict


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
        """Duplicate ids and references to counties, places or units the document does not define."""
        problems: list[dict] = []
        for section, key in (("counties", "key"), ("places", "id"), ("units", "id"), ("services", "id")):
            counts = Counter(getattr(record, key) for record in getattr(self, section))
            problems += [
                {"loc": [section], "msg": f"duplicate {key} {k!r}"} for k, n in counts.items() if n > 1
            ]

        counties = {c.key for c in self.counties}
        places = {p.id: p for p in self.places}
        units = {u.id for u in self.units}

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
