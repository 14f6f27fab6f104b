"""Adding to a patient's chart: an allergy, a medication-history entry, a preferred pharmacy.

Photon has no "add" mutations; ``updatePatient`` takes the lists. The sandbox replaces a list with
the one sent, and Photon's contract notes suggest it may append, so each call sends the whole
list (what the chart holds plus the new entry): right under both readings, and safe to send
again (an update, not a create). A failed answer is checked like every write's (``settle``):
when the chart holds the new entry after all, that chart is the result, never "not saved".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from photon_desktop.api.errors_map import INVALID
from photon_desktop.domain import Patient
from photon_desktop.errors import InvalidInput
from photon_desktop.services.outcomes import settle
from photon_desktop.services.patients import PatientsService


class PatientChartService(PatientsService):
    """The chart additions; reads and removals stay in ``PatientsService``."""

    async def add_allergy(
        self,
        patient: Patient,
        allergen_id: str,
        *,
        comment: str | None = None,
        onset: date | None = None,
    ) -> Patient:
        if any(a.allergen.id == allergen_id for a in patient.allergies):
            raise InvalidInput(INVALID, fields={"allergenId": "This allergy is already recorded."})
        if onset is not None and onset > date.today():
            raise InvalidInput(INVALID, fields={"onset": "The onset cannot be in the future."})
        allergies = [
            {
                "allergenId": a.allergen.id,
                "comment": a.comment,
                "onset": a.onset.isoformat() if a.onset else None,
            }
            for a in patient.allergies
        ]
        allergies.append(
            {
                "allergenId": allergen_id,
                "comment": (comment or "").strip() or None,
                "onset": onset.isoformat() if onset else None,
            }
        )
        return await self._added(
            patient.id,
            "AddPatientAllergies",
            {"allergies": allergies},
            lambda p: any(a.allergen.id == allergen_id for a in p.allergies),
            what="allergy",
            where="the patient's allergies",
        )

    async def add_medication(
        self,
        patient: Patient,
        medication_id: str,
        *,
        active: bool = True,
        comment: str | None = None,
    ) -> Patient:
        if any(m.medication.id == medication_id for m in patient.medication_history):
            raise InvalidInput(
                INVALID, fields={"medicationId": "This medication is already in the history."}
            )
        history = [
            {"medicationId": m.medication.id, "active": m.active, "comment": m.comment}
            for m in patient.medication_history
        ]
        history.append(
            {
                "medicationId": medication_id,
                "active": active,
                "comment": (comment or "").strip() or None,
            }
        )
        return await self._added(
            patient.id,
            "AddPatientMedications",
            {"medicationHistory": history},
            lambda p: any(m.medication.id == medication_id for m in p.medication_history),
            what="medication",
            where="the patient's medication history",
        )

    async def add_preferred_pharmacy(self, patient: Patient, pharmacy_id: str) -> Patient:
        ids = [p.id for p in patient.preferred_pharmacies]
        if pharmacy_id in ids:
            return patient
        return await self._added(
            patient.id,
            "AddPatientPreferredPharmacies",
            {"preferredPharmacies": [*ids, pharmacy_id]},
            lambda p: any(ph.id == pharmacy_id for ph in p.preferred_pharmacies),
            what="preferred pharmacy",
            where="the patient's preferred pharmacies",
        )

    async def _added(
        self,
        patient_id: str,
        operation: str,
        lists: dict[str, object],
        holds: Callable[[Patient], bool],
        *,
        what: str,
        where: str,
    ) -> Patient:
        """Send the update; after a failure that may hide a save, the chart read again is the
        result when it ``holds`` the new entry."""

        async def check() -> Patient | None:
            current = await self.get(patient_id)
            return current if holds(current) else None

        return await settle(
            lambda: self._detail(operation, {"id": patient_id, **lists}, "updatePatient"),
            check,
            what=what,
            where=where,
        )
