"""Patients: the list row, the whole record, and what the patient form sends."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum

from msgspec import field

from photon_desktop.domain.catalog import Allergen
from photon_desktop.domain.contact import Address, AddressInput, Name, NameInput
from photon_desktop.domain.orders import Order
from photon_desktop.domain.pharmacies import Pharmacy
from photon_desktop.domain.prescriptions import Prescription
from photon_desktop.domain.treatments import Treatment
from photon_desktop.domain.wire import Flag, IsoDate, Items, Record, RefId, Text


class Sex(Enum):
    FEMALE = "FEMALE"
    MALE = "MALE"
    UNKNOWN = "UNKNOWN"


class PatientSummary(Record, frozen=True):
    """A row of the patient list."""

    id: Text
    name: Name
    date_of_birth: IsoDate
    sex: Sex
    phone: Text
    email: Text | None = None
    external_id: Text | None = None
    gender: Text | None = None


class PatientAllergy(Record, frozen=True):
    allergen: Allergen
    comment: Text | None = None
    onset: IsoDate | None = None


class PatientMedication(Record, frozen=True):
    medication: Treatment
    active: Flag
    comment: Text | None = None
    prescription_id: RefId | None = field(default=None, name="prescription")  # prescription { id }


class Patient(PatientSummary, frozen=True):
    """A patient's whole record, as the detail view shows it (one request): the list row's
    fields plus the parts below."""

    address: Address | None = None
    allergies: Items[PatientAllergy] = ()
    medication_history: Items[PatientMedication] = ()
    preferred_pharmacies: Items[Pharmacy] = ()
    prescriptions: Items[Prescription] = ()
    orders: Items[Order] = ()
    # Parts the token may not read (e.g. "prescriptions" without read:prescription) -> the reason.
    unavailable: dict[str, str] = field(default_factory=dict)


@dataclasses.dataclass(frozen=True, slots=True)
class PatientInput:
    """Fields of createPatient / updatePatient. For updates, None means "leave unchanged" and an
    empty ``email`` or ``gender`` means "remove it" (Photon clears them when sent as null).

    ``external_id`` on a create is the submission's id: the clinic's own ID for the patient, or
    ``services.new_external_id()`` taken once per form and sent again with every resend.
    """

    name: NameInput | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    phone: str | None = None
    email: str | None = None
    gender: str | None = None
    external_id: str | None = None
    address: AddressInput | None = None
