"""Prescriptions: list with filters and paging, detail with fills, create (one or many), cancel."""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Sequence
from typing import Any

from photon_desktop.api import parse
from photon_desktop.api.client import GraphQLClient
from photon_desktop.domain import (
    Page,
    Prescription,
    PrescriptionInput,
    PrescriptionState,
)
from photon_desktop.errors import (
    InvalidInput,
    NotFound,
    PhotonError,
    StateConflict,
    WriteOutcomeUnknown,
)
from photon_desktop.services.inputs import prescription_vars, set_only
from photon_desktop.services.outcomes import CHECK_PAGE, Submissions, find_in_pages, settle

NOT_FOUND = (
    "This prescription was not found. It may have been removed, or it belongs to another "
    "organization."
)


ALREADY_CANCELED = "This prescription was already canceled; nothing was changed."


class PrescriptionsService:
    def __init__(self, client: GraphQLClient) -> None:
        self._client = client
        self._submissions = Submissions()

    async def list(
        self,
        *,
        patient_id: str | None = None,
        patient_name: str | None = None,
        state: PrescriptionState | None = None,
        prescriber_id: str | None = None,
        after: str | None = None,
        first: int = 25,
    ) -> Page[Prescription]:
        filter_ = {
            "patientId": patient_id,
            "patientName": patient_name or None,
            "state": state.value if state else None,
            "prescriberId": prescriber_id,
        }
        variables: dict[str, Any] = {
            "filter": set_only(filter_),
            "after": after,
            "first": first,
        }
        data = await self._client.query("ListPrescriptions", variables)
        return parse.cursor_page(Prescription, data, "prescriptions", first)

    async def get(self, prescription_id: str) -> Prescription:
        data = await self._client.query("GetPrescription", {"id": prescription_id})
        if parse.field_or_none(data, "prescription") is None:
            raise NotFound(NOT_FOUND)
        return parse.one(Prescription, data, "prescription")

    async def create(self, data: PrescriptionInput) -> Prescription:
        """Create one prescription (needs a prescriber's ``write:prescription``); never twice.

        ``data.external_id``: the submission's id (``new_external_id()``, once per form, the same
        for every resend), so a resend of a saved prescription returns that prescription."""
        content = data
        external_id = self._submissions.external_id(data.external_id, content)
        data = dataclasses.replace(data, external_id=external_id)

        async def write() -> Prescription:
            answer = await self._client.query("CreatePrescription", prescription_vars(data))
            return parse.one(Prescription, answer, "createPrescription")

        return await self._submissions.send(
            content,
            write,
            lambda: self._find(data.patient_id, data.external_id or ""),
            what="prescription",
            where="the patient's prescriptions",
        )

    async def create_many(self, items: Sequence[PrescriptionInput]) -> builtins.list[Prescription]:
        """Create several prescriptions in one request; the answer keeps the input order."""
        content = tuple(items)
        if not content:
            return []
        batch = self._submissions.external_id(None, content)
        prepared = [
            dataclasses.replace(item, external_id=item.external_id or f"{batch}-{n}")
            for n, item in enumerate(content)
        ]

        async def write() -> builtins.list[Prescription]:
            answer = await self._client.query(
                "CreatePrescriptions",
                {"prescriptions": [prescription_vars(item) for item in prepared]},
            )
            created = parse.items(Prescription, answer, "createPrescriptions")
            by_external = {p.external_id: p for p in created}
            ordered = [by_external.get(item.external_id) for item in prepared]
            return [p for p in ordered if p is not None] if all(ordered) else list(created)

        async def check() -> builtins.list[Prescription] | None:
            found = [await self._find(item.patient_id, item.external_id or "") for item in prepared]
            saved = [p for p in found if p is not None]
            if not saved:
                return None
            if len(saved) != len(prepared):
                raise WriteOutcomeUnknown(
                    f"Sending {len(prepared)} prescriptions failed, and only {len(saved)} of them "
                    "were saved. Check the patient's prescriptions before sending the others again."
                )
            return saved

        return await self._submissions.send(
            content, write, check, what="prescriptions", where="the patient's prescriptions"
        )

    async def cancel(self, prescription_id: str) -> Prescription:
        """Cancel once; a prescription that is already canceled (or past it) says so."""

        async def write() -> Prescription:
            answer = await self._client.query("CancelPrescription", {"id": prescription_id})
            return parse.one(Prescription, answer, "cancelPrescription")

        async def check() -> Prescription | None:
            current = await self.get(prescription_id)
            return current if current.state is PrescriptionState.CANCELED else None

        try:
            return await settle(write, check, what="cancellation", where="the prescription's state")
        except InvalidInput as refused:
            if set(refused.fields) - {"id"}:
                raise
            try:
                state = (await self.get(prescription_id)).state
            except PhotonError:
                raise refused from None
            if state is PrescriptionState.CANCELED:
                raise StateConflict(ALREADY_CANCELED) from refused
            raise StateConflict(
                f"This prescription is {state.value.lower()}, so it can no longer be canceled."
            ) from refused

    async def _find(self, patient_id: str, external_id: str) -> Prescription | None:
        return await find_in_pages(
            lambda after: self.list(patient_id=patient_id, after=after, first=CHECK_PAGE),
            lambda prescription: prescription.external_id == external_id,
        )
