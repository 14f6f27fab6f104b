"""Prescriptions, their fills, and what the prescribe form sends."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum

from msgspec import field

from photon_desktop.domain.contact import Name, PatientRef, unnest_patient
from photon_desktop.domain.organization import Provider
from photon_desktop.domain.treatments import Treatment
from photon_desktop.domain.wire import (
    Flag,
    IsoDate,
    Items,
    Number,
    Record,
    RefId,
    Text,
    Timestamp,
    Whole,
)


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


class Fill(Record, frozen=True):
    id: Text
    state: FillState
    requested_at: Timestamp
    treatment: Treatment | None = None
    filled_at: Timestamp | None = None
    prescription_id: RefId | None = field(default=None, name="prescription")  # prescription { id }
    order_id: RefId | None = field(default=None, name="order")  # order { id }


class Prescription(Record, frozen=True):
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
    # patient { id name }: its id here, its name below (never read from an answer on its own:
    # a GraphQL name has no dot).
    patient_id: PatientRef = field(name="patient")
    patient_name: Name | None = field(default=None, name="patient.name")
    prescriber: Provider | None = None
    days_supply: Whole | None = None
    dispense_as_written: Flag | None = None
    notes: Text | None = None
    external_id: Text | None = None
    fills: Items[Fill] = ()

    def __post_init__(self) -> None:
        unnest_patient(self)
        super().__post_init__()


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
