"""Choose a patient by name for a new prescription or order; unsent drafts are listed first."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.formatting import fmt_day
from photon_desktop.ui.common.questions import finished
from photon_desktop.ui.prescriptions.drafts import drafts_for, owner_of
from photon_desktop.ui.workspace import Workspace

DEBOUNCE_MS = 300


class PatientChooser(QDialog):
    """``chosen`` is (patient id, name) once accepted."""

    def __init__(self, workspace: Workspace, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._searches = tasks.Latest(owner=self)
        self.chosen: tuple[str, str] | None = None
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.resize(460, 420)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Patient name…")
        self.edit.setAccessibleName("Search patients")
        self.list = QListWidget(self)
        self.list.setAccessibleName("Patients")
        self.list.itemActivated.connect(lambda _i: self._accept())
        self.list.itemDoubleClicked.connect(lambda _i: self._accept())
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)
        self.edit.textChanged.connect(lambda _t: self._debounce.start())
        self._drafts()

    def _drafts(self) -> None:
        for draft in drafts_for(self._workspace).of(owner_of(self._workspace)):
            item = QListWidgetItem(
                f"{draft.patient_name} — unsent draft from {draft.saved_at:%H:%M}"
            )
            item.setData(Qt.ItemDataRole.UserRole, (draft.patient_id, draft.patient_name))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def search_now(self) -> None:
        self._debounce.stop()
        term = self.edit.text().strip()
        if not term:
            self.list.clear()
            self._drafts()
            return
        self.status.setText("Searching…")
        self._searches.spawn(self._search(term), name="choose-patient-search")

    async def _search(self, term: str) -> None:
        try:
            page = await self._workspace.services.patients.search(term, first=25)
        except errors.PhotonError as exc:
            self.status.setText(f"Could not search patients: {exc}")
            return
        self.list.clear()
        for patient in page.items:
            item = QListWidgetItem(f"{patient.name.full} — born {fmt_day(patient.date_of_birth)}")
            item.setData(Qt.ItemDataRole.UserRole, (patient.id, patient.name.full))
            self.list.addItem(item)
        if page.items:
            self.list.setCurrentRow(0)
        self.status.setText("" if page.items else f"No patient matches “{term}”.")

    def _accept(self) -> None:
        item = self.list.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not value:
            self.status.setText("Choose a patient in the list.")
            return
        self.chosen = (str(value[0]), str(value[1]))
        self.accept()

    def done(self, result: int) -> None:
        self._debounce.stop()
        self._searches.cancel()
        super().done(result)


async def choose_patient(
    workspace: Workspace, parent: QWidget | None, title: str
) -> tuple[str, str] | None:
    dialog = PatientChooser(workspace, parent, title)
    try:
        await finished(dialog)
        return dialog.chosen
    finally:
        dialog.deleteLater()
