"""Prescriptions, their fills, and what the prescribe form sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from photon_desktop.domain.contact import Name
from photon_desktop.domain.organization import Provider
from photon_desktop.domain.treatments import Treatment


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


@dataclass(frozen=True, slots=True)
class Fill:
    id: str
    state: FillState
    requested_at: datetime
    treatment: Treatment | None = None
    filled_at: datetime | None = None
    prescription_id: str | None = None
    order_id: str | None = None


@dataclass(frozen=True, slots=True)
class Prescription:
    id: str
    state: PrescriptionState
    treatment: Treatment
    dispense_quantity: float
    dispense_unit: str
    instructions: str
    fills_allowed: int
    fills_remaining: int
    effective_date: date
    expiration_date: date
    written_at: datetime
    patient_id: str
    patient_name: Name | None = None
    prescriber: Provider | None = None
    days_supply: int | None = None
    dispense_as_written: bool | None = None
    notes: str | None = None
    external_id: str | None = None
    fills: tuple[Fill, ...] = ()


@dataclass(frozen=True, slots=True)
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
    external_id: str | None = None  # set by the service when absent, to detect lost writes
