"""The Leistungsverzeichnis as SQLModel families, shaped by LeiKa, FIM and XZuFi.

Each entity has a `...Base` (the fields, also the record of the exchange document and the public
read model) and a table class. Identifiers are stable slugs so that export and import round-trip.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Dialect, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from knowledge.calendar import WeeklyHours
from knowledge.counties import COUNTY_KEY_PATTERN

__all__ = [
    "CatalogueState",
    "County",
    "CountyBase",
    "Place",
    "PlaceBase",
    "PlaceKind",
    "Responsibility",
    "ResponsibilityBase",
    "Service",
    "ServiceBase",
    "ServiceLevel",
    "TEXT_MODULES",
    "Unit",
    "UnitBase",
    "UnitKind",
]


class HoursJSON(TypeDecorator):
    """Opening hours stored as JSON and read back as `WeeklyHours`, checked once on the way in."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dict | None:
        if value is None:
            return None
        return WeeklyHours.model_validate(value).model_dump()

    def process_result_value(self, value: Any, dialect: Dialect) -> WeeklyHours | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            return WeeklyHours.model_validate(value)
        return _stored_hours(tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in value.items()))


@functools.lru_cache(maxsize=4096)
def _stored_hours(items: tuple[tuple[str, Any], ...]) -> WeeklyHours:
    """Stored hours read back, checked once per distinct text: a page of search hits reads the same few
    opening hours hundreds of times, and the (frozen) hours are shared."""
    return WeeklyHours.model_validate({k: list(v) if isinstance(v, tuple) else v for k, v in items})


class PlaceKind(StrEnum):
    """Territorial units below the county (§ 64 ff. GemO RLP)."""

    verbandsgemeinde = "verbandsgemeinde"
    verbandsfreie_gemeinde = "verbandsfreie_gemeinde"
    ortsgemeinde = "ortsgemeinde"


class UnitKind(StrEnum):
    """Kinds of organisational units (XZuFi `organisationseinheit`) a call can be transferred to."""

    kreisverwaltung = "kreisverwaltung"
    department = "department"
    verwaltung = "verwaltung"
    buergerbuero = "buergerbuero"
    standesamt = "standesamt"
    jobcenter = "jobcenter"
    state_agency = "state_agency"
    federal_agency = "federal_agency"
    other = "other"


class ServiceLevel(StrEnum):
    """Who carries a service out; `municipality` means the Verbandsgemeinde or verbandsfreie Gemeinde."""

    federal = "federal"
    state = "state"
    county = "county"
    municipality = "municipality"


TEXT_MODULES = (
    "short_text",
    "full_text",
    "requirements",
    "documents",
    "fees",
    "deadlines",
    "processing_time",
    "procedure",
    "legal_basis",
    "forms",
    "notes",
)
"""The FIM text modules (Leistungsbeschreibung) in their FIM order."""


def _pattern(regex: str) -> dict:
    """SQLModel's own `regex=` is not enforced under pydantic v2; a schema pattern is."""
    return {"pattern": regex}


def _json_list() -> Column:
    return Column(JSON, nullable=False, default=list)


class CountyBase(SQLModel):
    key: str = Field(primary_key=True, min_length=5, max_length=5, schema_extra=_pattern(COUNTY_KEY_PATTERN))
    name: str = Field(min_length=1)
    seat: str = Field(description="Kreisstadt")
    street: str
    postcode: str = Field(schema_extra=_pattern(r"^\d{5}$"))
    city: str
    switchboard: str = Field(description="Telefonzentrale, DIN 5008 international, e.g. +49 6592 933-0")
    email: str | None = None
    website: str | None = None
    member: bool = Field(default=True, description="Served by the 115-Servicecenter EMH")


class County(CountyBase, table=True):
    pass


class PlaceBase(SQLModel):
    id: str = Field(primary_key=True, min_length=1)
    county: str = Field(foreign_key="county.key", index=True)
    kind: PlaceKind
    name: str = Field(min_length=1)
    parent: str | None = Field(default=None, foreign_key="place.id", description="the VG of an Ortsgemeinde")
    ags: str | None = Field(
        default=None, schema_extra=_pattern(r"^\d{8}$"), description="Amtlicher Gemeindeschlüssel"
    )
    ars: str | None = Field(
        default=None, schema_extra=_pattern(r"^\d{9}(\d{3})?$"), description="Amtlicher Regionalschlüssel"
    )
    postal_codes: list[str] = Field(default_factory=list, sa_column=_json_list())
    area_codes: list[str] = Field(default_factory=list, sa_column=_json_list(), description="e.g. 06592")
    aliases: list[str] = Field(
        default_factory=list, sa_column=_json_list(), description="other names, e.g. Zell"
    )


class Place(PlaceBase, table=True):
    version: int = Field(default=1, description="grows with every change; the ETag of the entry")


class UnitBase(SQLModel):
    id: str = Field(primary_key=True, min_length=1)
    name: str = Field(min_length=1)
    kind: UnitKind
    county: str | None = Field(default=None, foreign_key="county.key", index=True)
    place: str | None = Field(default=None, foreign_key="place.id", description="the VG it serves")
    topics: list[str] = Field(
        default_factory=list, sa_column=_json_list(), description="switchboard keywords"
    )
    aliases: list[str] = Field(
        default_factory=list,
        sa_column=_json_list(),
        description="everyday names the switchboard hears, e.g. Bauamt, Straßenverkehrsamt, Kreiskasse",
    )
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    phone: str | None = Field(default=None, description="direct number, DIN 5008 international")
    extension: str | None = Field(default=None, description="Durchwahl for a transfer inside the county PBX")
    email: str | None = None
    website: str | None = None
    hours: WeeklyHours | None = Field(default=None, sa_column=Column(HoursJSON))
    notes: str | None = None


class Unit(UnitBase, table=True):
    version: int = Field(default=1, description="grows with every change; the ETag of the entry")


class ServiceBase(SQLModel):
    id: str = Field(primary_key=True, min_length=1)
    leika: str | None = Field(
        default=None, schema_extra=_pattern(r"^\d{14}$"), description="LeiKa-Leistungsschlüssel"
    )
    title: str = Field(min_length=1)
    synonyms: list[str] = Field(default_factory=list, sa_column=_json_list())
    level: ServiceLevel
    leistungstyp: str | None = None
    short_text: str | None = None
    full_text: str | None = None
    requirements: str | None = None
    documents: str | None = None
    fees: str | None = None
    deadlines: str | None = None
    processing_time: str | None = None
    procedure: str | None = None
    legal_basis: str | None = None
    forms: str | None = None
    online_service: str | None = Field(default=None, description="URL of the online service")
    notes: str | None = None


class Service(ServiceBase, table=True):
    revision: int = Field(default=0, index=True, description="catalogue revision of its last indexed change")
    version: int = Field(default=1, description="grows with every change; the ETag of the entry")


class ResponsibilityBase(SQLModel):
    unit: str = Field(foreign_key="unit.id", index=True)
    county: str = Field(foreign_key="county.key")
    place: str | None = Field(default=None, foreign_key="place.id", description="None: the whole county")
    fees: str | None = None
    hours: WeeklyHours | None = Field(
        default=None, sa_column=Column(HoursJSON), description="overrides the unit's hours"
    )
    notes: str | None = None


class Responsibility(ResponsibilityBase, table=True):
    """Which unit handles a service for which territory (XZuFi `zustaendigkeit`)."""

    __table_args__ = (
        UniqueConstraint("service", "county", "place", name="uq_responsibility_territory"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    service: str = Field(foreign_key="service.id", index=True, ondelete="CASCADE")
    version: int = Field(default=1, description="grows with every change; the ETag of the entry")


class CatalogueState(SQLModel, table=True):
    """A single row whose revision grows with every committed catalogue change; the index stores it too."""

    __tablename__ = "catalogue_state"

    id: int = Field(default=1, primary_key=True)
    revision: int = 0
    leika_revision: int = Field(default=0, description="the revision of the last change of the LeiKa list")
