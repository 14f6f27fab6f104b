"""Typed results of the Clinical API: what services hand to views.

Plain frozen dataclasses, one per GraphQL type the app reads. Field names follow Python style;
the GraphQL name is noted where it differs. Parsing from JSON lives in ``api.parse``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Generic, TypeVar

T = TypeVar("T")


class Sex(Enum):
    FEMALE = "FEMALE"
    MALE = "MALE"
    UNKNOWN = "UNKNOWN"


class PrescriptionState(Enum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    DEPLETED = "DEPLETED"
    EXPIRED = "EXPIRED"
    CANCELED = "CANCELED"


class OrderState(Enum):
    CANCELED = "CANCELED"
    COMPLETED = "COMPLETED"
    ERROR = "ERROR"
    PENDING = "PENDING"
    PLACED = "PLACED"
    ROUTING = "ROUTING"


class FillState(Enum):
    CANCELED = "CANCELED"
    NEW = "NEW"
    SCHEDULED = "SCHEDULED"
    SENT = "SENT"


class FulfillmentType(Enum):
    MAIL_ORDER = "MAIL_ORDER"
    PICK_UP = "PICK_UP"


class FulfillmentState(Enum):
    SENT = "SENT"
    RECEIVED = "RECEIVED"
    READY = "READY"
    PICKED_UP = "PICKED_UP"
    FILLING = "FILLING"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a cursor-paged list; ``cursor`` is the ``after`` for the next page."""

    items: tuple[T, ...]
    cursor: str | None
    has_more: bool


@dataclass(frozen=True, slots=True)
class Name:
    first: str
    last: str
    full: str
    middle: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    street1: str
    city: str
    state: str
    postal_code: str  # postalCode
    country: str
    street2: str | None = None
    name: Name | None = None


@dataclass(frozen=True, slots=True)
class TreatmentCodes:
    rxcui: str | None = None
    product_ndc: str | None = None  # productNDC
    package_ndc: str | None = None  # packageNDC
    hcpcs: str | None = None  # HCPCS
    sku: str | None = None  # SKU


@dataclass(frozen=True, slots=True)
class Treatment:
    """A Medication or a piece of MedicalEquipment (``kind`` is the GraphQL __typename)."""

    id: str
    name: str
    kind: str  # "Medication" | "MedicalEquipment"
    description: str | None = None
    codes: TreatmentCodes | None = None
    # Medication only:
    generic_name: str | None = None
    brand_name: str | None = None
    strength: str | None = None
    form: str | None = None
    controlled: bool | None = None
    schedule: str | None = None
    type: str | None = None  # "RX" | "OTC" | None


@dataclass(frozen=True, slots=True)
class Allergen:
    id: str
    name: str
    rxcui: str | None = None


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
class Pharmacy:
    id: str
    name: str
    address: Address | None = None
    phone: str | None = None
    fax: str | None = None
    npi: str | None = None
    ncpdp: str | None = None
    fulfillment_types: tuple[FulfillmentType, ...] = ()


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
class Provider:
    id: str
    name: Name
    email: str | None = None
    npi: str | None = None


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
class OrderFulfillment:
    type: FulfillmentType
    state: FulfillmentState
    carrier: str | None = None
    tracking_number: str | None = None
    minutes_until_ready: int | None = None
    pharmacy_estimated_ready_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderException:
    """A problem the pharmacy raised on an order (e.g. PHARMACY_UNREACHABLE, OOS)."""

    type: str
    message: str | None = None
    created_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    state: OrderState
    created_at: datetime
    patient_id: str
    patient_name: Name | None = None
    pharmacy: Pharmacy | None = None
    fulfillment: OrderFulfillment | None = None
    address: Address | None = None
    external_id: str | None = None
    fills: tuple[Fill, ...] = ()
    exceptions: tuple[OrderException, ...] = ()  # only the order detail asks for them


@dataclass(frozen=True, slots=True)
class Patient:
    """A patient's whole record, as the detail view shows it (one request)."""

    id: str
    name: Name
    date_of_birth: date
    sex: Sex
    phone: str
    email: str | None = None
    gender: str | None = None
    external_id: str | None = None
    address: Address | None = None
    allergies: tuple[PatientAllergy, ...] = ()
    medication_history: tuple[PatientMedication, ...] = ()
    preferred_pharmacies: tuple[Pharmacy, ...] = ()
    prescriptions: tuple[Prescription, ...] = ()
    orders: tuple[Order, ...] = ()
    # Parts the token may not read (e.g. "prescriptions" without read:prescription) -> the reason.
    unavailable: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PrescriptionTemplate:
    id: str
    treatment: Treatment
    name: str | None = None
    dispense_quantity: float | None = None
    dispense_unit: str | None = None
    days_supply: int | None = None
    fills_allowed: int | None = None
    instructions: str | None = None
    notes: str | None = None
    dispense_as_written: bool | None = None
    is_private: bool = False


@dataclass(frozen=True, slots=True)
class Catalog:
    id: str
    name: str
    treatments: tuple[Treatment, ...] = ()
    templates: tuple[PrescriptionTemplate, ...] = ()


@dataclass(frozen=True, slots=True)
class DispenseUnit:
    name: str


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    name: str
    type: str | None = None
    npi: str | None = None
    phone: str | None = None
    email: str | None = None
    fax: str | None = None
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class User:
    id: str
    verification_status: str
    name: Name | None = None
    email: str | None = None
    npi: str | None = None
    phone: str | None = None
    roles: tuple[str, ...] = ()


# ------------------------------------------------------------------ inputs (what forms send)


@dataclass(frozen=True, slots=True)
class NameInput:
    first: str
    last: str
    middle: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class AddressInput:
    street1: str
    city: str
    state: str
    postal_code: str
    country: str = "US"
    street2: str | None = None


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
