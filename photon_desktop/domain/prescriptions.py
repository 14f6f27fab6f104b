"""Prescriptions, their fills, and what the prescribe form sends."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum

from pydantic import AliasPath, Field
from pydantic.dataclasses import dataclass

from photon_desktop.domain.contact import Name
from photon_desktop.domain.organization import Provider
from photon_desktop.domain.treatments import Treatment
from photon_desktop.domain.wire import WIRE, Flag, IsoDate, Items, Number, Text, Timestamp, Whole


class PrescriptionState(Enum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    DEPLETED = "DEPLETED"
    EXPIRED = "EXPIRED"
    CANCELED = "CANCELED"


class FillState(Enum):
    CANCELED = "CANCELED"
    NEW = "NEW"
    SCHEDULED = "SCHEDULED"
    SENT = "SENT"


@dataclass(frozen=True, slots=True, config=WIRE)
class Fill:
    id: Text
    state: FillState
    requested_at: Timestamp
    treatment: Treatment | None = None
    filled_at: Timestamp | None = None
    prescription_id: Text | None = Field(
        default=None, validation_alias=AliasPath("prescription", "id")
    )
    order_id: Text | None = Field(default=None, validation_alias=AliasPath("order", "id"))


@dataclass(frozen=True, slots=True, config=WIRE)
class Prescription:
    id: Text
    state: PrescriptionState
    treatment: Treatment
    dispense_quantity: Number
    dispense_unit: Text
    instructions: Text
    fills_allowed: Whole
    fills_remaining: Whole
    effective_date: IsoDate
    expiration_date: IsoDate
    written_at: Timestamp
    patient_id: Text = Field(validation_alias=AliasPath("patient", "id"))
    patient_name: Name | None = Field(default=None, validation_alias=AliasPath("patient", "name"))
    prescriber: Provider | None = None
    days_supply: Whole | None = None
    dispense_as_written: Flag | None = None
    notes: Text | None = None
    external_id: Text | None = None
    fills: Items[Fill] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class PrescriptionInput:
    patient_id: str
    treatment_id: str
    dispense_quantity: float
    dispense_unit: str
    fills_allowed: int
    instructions: str
    days_supply: int | None = None
    dispense_as_written: bool | None = None
    effective_date: date | None = None
    notes: str | None = None
    diagnoses: tuple[str, ...] = ()
    # The submission's id: new_external_id() once per form, the same for every resend.
    external_id: str | None = None
