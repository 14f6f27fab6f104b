"""One patient's record from ONE request: demographics, address, allergies, medications, preferred
pharmacies, recent prescriptions and orders with their states.

Removing an allergy or a preferred pharmacy asks first (never a nested event loop), is gated on
``write:patient``, and shows the record the server returns. Parts the token may not read
(``Patient.unavailable``) show the reason instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors, services
from photon_desktop.domain import (
    Order,
    Patient,
    PatientAllergy,
    PatientMedication,
    Pharmacy,
    Prescription,
)
from photon_desktop.ui.common import icons, tasks
from photon_desktop.ui.common.field_grid import FieldGrid
from photon_desktop.ui.common.formatting import (
    enum_label,
    fmt_address,
    fmt_birth_date,
    fmt_date,
    fmt_phone,
    text_or_dash,
)
from photon_desktop.ui.common.gating import PermissionGate
from photon_desktop.ui.common.paged_model import Column
from photon_desktop.ui.common.questions import ask
from photon_desktop.ui.common.record_detail import RecordDetail
from photon_desktop.ui.common.rows_table import RowsModel, rows_table
from photon_desktop.ui.patients.chart_actions import PatientChartActions
from photon_desktop.ui.workspace import Workspace

T = TypeVar("T")

READ = "read:patient"
WRITE = "write:patient"
FIELDS = (
    "Date of birth",
    "Sex",
    "Gender",
    "Phone",
    "Email",
    "External ID",
    "Photon ID",
    "Address",
)


class _Section(QGroupBox):
    """A titled part of the record that either shows its content or why it is unavailable."""

    def __init__(self, title: str, content: QWidget, parent: QWidget) -> None:
        super().__init__(title, parent)
        self.setAccessibleName(title)
        self.content = content
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        self.reason.setAccessibleName(f"{title} unavailable")
        self.empty = QLabel(self)
        self.empty.setAccessibleName(f"{title}: none")
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addWidget(self.empty)
        layout.addWidget(content)

    def show_rows(self, count: int, empty_text: str) -> None:
        self.reason.setVisible(False)
        self.empty.setText(empty_text)
        self.empty.setVisible(count == 0)
        self.content.setVisible(count > 0)

    def show_unavailable(self, reason: str) -> None:
        self.reason.setText(reason)
        self.reason.setVisible(True)
        self.empty.setVisible(False)
        self.content.setVisible(False)


class PatientDetail(RecordDetail[Patient]):
    """Signals: ``changed(Patient)`` after a removal; ``edit_requested``;
    ``open_prescription(id)`` and ``open_order(id)`` from their rows."""

    changed = Signal(object)
    edit_requested = Signal()
    open_prescription = Signal(str)
    open_order = Signal(str)
    kind = "patient"

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, READ, parent)
        self.setAccessibleName("Patient details")
        self.title.setAccessibleName("Patient name")
        self._writes = tasks.Latest(owner=self)
        self.edit_button = QPushButton(icons.icon("edit"), "Edit", self)
        self.edit_button.setAccessibleName("Edit patient")
        self.edit_button.clicked.connect(self.edit_requested)
        self.edit_gate = self.action_bar.add(
            self.edit_button, WRITE, tooltip="Edit this patient's details"
        )

        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 8, 0)
        self.fields = FieldGrid()
        for label in FIELDS:
            self.fields.add(self.body, label)
        body.addLayout(self.fields)

        self.allergies_model: RowsModel[PatientAllergy] = RowsModel(
            [
                Column("Allergen", lambda a: a.allergen.name),
                Column("Onset", lambda a: fmt_date(a.onset)),
                Column("Comment", lambda a: a.comment or ""),
            ],
            self,
        )
        self.allergies_table = rows_table(self.allergies_model, "Allergies", self.body)
        self.remove_allergy_button = QPushButton(icons.icon("remove"), "Remove allergy…")
        self.remove_allergy_button.setAccessibleName("Remove selected allergy")
        self.remove_allergy_button.clicked.connect(self._remove_allergy)
        self.allergies = self._section(
            "Allergies", self.allergies_table, self.remove_allergy_button
        )

        self.medications_model: RowsModel[PatientMedication] = RowsModel(
            [
                Column("Medication", lambda m: m.medication.name),
                Column("Active", lambda m: "Active" if m.active else "Inactive"),
                Column("Comment", lambda m: m.comment or ""),
            ],
            self,
        )
        self.medications_table = rows_table(self.medications_model, "Medication history", self.body)
        self.medications = _Section("Medication history", self.medications_table, self.body)

        self.pharmacies_model: RowsModel[Pharmacy] = RowsModel(
            [
                Column("Pharmacy", lambda p: p.name),
                Column("Phone", lambda p: fmt_phone(p.phone), whole=True),
                Column("Address", lambda p: fmt_address(p.address, one_line=True)),
            ],
            self,
        )
        self.pharmacies_table = rows_table(self.pharmacies_model, "Preferred pharmacies", self.body)
        self.remove_pharmacy_button = QPushButton(icons.icon("remove"), "Remove pharmacy…")
        self.remove_pharmacy_button.setAccessibleName("Remove selected preferred pharmacy")
        self.remove_pharmacy_button.clicked.connect(self._remove_pharmacy)
        self.pharmacies = self._section(
            "Preferred pharmacies", self.pharmacies_table, self.remove_pharmacy_button
        )

        self.prescriptions_model: RowsModel[Prescription] = RowsModel(
            [
                Column("Treatment", lambda rx: rx.treatment.name),
                Column("State", lambda rx: enum_label(rx.state)),
                Column("Written", lambda rx: fmt_date(rx.written_at.date()), whole=True),
                Column("Fills left", lambda rx: f"{rx.fills_remaining} of {rx.fills_allowed}"),
            ],
            self,
        )
        self.prescriptions_table = rows_table(self.prescriptions_model, "Prescriptions", self.body)
        self.prescriptions_table.setToolTip("Double-click or press Enter to open the prescription")
        self.prescriptions_table.activated.connect(self._open_prescription)
        self.prescriptions_table.doubleClicked.connect(self._open_prescription)
        self.prescriptions = _Section("Prescriptions", self.prescriptions_table, self.body)

        self.orders_model: RowsModel[Order] = RowsModel(
            [
                Column("Created", lambda o: fmt_date(o.created_at.date()), whole=True),
                Column("State", lambda o: enum_label(o.state)),
                Column("Pharmacy", lambda o: o.pharmacy.name if o.pharmacy else "—"),
            ],
            self,
        )
        self.orders_table = rows_table(self.orders_model, "Orders", self.body)
        self.orders_table.setToolTip("Double-click or press Enter to open the order")
        self.orders_table.activated.connect(self._open_order)
        self.orders_table.doubleClicked.connect(self._open_order)
        self.orders = _Section("Orders", self.orders_table, self.body)

        for part in (
            self.allergies,
            self.medications,
            self.pharmacies,
            self.prescriptions,
            self.orders,
        ):
            body.addWidget(part)
        body.addStretch(1)
        # Write actions: new prescription / order, add allergy / medication / pharmacy.
        self.chart_actions = PatientChartActions(workspace, self)

    @property
    def patient(self) -> Patient | None:
        return self.record

    def _nothing_text(self) -> str:
        return "Select a patient in the list to see their record."

    def _section(self, title: str, table: QTableView, remove: QPushButton) -> _Section:
        box = QWidget(self.body)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(table)
        actions = QWidget(box)
        row = QHBoxLayout(actions)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        remove.setParent(actions)
        row.addWidget(remove)
        layout.addWidget(actions)
        # Hidden without write:patient; otherwise enabled only while a row is selected.
        PermissionGate(self._workspace, WRITE, [actions], hide=True)
        remove.setEnabled(False)
        selection = table.selectionModel()
        selection.selectionChanged.connect(
            lambda *_: remove.setEnabled(selection.hasSelection() and not self._writes.busy)
        )
        table.model().modelReset.connect(lambda: remove.setEnabled(False))
        return _Section(title, box, self.body)

    def cancel_tasks(self) -> None:
        super().cancel_tasks()
        self._writes.cancel()

    def refresh_icons(self) -> None:
        """Recolour icons after a light/dark switch."""
        self.edit_button.setIcon(icons.icon("edit"))
        self.remove_allergy_button.setIcon(icons.icon("remove"))
        self.remove_pharmacy_button.setIcon(icons.icon("remove"))

    # ------------------------------------------------------------------ loading and rendering

    async def _fetch(self, record_id: str) -> Patient:
        return await self._workspace.services.patients.get(record_id)

    def _render(self, patient: Patient) -> None:
        name = patient.name.full or f"{patient.name.first} {patient.name.last}"
        self.title.setText(name)
        f = self.fields
        f.set("Date of birth", fmt_birth_date(patient.date_of_birth))
        f.set("Sex", enum_label(patient.sex))
        f.set("Gender", text_or_dash(patient.gender))
        f.set("Phone", fmt_phone(patient.phone))
        f.set("Email", text_or_dash(patient.email))
        external = text_or_dash(patient.external_id)
        if services.is_app_external_id(patient.external_id):  # as the form names it
            external = f"{external} (assigned by Photon Desktop)"
        f.set("External ID", external)
        f.set("Photon ID", patient.id)
        f.set("Address", fmt_address(patient.address))
        parts: tuple[tuple[_Section, RowsModel[Any], Sequence[Any], str, str], ...] = (
            (self.allergies, self.allergies_model, patient.allergies, "allergies",
             "No known allergies recorded."),
            (self.medications, self.medications_model, patient.medication_history,
             "medicationHistory", "No medication history."),
            (self.pharmacies, self.pharmacies_model, patient.preferred_pharmacies,
             "preferredPharmacies", "No preferred pharmacy."),
            (self.prescriptions, self.prescriptions_model, patient.prescriptions,
             "prescriptions", "No prescriptions."),
            (self.orders, self.orders_model, patient.orders, "orders", "No orders."),
        )  # fmt: skip
        for part, model, rows, key, empty in parts:
            reason = patient.unavailable.get(key)
            if reason:
                model.set_rows(())
                part.show_unavailable(reason)
            else:
                model.set_rows(rows)
                part.show_rows(len(rows), empty)

    # ------------------------------------------------------------------ links

    def _open_prescription(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_prescription.emit(self.prescriptions_model.item(index.row()).id)

    def _open_order(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_order.emit(self.orders_model.item(index.row()).id)

    # ------------------------------------------------------------------ removals

    def _selected(self, table: QTableView, model: RowsModel[T]) -> T | None:
        rows = table.selectionModel().selectedRows()
        return model.item(rows[0].row()) if rows else None

    def _remove_allergy(self) -> None:
        allergy = self._selected(self.allergies_table, self.allergies_model)
        patient = self.record
        if allergy is None or patient is None:
            return
        self._writes.spawn(
            self._remove(
                f"Remove the allergy to {allergy.allergen.name} from {patient.name.full}'s record?",
                "Remove allergy",
                lambda: self._workspace.services.patients.remove_allergy(
                    patient.id, allergy.allergen.id
                ),
            ),
            name="remove-allergy",
        )

    def _remove_pharmacy(self) -> None:
        pharmacy = self._selected(self.pharmacies_table, self.pharmacies_model)
        patient = self.record
        if pharmacy is None or patient is None:
            return
        self._writes.spawn(
            self._remove(
                f"Remove {pharmacy.name} from {patient.name.full}'s preferred pharmacies?",
                "Remove pharmacy",
                lambda: self._workspace.services.patients.remove_preferred_pharmacy(
                    patient.id, pharmacy.id
                ),
            ),
            name="remove-pharmacy",
        )

    async def _remove(
        self, question: str, action: str, send: Callable[[], Awaitable[Patient]]
    ) -> None:
        if not await ask(self, action, question, action):
            return
        self.remove_allergy_button.setEnabled(False)
        self.remove_pharmacy_button.setEnabled(False)
        self.note(f"{action}…")
        try:
            patient = await send()
        except errors.PhotonError as exc:
            self.note(f"{action} failed: {exc}")
            return
        finally:
            self._enable_removals()  # a row still selected after a failure can be tried again
        if self.record is not None and self.record.id == patient.id:
            self.show_record(patient)  # not when the user has gone on to another patient
        self.changed.emit(patient)

    def _enable_removals(self) -> None:
        """Each remove button as its table's selection says (called as a write ends)."""
        for button, table in (
            (self.remove_allergy_button, self.allergies_table),
            (self.remove_pharmacy_button, self.pharmacies_table),
        ):
            button.setEnabled(table.selectionModel().hasSelection())
