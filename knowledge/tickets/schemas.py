"""What a client may send to create or change a ticket, with the rules that hold whoever sends it:
`forward` and `message` name a unit, contact data comes only with consent, a state only moves forward."""

from __future__ import annotations

import re
from typing import Annotated

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from knowledge.counties import CountyKey
from knowledge.tickets.models import Channel, TicketKind, TicketState

__all__ = ["Contact", "TicketCreate", "TicketPatch"]

EntryId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=4000)]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Contact(_Strict):
    """How the citizen wants to be answered; stored only with consent, erased after the retention period."""

    name: Annotated[str, StringConstraints(max_length=200)] | None = None
    phone: Annotated[str, StringConstraints(max_length=64)] | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    channel: Channel | None = Field(default=None, description="phone or email; unset: whichever is given")

    @field_validator("phone")
    @classmethod
    def _phone_number(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            number = phonenumbers.parse(value, "DE")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_possible_number(number):
            raise ValueError("not a phone number")
        return value

    @field_validator("email")
    @classmethod
    def _email_address(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("not an e-mail address")
        return value

    @field_validator("channel")
    @classmethod
    def _reachable(cls, value: Channel | None, info: ValidationInfo) -> Channel | None:
        if value is Channel.phone and not info.data.get("phone"):
            raise ValueError("channel phone needs a phone number")
        if value is Channel.email and not info.data.get("email"):
            raise ValueError("channel email needs an e-mail address")
        return value

    def is_empty(self) -> bool:
        """Whether nothing about the person is given."""
        return not (self.name or self.phone or self.email)

    def columns(self) -> dict:
        """The ticket's contact columns; the channel defaults to what was given."""
        channel = self.channel or (Channel.phone if self.phone else Channel.email if self.email else None)
        return {
            "contact_name": self.name,
            "contact_phone": self.phone,
            "contact_email": self.email,
            "contact_channel": channel,
        }


class TicketCreate(_Strict):
    """A new ticket (`POST /api/v1/tickets`)."""

    kind: TicketKind
    county: CountyKey | None = None
    service_id: EntryId | None = None
    unit_id: EntryId | None = Field(default=None, validate_default=True)
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    decision_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    contact: Contact | None = None
    consent: bool = Field(default=False, validate_default=True)

    @field_validator("unit_id")
    @classmethod
    def _unit_for_forward_and_message(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("kind") in (TicketKind.forward, TicketKind.message):
            raise ValueError(f"a {info.data['kind']} ticket needs the unit that is to answer it")
        return value

    @field_validator("consent")
    @classmethod
    def _consent_for_contact(cls, value: bool, info: ValidationInfo) -> bool:
        contact = info.data.get("contact")
        if contact is not None and not contact.is_empty() and value is not True:
            raise ValueError("contact data is stored only with consent: true")
        return value


class TicketPatch(_Strict):
    """A change of a ticket (`PATCH /api/v1/tickets/{id}`): its state, the agent's note, the unit."""

    state: TicketState | None = None
    note: Text | None = None
    unit_id: EntryId | None = None

    @field_validator("state")
    @classmethod
    def _not_null(cls, value: TicketState | None) -> TicketState:
        if value is None:
            raise ValueError("may not be null")
        return value
