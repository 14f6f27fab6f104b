"""One patient's record from ONE request: demographics, address, allergies, medications, preferred
pharmacies, recent prescriptions and orders with their states.

Removing an allergy or a preferred pharmacy asks first (a non-blocking ``QMessageBox.open()`` whose
``finished`` is awaited, never ``exec()``), is gated on ``write:patient``, and shows the record the
server returns. Parts the token may not read (``Patient.unavailable``) show the reason instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.domain import (
    Address,
    Order,
    Patient,
    PatientAllergy,
    PatientMedication,
    Pharmacy,
    Prescription,
)
from photon_desktop.ui.common import icons, tasks
from photon_desktop.ui.common.gating import PermissionGate
from photon_desktop.ui.common.records import (
    Column,
    RowsModel,
    enum_label,
    fmt_date,
    fmt_phone,
    rows_table,
)
from photon_desktop.ui.common.states import StateView
from photon_desktop.ui.patients.chart_actions import PatientChartActions
from photon_desktop.ui.workspace import Workspace

T = TypeVar("T")

WRITE = "write:patient"


def fmt_address(address: Address | None) -> str:
    if address is None:
        return "—"
    lines = [address.street1]
    if address.street2:
        lines.append(address.street2)
    lines.append(f"{address.city}, {address.state} {address.postal_code}")
    return "\n".join(lines)


async def confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Ask yes/no without a nested event loop (``open()`` + await ``finished``)."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAccessibleName(title)
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def done(_result: int) -> None:
        if not future.done():
            future.set_result(None)

    box.finished.connect(done)
    box.open()
    try:
        await future
    finally:
        box.deleteLater()
    return box.clickedButton() is yes


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


class PatientDetail(QWidget):
    """The selected patient. ``load(id)``; a newer load supersedes an older one.

    Signals: ``loaded(Patient)`` after each render; ``changed(Patient)`` after a save or removal;
    ``edit_requested``; ``open_prescription(id)`` and ``open_order(id)`` from their rows.
    """

    loaded = Signal(object)
    changed = Signal(object)
    edit_requested = Signal()
    open_prescription = Signal(str)
    open_order = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._loads = tasks.Latest(owner=self)
        self._writes = tasks.Latest(owner=self)
        self.patient_id: str | None = None
        self.patient: Patient | None = None
        self._signed_in_as: int | None = None

        self.title = QLabel(self)
        self.title.setObjectName("patientTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAccessibleName("Patient name")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edit_button = QPushButton(icons.icon("edit"), "Edit", self)
        self.edit_button.setAccessibleName("Edit patient")
        self.edit_button.setToolTip("Edit this patient's details")
        self.edit_button.clicked.connect(self.edit_requested)
        self.edit_gate = PermissionGate(
            workspace, WRITE, [self.edit_button], tooltip="Edit this patient's details"
        )
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        self.notice = QLabel(self)
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Notice")
        self.notice.setVisible(False)

        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)

        demographics = QWidget(body)
        form = QFormLayout(demographics)
        form.setContentsMargins(0, 0, 0, 0)
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("dob", "Date of birth"),
            ("sex", "Sex"),
            ("gender", "Gender"),
            ("phone", "Phone"),
            ("email", "Email"),
            ("external_id", "External ID"),
            ("id", "Photon ID"),
            ("address", "Address"),
        ):
            value = QLabel(demographics)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(label)
            form.addRow(f"{label}:", value)
            self.fields[key] = value
        body_layout.addWidget(demographics)

        self.allergies_model: RowsModel[PatientAllergy] = RowsModel(
            [
                Column("Allergen", lambda a: a.allergen.name),
                Column("Onset", lambda a: fmt_date(a.onset)),
                Column("Comment", lambda a: a.comment or ""),
            ],
            self,
        )
        self.allergies_table = rows_table(self.allergies_model, "Allergies", body)
        self.remove_allergy_button = QPushButton(icons.icon("remove"), "Remove allergy…", body)
        self.remove_allergy_button.setAccessibleName("Remove selected allergy")
        self.remove_allergy_button.clicked.connect(self._remove_allergy)
        self.allergies = self._section(
            "Allergies", self.allergies_table, self.remove_allergy_button, body
        )

        self.medications_model: RowsModel[PatientMedication] = RowsModel(
            [
                Column("Medication", lambda m: m.medication.name),
                Column("Active", lambda m: "Active" if m.active else "Inactive"),
                Column("Comment", lambda m: m.comment or ""),
            ],
            self,
        )
        self.medications_table = rows_table(self.medications_model, "Medication history", body)
        self.medications = _Section("Medication history", self.medications_table, body)

        self.pharmacies_model: RowsModel[Pharmacy] = RowsModel(
            [
                Column("Pharmacy", lambda p: p.name),
                Column("Phone", lambda p: fmt_phone(p.phone)),
                Column("Address", lambda p: fmt_address(p.address).replace("\n", ", ")),
            ],
            self,
        )
        self.pharmacies_table = rows_table(self.pharmacies_model, "Preferred pharmacies", body)
        self.remove_pharmacy_button = QPushButton(icons.icon("remove"), "Remove pharmacy…", body)
        self.remove_pharmacy_button.setAccessibleName("Remove selected preferred pharmacy")
        self.remove_pharmacy_button.clicked.connect(self._remove_pharmacy)
        self.pharmacies = self._section(
            "Preferred pharmacies", self.pharmacies_table, self.remove_pharmacy_button, body
        )

        self.prescriptions_model: RowsModel[Prescription] = RowsModel(
            [
                Column("Treatment", lambda rx: rx.treatment.name),
                Column("State", lambda rx: enum_label(rx.state)),
                Column("Written", lambda rx: fmt_date(rx.written_at.date())),
                Column("Fills left", lambda rx: f"{rx.fills_remaining} of {rx.fills_allowed}"),
            ],
            self,
        )
        self.prescriptions_table = rows_table(self.prescriptions_model, "Prescriptions", body)
        self.prescriptions_table.setToolTip("Double-click or press Enter to open the prescription")
        self.prescriptions_table.activated.connect(self._open_prescription)
        self.prescriptions_table.doubleClicked.connect(self._open_prescription)
        self.prescriptions = _Section("Prescriptions", self.prescriptions_table, body)

        self.orders_model: RowsModel[Order] = RowsModel(
            [
                Column("Created", lambda o: fmt_date(o.created_at.date())),
                Column("State", lambda o: enum_label(o.state)),
                Column("Pharmacy", lambda o: o.pharmacy.name if o.pharmacy else "—"),
            ],
            self,
        )
        self.orders_table = rows_table(self.orders_model, "Orders", body)
        self.orders_table.setToolTip("Double-click or press Enter to open the order")
        self.orders_table.activated.connect(self._open_order)
        self.orders_table.doubleClicked.connect(self._open_order)
        self.orders = _Section("Orders", self.orders_table, body)

        for section in (
            self.allergies,
            self.medications,
            self.pharmacies,
            self.prescriptions,
            self.orders,
        ):
            body_layout.addWidget(section)
        body_layout.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        scroll.setAccessibleName("Patient details")
        scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocusProxy(scroll)  # Enter in the list moves the keyboard here
        self._content = scroll
        self.state = StateView(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.state)
        self.stack.addWidget(scroll)

        self.header = QWidget(self)
        self.header.setLayout(header)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 12, 12, 12)
        layout.addWidget(self.header)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack, 1)
        self._show_nothing()
        workspace.session_changed.connect(self._on_session_changed)
        workspace.environment_changed.connect(self.clear)
        # Write actions: new prescription / order, add allergy / medication / pharmacy.
        self.chart_actions = PatientChartActions(workspace, self)

    def _section(
        self, title: str, table: QTableView, remove: QPushButton, parent: QWidget
    ) -> _Section:
        box = QWidget(parent)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(table)
        actions = QWidget(box)
        row = QHBoxLayout(actions)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
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
        return _Section(title, box, parent)

    # ------------------------------------------------------------------ loading

    def _allowed(self) -> bool:
        return self._workspace.ready and self._workspace.session.has("read:patient")

    def _why_not(self) -> str:
        if not self._workspace.ready:
            return "Not connected to Photon. Connect in Settings or try the local sandbox."
        return self._workspace.session.why_not("read:patient")

    def _show_nothing(self) -> None:
        self.header.setVisible(False)
        self.notice.setVisible(False)
        self.state.show_empty("Select a patient in the list to see their record.")
        self.stack.setCurrentWidget(self.state)

    def _show_state(self, show: Callable[[], None]) -> None:
        self.header.setVisible(False)
        self.notice.setVisible(False)
        show()
        self.stack.setCurrentWidget(self.state)

    def load(self, patient_id: str) -> None:
        """Show ``patient_id`` (one request); a newer call supersedes an older one."""
        self.patient_id = patient_id
        if not self._allowed():
            self._loads.cancel()
            self._show_state(lambda: self.state.show_message(self._why_not()))
            return
        if self.patient is None or self.patient.id != patient_id:
            self._show_state(lambda: self.state.show_loading("Loading patient…"))
        self._loads.spawn(self._load(patient_id), name="patient-detail")

    def refresh(self) -> None:
        if self.patient_id is not None:
            self.load(self.patient_id)

    def clear(self) -> None:
        self._loads.cancel()
        self.patient_id = None
        self.patient = None
        self._show_nothing()

    def cancel_tasks(self) -> None:
        self._loads.cancel()
        self._writes.cancel()

    def refresh_icons(self) -> None:
        """Recolour icons after a light/dark switch."""
        self.edit_button.setIcon(icons.icon("edit"))
        self.remove_allergy_button.setIcon(icons.icon("remove"))
        self.remove_pharmacy_button.setIcon(icons.icon("remove"))

    def _on_session_changed(self) -> None:
        # Another sign-in may see another organization: reload; a renewed token changes nothing.
        ws = self._workspace
        signed_in_as = ws.session.generation if ws.ready else None
        changed = signed_in_as != self._signed_in_as
        self._signed_in_as = signed_in_as
        if self.patient_id is not None and (changed or not self._allowed() or self.patient is None):
            self.load(self.patient_id)

    async def _load(self, patient_id: str) -> None:
        try:
            patient = await self._workspace.services.patients.get(patient_id)
        except errors.PermissionMissing:
            self._show_state(lambda: self.state.show_message(self._why_not()))
            return
        except errors.NotFound as exc:
            self.patient = None
            missing = str(exc)
            self._show_state(lambda: self.state.show_empty(missing))
            return
        except errors.PhotonError as exc:
            if self.patient is not None and self.patient.id == patient_id:
                self._note(f"Could not refresh: {exc}")  # keep what is shown
                return
            message = f"Could not load the patient: {exc}"
            self._show_state(lambda: self.state.show_error(message, retry=self.refresh))
            return
        self.show_patient(patient)

    # ------------------------------------------------------------------ rendering

    def show_patient(self, patient: Patient) -> None:
        """Render ``patient`` (after a load, or the record a save returned)."""
        self.patient = patient
        self.patient_id = patient.id
        name = patient.name.full or f"{patient.name.first} {patient.name.last}"
        self.title.setText(name)
        self.title.setAccessibleName(f"Patient {name}")
        f = self.fields
        f["dob"].setText(fmt_date(patient.date_of_birth))
        f["sex"].setText(enum_label(patient.sex))
        f["gender"].setText(patient.gender or "—")
        f["phone"].setText(fmt_phone(patient.phone))
        f["email"].setText(patient.email or "—")
        f["external_id"].setText(patient.external_id or "—")
        f["id"].setText(patient.id)
        f["address"].setText(fmt_address(patient.address))
        self._fill(
            self.allergies,
            self.allergies_model,
            patient.allergies,
            "allergies",
            "No known allergies recorded.",
            patient.unavailable,
        )
        self._fill(
            self.medications,
            self.medications_model,
            patient.medication_history,
            "medicationHistory",
            "No medication history.",
            patient.unavailable,
        )
        self._fill(
            self.pharmacies,
            self.pharmacies_model,
            patient.preferred_pharmacies,
            "preferredPharmacies",
            "No preferred pharmacy.",
            patient.unavailable,
        )
        self._fill(
            self.prescriptions,
            self.prescriptions_model,
            patient.prescriptions,
            "prescriptions",
            "No prescriptions.",
            patient.unavailable,
        )
        self._fill(
            self.orders,
            self.orders_model,
            patient.orders,
            "orders",
            "No orders.",
            patient.unavailable,
        )
        self.notice.setVisible(False)
        self.header.setVisible(True)
        self.stack.setCurrentWidget(self._content)
        self.loaded.emit(patient)

    @staticmethod
    def _fill(
        section: _Section,
        model: RowsModel[Any],
        rows: Sequence[Any],
        key: str,
        empty: str,
        unavailable: dict[str, str],
    ) -> None:
        reason = unavailable.get(key)
        if reason:
            model.set_rows(())
            section.show_unavailable(reason)
        else:
            model.set_rows(rows)
            section.show_rows(len(rows), empty)

    def _note(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

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
        if allergy is None or self.patient is None:
            return
        patient = self.patient
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
        if pharmacy is None or self.patient is None:
            return
        patient = self.patient
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

    async def _remove(self, question: str, action: str, send: Callable[[], Any]) -> None:
        if not await confirm(self, action, question, action):
            return
        self.remove_allergy_button.setEnabled(False)
        self.remove_pharmacy_button.setEnabled(False)
        self._note(f"{action}…")
        try:
            patient = await send()
        except errors.PhotonError as exc:
            self._note(f"{action} failed: {exc}")
            return
        self.show_patient(patient)
        self.changed.emit(patient)
