"""Form inputs (``models.*Input``) -> GraphQL variables."""

from __future__ import annotations

from typing import Any

from photon_desktop.api.client import NULL
from photon_desktop.domain import AddressInput, NameInput, PatientInput, PrescriptionInput


def set_only(values: dict[str, Any]) -> dict[str, Any]:
    """The entries that are set: GraphQL treats an absent argument as "not given"."""
    return {k: v for k, v in values.items() if v is not None}


def name_vars(name: NameInput) -> dict[str, Any]:
    return {"first": name.first, "last": name.last, "middle": name.middle, "title": name.title}


def address_vars(address: AddressInput) -> dict[str, Any]:
    return {
        "street1": address.street1,
        "street2": address.street2,
        "city": address.city,
        "state": address.state,
        "postalCode": address.postal_code,
        "country": address.country,
    }


#: Patient fields an empty value removes: sent as an explicit null (absent would keep them).
CLEARABLE = ("email", "gender")


def patient_vars(data: PatientInput) -> dict[str, Any]:
    """Only the fields that are set (for updates, None means "leave unchanged"), and an explicit
    null for each ``CLEARABLE`` field given as ""."""
    values: dict[str, Any] = {
        "name": name_vars(data.name) if data.name else None,
        "dateOfBirth": data.date_of_birth.isoformat() if data.date_of_birth else None,
        "sex": data.sex.value if data.sex else None,
        "phone": data.phone,
        "email": data.email,
        "gender": data.gender,
        "externalId": data.external_id,
        "address": address_vars(data.address) if data.address else None,
    }
    cleared = {key: NULL for key in CLEARABLE if values[key] == ""}
    return {**set_only(values), **cleared}


def prescription_vars(data: PrescriptionInput) -> dict[str, Any]:
    values: dict[str, Any] = {
        "patientId": data.patient_id,
        "treatmentId": data.treatment_id,
        "dispenseQuantity": data.dispense_quantity,
        "dispenseUnit": data.dispense_unit,
        "fillsAllowed": data.fills_allowed,
        "instructions": data.instructions,
        "daysSupply": data.days_supply,
        "dispenseAsWritten": data.dispense_as_written,
        "effectiveDate": data.effective_date.isoformat() if data.effective_date else None,
        "notes": data.notes,
        "diagnoses": list(data.diagnoses) or None,
        "externalId": data.external_id,
    }
    return set_only(values)
