"""Patients: the list row, the whole record, and what the patient form sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from photon_desktop.domain.catalog import Allergen
from photon_desktop.domain.contact import Address, AddressInput, Name, NameInput
from photon_desktop.domain.orders import Order
from photon_desktop.domain.pharmacies import Pharmacy
from photon_desktop.domain.prescriptions import Prescription
from photon_desktop.domain.treatments import Treatment


class Sex(Enum):
    FEMALE = "FEMALE"
    MALE = "MALE"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class PatientSummary:
    """A row of the patient list."""

    id: str
    name: Name
    date_of_birth: date
    sex: Sex
    phone: str
    email: str | None = None
    external_id: str | None = None
    gender: str | None = None


@dataclass(frozen=True, slots=True)
class PatientAllergy:
    allergen: Allergen
    comment: str | None = None
    onset: date | None = None


@dataclass(frozen=True, slots=True)
class PatientMedication:
    medication: Treatment
    active: bool
    comment: str | None = None
    prescription_id: str | None = None


@dataclass(frozen=True, slots=True)
class Patient(PatientSummary):
    """A patient's whole record, as the detail view shows it (one request): the list row's
    fields plus the parts below."""

    address: Address | None = None
    allergies: tuple[PatientAllergy, ...] = ()
    medication_history: tuple[PatientMedication, ...] = ()
    preferred_pharmacies: tuple[Pharmacy, ...] = ()
    prescriptions: tuple[Prescription, ...] = ()
    orders: tuple[Order, ...] = ()
    # Parts the token may not read (e.g. "prescriptions" without read:prescription) -> the reason.
    unavailable: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PatientInput:
    """Fields of createPatient / updatePatient. For updates, None means "leave unchanged"."""

    name: NameInput | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    phone: str | None = None
    email: str | None = None
    gender: str | None = None
    external_id: str | None = None
    address: AddressInput | None = None
