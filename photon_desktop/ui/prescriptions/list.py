"""The prescriptions list: paged, filtered by state and patient, with the selected one's detail."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from photon_desktop.domain import Page, Prescription, PrescriptionState
from photon_desktop.ui.common.formatting import enum_label, fmt_date, fmt_quantity
from photon_desktop.ui.common.paged_model import Column
from photon_desktop.ui.common.records_page import PAGE_SIZE, ListFilter, RecordsPage
from photon_desktop.ui.prescriptions.detail import READ_PERMISSION, PrescriptionDetail
from photon_desktop.ui.prescriptions.launch import PrescribeEntry
from photon_desktop.ui.workspace import Workspace

COLUMNS: tuple[Column[Prescription], ...] = (
    Column("Treatment", lambda rx: rx.treatment.name, key=True),
    Column("Patient", lambda rx: rx.patient_name.full if rx.patient_name else rx.patient_id),
    Column("State", lambda rx: enum_label(rx.state)),
    Column("Quantity", lambda rx: f"{fmt_quantity(rx.dispense_quantity)} {rx.dispense_unit}"),
    Column("Fills left", lambda rx: f"{rx.fills_remaining} of {rx.fills_allowed}"),
    Column("Written", lambda rx: fmt_date(rx.written_at.date()), whole=True),
    Column("Expires", lambda rx: fmt_date(rx.expiration_date), whole=True),
    Column("ID", lambda rx: rx.id),
)


class PrescriptionsPage(RecordsPage[Prescription]):
    """Emits ``order_requested(id)`` / ``patient_requested(id)`` for links elsewhere."""

    order_requested = Signal(str)
    patient_requested = Signal(str)
    kind = "prescription"
    kinds = "prescriptions"
    permission = READ_PERMISSION
    state_enum = PrescriptionState

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        detail = PrescriptionDetail(workspace)
        super().__init__(workspace, detail, COLUMNS, parent)
        self.setAccessibleName("Prescriptions")
        detail.order_requested.connect(self.order_requested)
        detail.patient_requested.connect(self.patient_requested)
        self.prescribe = PrescribeEntry(workspace, self)  # "New prescription…"
        self.add_tool(self.prescribe)

    def open_prescription(self, prescription_id: str) -> None:
        """Show one prescription (e.g. from the patient detail)."""
        self.open(prescription_id)

    async def _fetch_page(self, flt: ListFilter, after: str | None) -> Page[Prescription]:
        state = flt.state if isinstance(flt.state, PrescriptionState) else None
        return await self._workspace.services.prescriptions.list(
            patient_id=flt.patient_id,
            patient_name=None if flt.patient_id else flt.patient_name,
            state=state,
            after=after,
            first=PAGE_SIZE,
        )
