"""The patient page's write actions: new prescription, new order, add allergy / medication /
preferred pharmacy. Each needs its permission and is hidden without it; without
``write:prescription`` the bar says who can prescribe instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from photon_desktop.domain import Patient
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.flow_layout import FlowLayout
from photon_desktop.ui.common.gating import PermissionGate
from photon_desktop.ui.orders.launch import open_new_order
from photon_desktop.ui.prescriptions import WRITE as WRITE_PRESCRIPTION
from photon_desktop.ui.prescriptions.launch import open_prescription_form
from photon_desktop.ui.workspace import Workspace

if TYPE_CHECKING:
    from photon_desktop.ui.patients.additions import ChartAddition, ChartDialog


class PatientChartActions(QWidget):
    """A row of buttons under the patient's name (and under them, who may prescribe); shown while
    the header (a patient) is shown."""

    def __init__(self, workspace: Workspace, detail: QWidget) -> None:
        super().__init__(detail)
        self.setObjectName("patientActions")
        self.setAccessibleName("Patient actions")
        self._workspace = workspace
        self._detail = detail
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 4)
        column.setSpacing(2)
        # Wraps when narrow: on one line, five buttons made the detail so wide that the patient
        # list beside it cut every name at 1200 px.
        row = FlowLayout()
        column.addLayout(row)
        self.prescribe_button = QPushButton("New prescription…", self)
        self.order_button = QPushButton("New order…", self)
        self.allergy_button = QPushButton("Add allergy…", self)
        self.medication_button = QPushButton("Add medication…", self)
        self.pharmacy_button = QPushButton("Add preferred pharmacy…", self)
        self.who_prescribes = QLabel(self)
        self.who_prescribes.setAccessibleName("Who can prescribe")
        self.who_prescribes.setWordWrap(True)
        self.gates: dict[str, PermissionGate] = {}
        for key, button, permission in (
            ("prescribe", self.prescribe_button, WRITE_PRESCRIPTION),
            ("order", self.order_button, "write:order"),
            ("allergy", self.allergy_button, "write:patient"),
            ("medication", self.medication_button, "write:patient"),
            ("pharmacy", self.pharmacy_button, "write:patient"),
        ):
            button.setAccessibleName(button.text().rstrip("…"))
            row.addWidget(button)
            self.gates[key] = PermissionGate(workspace, permission, [button], hide=True)
        # Its own line under the buttons: beside them it wrapped into a narrow column.
        column.addWidget(self.who_prescribes)
        self.prescribe_button.clicked.connect(self._prescribe)
        self.order_button.clicked.connect(self._order)
        self.allergy_button.clicked.connect(lambda: self._add("allergy"))
        self.medication_button.clicked.connect(lambda: self._add("medication"))
        self.pharmacy_button.clicked.connect(lambda: self._add("pharmacy"))
        workspace.session_changed.connect(self._update)
        layout = detail.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(1, self)
        header = getattr(detail, "header", None)
        if isinstance(header, QWidget):
            header.installEventFilter(self)
            self.setVisible(header.isVisibleTo(detail))
        self._update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            self.setVisible(event.type() == QEvent.Type.Show)
        return False

    @property
    def patient(self) -> Patient | None:
        value = getattr(self._detail, "patient", None)
        return value if isinstance(value, Patient) else None

    def _update(self) -> None:
        gate = self.gates["prescribe"]
        why = "" if gate.allowed or not self._workspace.ready else gate.reason()
        self.who_prescribes.setText(why)
        self.who_prescribes.setVisible(bool(why))

    def _prescribe(self) -> None:
        patient = self.patient
        if patient is not None:
            form = open_prescription_form(
                self._workspace, patient.id, patient.name.full, self._detail.window()
            )
            if form is not None:
                refresh = self._refresh_detail
                form.add_follower(self, (form.sent, refresh), (form.ordered, refresh))

    def _order(self) -> None:
        patient = self.patient
        if patient is not None:
            window = open_new_order(self._workspace, patient.id, parent=self._detail.window())
            if window is not None:
                window.when_sent(self, self._refresh_detail)

    def _refresh_detail(self, *_args: object) -> None:
        """The patient's prescriptions or orders changed: show them."""
        refresh = getattr(self._detail, "refresh", None)
        if callable(refresh):
            refresh()

    def _add(self, addition: ChartAddition) -> None:
        """Open the dialog that adds ``addition`` (``additions``: imported with the first)."""
        from photon_desktop.ui.patients import additions

        patient = self.patient
        if patient is None:
            return
        kind = additions.dialog_for(addition)

        async def go() -> None:
            chart_dialog: ChartDialog = kind(self._workspace, patient, self._detail)
            updated = await additions.add_to_chart(chart_dialog)
            if updated is not None:
                show = getattr(self._detail, "show_record", None)
                if callable(show):
                    show(updated)
                changed = getattr(self._detail, "changed", None)
                if changed is not None:
                    changed.emit(updated)

        tasks.spawn(go(), owner=self._detail, name="add-to-chart")
