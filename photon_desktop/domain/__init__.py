"""The typed records every layer speaks: patients, prescriptions, orders, pharmacies, treatments.

One module per topic; this package re-exports the public names so callers import from
``photon_desktop.domain``.
"""

from __future__ import annotations

from photon_desktop.domain.catalog import Allergen, Catalog, DispenseUnit, PrescriptionTemplate
from photon_desktop.domain.contact import Address, AddressInput, Name, NameInput
from photon_desktop.domain.orders import (
    FulfillmentState,
    Order,
    OrderException,
    OrderFulfillment,
    OrderState,
    can_cancel,
    can_reroute,
)
from photon_desktop.domain.organization import Organization, Provider, User
from photon_desktop.domain.paging import Page
from photon_desktop.domain.patients import (
    Patient,
    PatientAllergy,
    PatientInput,
    PatientMedication,
    PatientSummary,
    Sex,
)
from photon_desktop.domain.pharmacies import FulfillmentType, Pharmacy
from photon_desktop.domain.prescription_rules import Dispensing, DispensingText
from photon_desktop.domain.prescriptions import (
    Fill,
    FillState,
    Prescription,
    PrescriptionInput,
    PrescriptionState,
)
from photon_desktop.domain.treatments import Treatment, TreatmentCodes
from photon_desktop.domain.wire import Record

__all__ = [
    "Address",
    "AddressInput",
    "Allergen",
    "Catalog",
    "DispenseUnit",
    "Dispensing",
    "DispensingText",
    "Fill",
    "FillState",
    "FulfillmentState",
    "FulfillmentType",
    "Name",
    "NameInput",
    "Order",
    "OrderException",
    "OrderFulfillment",
    "OrderState",
    "Organization",
    "Page",
    "Patient",
    "PatientAllergy",
    "PatientInput",
    "PatientMedication",
    "PatientSummary",
    "Pharmacy",
    "Prescription",
    "PrescriptionInput",
    "PrescriptionState",
    "PrescriptionTemplate",
    "Provider",
    "Record",
    "Sex",
    "Treatment",
    "TreatmentCodes",
    "User",
    "can_cancel",
    "can_reroute",
]
