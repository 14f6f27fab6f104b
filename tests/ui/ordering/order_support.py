"""Shared steps of the ordering tests: a patient with a fresh ACTIVE prescription."""

from __future__ import annotations

from ui_support import Connection

from photon_desktop.domain import Patient, Prescription, PrescriptionInput


async def patient_with_new_rx(
    conn: Connection, offset: int, drug: str = "lisinopril"
) -> tuple[Patient, Prescription]:
    """A patient with an address and a new prescription (the connection is a prescriber)."""
    page = await conn.services.patients.search(None, first=offset + 20)
    for summary in page.items[offset:]:
        patient = await conn.services.patients.get(summary.id)
        if patient.address is not None:
            break
    else:
        raise AssertionError("no patient with an address")
    found = await conn.services.catalog.medications(drug, first=1)
    [rx] = await conn.services.prescriptions.create_many(
        [
            PrescriptionInput(
                patient_id=patient.id,
                treatment_id=found.items[0].id,
                dispense_quantity=30,
                dispense_unit="Tablet",
                fills_allowed=3,
                instructions="Take 1 tablet daily",
            )
        ]
    )
    return patient, rx
