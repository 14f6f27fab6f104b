"""One prescription: treatment, quantity, instructions, dates, fills and prescriber.

Its actions (send to a pharmacy, duplicate, cancel: ``actions.py``) sit in ``action_bar``, each
gated on its own permission.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from photon_desktop.domain import Fill, Prescription
from photon_desktop.ui.common.field_grid import FieldGrid, section
from photon_desktop.ui.common.formatting import (
    enum_label,
    fmt_date,
    fmt_datetime,
    fmt_quantity,
    text_or_dash,
)
from photon_desktop.ui.common.link_label import LinkLabel
from photon_desktop.ui.common.paged_model import Column
from photon_desktop.ui.common.record_detail import RecordDetail
from photon_desktop.ui.common.rows_table import RowsModel, rows_table
from photon_desktop.ui.prescriptions.actions import PrescriptionActions
from photon_desktop.ui.workspace import Workspace

READ_PERMISSION = "read:prescription"

FILL_COLUMNS: tuple[Column[Fill], ...] = (
    Column("State", lambda f: enum_label(f.state)),
    Column("Requested", lambda f: fmt_datetime(f.requested_at), whole=True),
    Column("Filled", lambda f: fmt_datetime(f.filled_at), whole=True),
    Column("Order", lambda f: text_or_dash(f.order_id)),
)


class PrescriptionDetail(RecordDetail[Prescription]):
    """Signals ``order_requested(id)`` and ``patient_requested(id)`` for links to other views."""

    order_requested = Signal(str)
    patient_requested = Signal(str)
    kind = "prescription"

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, READ_PERMISSION, parent)
        self.setAccessibleName("Prescription details")
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 8, 0)

        self.patient_link = LinkLabel(self.body)
        self.patient_link.setAccessibleName("Patient")
        self.patient_link.linkActivated.connect(self._on_patient_link)
        body.addWidget(self.patient_link)

        body.addWidget(section("Treatment", self.body))
        self.treatment = FieldGrid()
        for label in ("Treatment", "Quantity", "Days supply", "Dispense as written"):
            self.treatment.add(self.body, label)
        body.addLayout(self.treatment)

        body.addWidget(section("Instructions", self.body))
        self.instructions = FieldGrid()
        for label in ("Instructions", "Notes to pharmacist"):
            self.instructions.add(self.body, label)
        body.addLayout(self.instructions)

        body.addWidget(section("Dates and fills", self.body))
        self.dates = FieldGrid()
        for label in ("Written", "Effective", "Expires", "Fills allowed", "Fills remaining"):
            self.dates.add(self.body, label)
        body.addLayout(self.dates)

        body.addWidget(section("Prescriber", self.body))
        self.prescriber = FieldGrid()
        for label in ("Name", "NPI", "Email"):
            self.prescriber.add(self.body, label)
        body.addLayout(self.prescriber)

        body.addWidget(section("Fills", self.body))
        self.fills_model: RowsModel[Fill] = RowsModel(FILL_COLUMNS, self)
        self.fills_table = rows_table(self.fills_model, "Fills of this prescription", self.body)
        self.fills_table.setToolTip("Double-click a fill to open its order")
        self.fills_table.activated.connect(self._on_fill_activated)
        self.fills_empty = QLabel("No fills yet.", self.body)
        self.fills_empty.setAccessibleName("No fills")
        body.addWidget(self.fills_table)
        body.addWidget(self.fills_empty)

        self.ids = FieldGrid()
        for label in ("Prescription ID", "External ID"):
            self.ids.add(self.body, label)
        body.addWidget(section("Identifiers", self.body))
        body.addLayout(self.ids)
        body.addStretch(1)
        # Write actions: send to a pharmacy, duplicate, cancel.
        self.write_actions = PrescriptionActions(workspace, self)

    async def _fetch(self, record_id: str) -> Prescription:
        return await self._workspace.services.prescriptions.get(record_id)

    def _render(self, rx: Prescription) -> None:
        treatment = rx.treatment
        title = treatment.name
        if treatment.strength and treatment.strength not in title:
            title = f"{title} {treatment.strength}"
        self.title.setText(title)
        self.badge.setText(enum_label(rx.state))
        self.badge.setVisible(True)
        self.badge.setAccessibleDescription(f"State: {enum_label(rx.state)}")

        patient = rx.patient_name.full if rx.patient_name else rx.patient_id
        self.patient_link.setText(
            f'Patient: <a href="patient:{html.escape(rx.patient_id)}">{html.escape(patient)}</a>'
        )
        self.patient_link.setAccessibleDescription(f"Patient {patient}")

        kind = "Medical equipment" if treatment.kind == "MedicalEquipment" else "Medication"
        form = ", ".join(p for p in (treatment.form, kind) if p)
        self.treatment.set("Treatment", f"{treatment.name} ({form})")
        self.treatment.set("Quantity", f"{fmt_quantity(rx.dispense_quantity)} {rx.dispense_unit}")
        self.treatment.set(
            "Days supply", "—" if rx.days_supply is None else f"{rx.days_supply} days"
        )
        self.treatment.set(
            "Dispense as written",
            "—" if rx.dispense_as_written is None else ("Yes" if rx.dispense_as_written else "No"),
        )
        self.instructions.set("Instructions", text_or_dash(rx.instructions))
        self.instructions.set("Notes to pharmacist", text_or_dash(rx.notes))
        self.dates.set("Written", fmt_datetime(rx.written_at))
        self.dates.set("Effective", fmt_date(rx.effective_date))
        self.dates.set("Expires", fmt_date(rx.expiration_date))
        self.dates.set("Fills allowed", str(rx.fills_allowed))
        self.dates.set("Fills remaining", str(rx.fills_remaining))
        doctor = rx.prescriber
        self.prescriber.set("Name", doctor.name.full if doctor else "—")
        self.prescriber.set("NPI", text_or_dash(doctor.npi if doctor else None))
        self.prescriber.set("Email", text_or_dash(doctor.email if doctor else None))
        self.fills_model.set_rows(rx.fills)
        self.fills_table.setVisible(bool(rx.fills))
        self.fills_empty.setVisible(not rx.fills)
        self.ids.set("Prescription ID", rx.id)
        self.ids.set("External ID", text_or_dash(rx.external_id))

    def _on_patient_link(self, href: str) -> None:
        self.patient_requested.emit(href.removeprefix("patient:"))

    def _on_fill_activated(self, index: QModelIndex) -> None:
        order_id = self.fills_model.item(index.row()).order_id
        if order_id:
            self.order_requested.emit(order_id)
