"""Patients: search, the one-request detail, create, update, remove allergy / preferred pharmacy."""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec

from photon_desktop.api import parse
from photon_desktop.api.client import GraphQLClient
from photon_desktop.api.errors_map import INVALID, from_graphql_errors, permission_missing
from photon_desktop.domain import Page, Patient, PatientInput, PatientSummary
from photon_desktop.errors import InvalidInput, NotFound
from photon_desktop.services.inputs import patient_vars
from photon_desktop.services.outcomes import CHECK_PAGE, Submissions, find_in_pages, settle

#: Prescriptions and orders shown in the patient detail (newest first, as Photon lists them).
RECENT = 10

_REQUIRED = {"name": "name", "date_of_birth": "dateOfBirth", "sex": "sex", "phone": "phone"}


class PatientsService:
    def __init__(self, client: GraphQLClient) -> None:
        self._client = client
        self._submissions = Submissions()

    async def search(
        self, name: str | None = None, *, after: str | None = None, first: int = 25
    ) -> Page[PatientSummary]:
        """One page of patients whose name matches ``name`` (all patients when empty)."""
        data = await self._client.query(
            "SearchPatients", {"name": name or None, "after": after, "first": first}
        )
        return parse.cursor_page(PatientSummary, data, "patients", first)

    async def get(self, patient_id: str) -> Patient:
        """The whole record in one request; parts the token may not read go to ``unavailable``."""
        return await self._detail("GetPatient", {"id": patient_id}, "patient")

    async def create(self, data: PatientInput) -> Patient:
        """Create a patient once. ``data.external_id``: the submission's id (the clinic's own, or
        ``new_external_id()`` once per form), so a resend of a saved patient returns that patient.
        """
        missing = {
            gql: "Required." for attr, gql in _REQUIRED.items() if getattr(data, attr) is None
        }
        if missing:
            raise InvalidInput(INVALID, fields=missing)
        content = data
        external_id = self._submissions.external_id(data.external_id, content)
        data = dataclasses.replace(data, external_id=external_id)
        variables = patient_vars(data)

        async def find() -> Patient | None:
            found = await self._find_created(data)
            return None if found is None else await self.get(found)

        return await self._submissions.send(
            content,
            lambda: self._detail("CreatePatient", variables, "createPatient"),
            find,
            what="patient",
            where="the patient list",
        )

    async def update(self, patient_id: str, data: PatientInput) -> Patient:
        """Change only the fields set in ``data``; an update is safe to send again."""
        variables = {"id": patient_id, **patient_vars(data)}

        async def check() -> Patient | None:
            current = await self.get(patient_id)
            return current if _shows(current, data) else None

        return await settle(
            lambda: self._detail("UpdatePatient", variables, "updatePatient"),
            check,
            what="changes",
            where="the patient's details",
        )

    async def remove_allergy(self, patient_id: str, allergen_id: str) -> Patient:
        async def check() -> Patient | None:
            patient = await self.get(patient_id)
            gone = all(a.allergen.id != allergen_id for a in patient.allergies)
            return patient if gone else None

        return await settle(
            lambda: self._detail(
                "RemovePatientAllergy",
                {"id": patient_id, "allergenId": allergen_id},
                "removePatientAllergy",
            ),
            check,
            what="allergy removal",
            where="the patient's allergies",
            recheck=InvalidInput,  # "the patient has no such allergy": maybe removed already
        )

    async def remove_preferred_pharmacy(self, patient_id: str, pharmacy_id: str) -> Patient:
        async def check() -> Patient | None:
            patient = await self.get(patient_id)
            gone = all(p.id != pharmacy_id for p in patient.preferred_pharmacies)
            return patient if gone else None

        return await settle(
            lambda: self._detail(
                "RemovePatientPreferredPharmacy",
                {"patientId": patient_id, "pharmacyId": pharmacy_id},
                "removePatientPreferredPharmacy",
            ),
            check,
            what="pharmacy removal",
            where="the patient's preferred pharmacies",
            recheck=InvalidInput,
        )

    async def _detail(self, operation: str, variables: dict[str, Any], key: str) -> Patient:
        """Run a patient-returning operation; field-level permission errors -> ``unavailable``."""
        response = await self._client.execute(operation, {**variables, "recent": RECENT})
        unavailable: dict[str, str] = {}
        fatal = []
        for error in response.errors:
            if error.is_unauthorized and len(error.path) >= 2 and error.path[0] == key:
                unavailable.setdefault(str(error.path[1]), str(permission_missing(error)))
            else:
                fatal.append(error)
        if fatal:
            exc = from_graphql_errors(fatal)
            self._client.activity.failed(exc, offline=False)
            raise exc
        record = (response.data or {}).get(key)
        if record is None and operation != "GetPatient":
            raise parse.unreadable(key, "a write answered no patient and no error")
        if record is None:
            raise NotFound(
                "This patient was not found. The record may have been removed, "
                "or it belongs to another organization."
            )
        return msgspec.structs.replace(parse.record(Patient, record, key), unavailable=unavailable)

    async def _find_created(self, sent: PatientInput) -> str | None:
        """The id of the patient ``sent`` created: same externalId, name and date of birth (a
        clinic's own external ID might belong to someone else)."""
        name = sent.name
        if name is None or not sent.external_id:
            return None
        found = await find_in_pages(
            lambda after: self.search(name.last, after=after, first=CHECK_PAGE),
            lambda patient: (
                patient.external_id == sent.external_id
                and (patient.name.first, patient.name.last) == (name.first, name.last)
                and patient.date_of_birth == sent.date_of_birth
            ),
        )
        return None if found is None else found.id


def _shows(patient: Patient, data: PatientInput) -> bool:
    """True when ``patient`` already holds every field set in ``data``."""
    wanted: dict[str, Any] = {
        "date_of_birth": data.date_of_birth,
        "sex": data.sex,
        "phone": data.phone,
        "email": data.email,
        "gender": data.gender,
        "external_id": data.external_id,
    }
    if any(v is not None and getattr(patient, k) != (v or None) for k, v in wanted.items()):
        return False  # "" (removed) shows as None
    if data.name is not None:
        name = patient.name
        if (name.first, name.last) != (data.name.first, data.name.last):
            return False
        if data.name.middle is not None and name.middle != data.name.middle:
            return False
    if data.address is not None:
        have = patient.address
        if have is None:
            return False
        sent = data.address
        return (have.street1, have.street2, have.city, have.state, have.postal_code) == (
            sent.street1,
            sent.street2,
            sent.city,
            sent.state,
            sent.postal_code,
        )
    return True
