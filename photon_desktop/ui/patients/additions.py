"""Add to a patient's chart: an allergy, a medication-history entry, a preferred pharmacy.

Each dialog checks its input, sends one ``updatePatient`` through ``services.chart`` (which sends
the whole list, so a repeat is harmless), keeps its input on failure and says why.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.domain import Allergen, FulfillmentType, Patient
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.formatting import DAY_PATTERN
from photon_desktop.ui.common.problems import failed_write
from photon_desktop.ui.common.questions import finished
from photon_desktop.ui.common.theme import show_error
from photon_desktop.ui.orders.pharmacy_picker import PharmacyPicker
from photon_desktop.ui.prescriptions.treatment_search import TreatmentSearch
from photon_desktop.ui.workspace import Workspace


class ChartDialog(QDialog):
    """Title, content, a message line and Save/Cancel; ``result_patient`` after a save."""

    save_text = "Save"

    def __init__(self, workspace: Workspace, patient: Patient, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self.patient = patient
        self.result_patient: Patient | None = None
        self._busy = False
        self._left_behind = False  # another environment came during a save
        self.content = QVBoxLayout()
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        show_error(self.message)
        self.message.setAccessibleName("Problem")
        self.buttons = QDialogButtonBox(self)
        self.save: QPushButton = self.buttons.addButton(
            self.save_text, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.save.clicked.connect(self._go)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.content, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        workspace.environment_changed.connect(self._on_environment_changed)

    async def _write(self) -> Patient | None:
        raise NotImplementedError

    def _on_environment_changed(self) -> None:
        """Another organization or environment: this patient is not there, and a save would go
        to the new one (the switch asked about unsent work before this dialog may have opened).
        During a save it closes once the answer is in (``_run``)."""
        self._left_behind = True
        self.reject()

    def _go(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.save.setEnabled(False)
        self.message.setText("")
        tasks.spawn(self._run(), owner=self, name="chart-addition")

    async def _run(self) -> None:
        try:
            patient = await self._write()
        except errors.InvalidInput as exc:
            self.message.setText(" ".join(exc.fields.values()) or str(exc))
            return
        except errors.PhotonError as exc:
            self.message.setText(failed_write(exc, "Not saved"))
            return
        finally:
            self._busy = False
            self.save.setEnabled(True)
            # Disabling Save moved the focus and the default to Cancel: Enter sends again.
            self.save.setDefault(True)
            self.save.setFocus(Qt.FocusReason.OtherFocusReason)
            if self._left_behind:  # the environment changed while it was saving
                QTimer.singleShot(0, self.reject)
        if patient is not None:
            self.result_patient = patient
            self.accept()

    def reject(self) -> None:
        if not self._busy:
            super().reject()


class AddAllergyDialog(ChartDialog):
    save_text = "Add allergy"

    def __init__(self, workspace: Workspace, patient: Patient, parent: QWidget | None) -> None:
        super().__init__(workspace, patient, parent)
        self.setWindowTitle(f"Add an allergy — {patient.name.full}")
        self.setAccessibleName("Add an allergy")
        self._searches = tasks.Latest(owner=self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Allergen name, e.g. penicillin")
        self.search.setAccessibleName("Search allergens")
        self.results = QListWidget(self)
        self.results.setAccessibleName("Allergens found")
        self.onset_known = QCheckBox("Onset date known", self)
        self.onset = QDateEdit(self)
        self.onset.setCalendarPopup(True)
        self.onset.setDisplayFormat(DAY_PATTERN)
        self.onset.setMaximumDate(QDate.currentDate())
        self.onset.setDate(QDate.currentDate())
        self.onset.setEnabled(False)
        self.onset.setAccessibleName("Onset")
        self.onset_known.toggled.connect(self.onset.setEnabled)
        self.comment = QLineEdit(self)
        self.comment.setPlaceholderText("e.g. hives")
        self.comment.setAccessibleName("Reaction or comment")
        form = QFormLayout()
        form.addRow("Allergen", self.search)
        form.addRow("", self.results)
        form.addRow("", self.onset_known)
        form.addRow("Onset", self.onset)
        form.addRow("Comment", self.comment)
        self.content.addLayout(form)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(
            lambda: self._searches.spawn(self._search(self.search.text().strip()))
        )
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        if patient.date_of_birth is not None:  # no reaction before the patient was born
            born = patient.date_of_birth
            self.onset.setMinimumDate(QDate(born.year, born.month, born.day))
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    async def _search(self, term: str) -> None:
        try:
            found = await self._workspace.services.catalog.allergens(term or None)
        except errors.PhotonError as exc:
            self.message.setText(f"Could not search allergens: {exc}")
            return
        self.results.clear()
        if term and not found:
            empty = QListWidgetItem(f"No allergen matches “{term}”.")
            empty.setFlags(Qt.ItemFlag.ItemIsEnabled)  # says so; cannot be chosen
            self.results.addItem(empty)
        for allergen in found[:100]:
            item = QListWidgetItem(allergen.name)
            item.setData(Qt.ItemDataRole.UserRole, allergen)
            self.results.addItem(item)
        if len(found) == 1:
            self.results.setCurrentRow(0)

    async def _write(self) -> Patient | None:
        item = self.results.currentItem()
        allergen = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not isinstance(allergen, Allergen):
            self.message.setText("Search and choose the allergen in the list.")
            return None
        onset: date | None = self.onset.date().toPython() if self.onset_known.isChecked() else None  # type: ignore[assignment]
        return await self._workspace.services.chart.add_allergy(
            self.patient, allergen.id, comment=self.comment.text(), onset=onset
        )


class AddMedicationDialog(ChartDialog):
    save_text = "Add to history"

    def __init__(self, workspace: Workspace, patient: Patient, parent: QWidget | None) -> None:
        super().__init__(workspace, patient, parent)
        self.setWindowTitle(f"Add to medication history — {patient.name.full}")
        self.setAccessibleName("Add to medication history")
        self.resize(520, 420)
        self.search = TreatmentSearch(workspace, self)
        self.active = QCheckBox("Currently taking it", self)
        self.active.setChecked(True)
        self.comment = QLineEdit(self)
        self.comment.setAccessibleName("Comment")
        form = QFormLayout()
        form.addRow("Medication", self.search)
        form.addRow("", self.active)
        form.addRow("Comment", self.comment)
        self.content.addLayout(form)
        self.content.addStretch(1)
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    async def _write(self) -> Patient | None:
        treatment = self.search.treatment
        if treatment is None or treatment.kind != "Medication":
            self.message.setText("Search and choose a medication (not equipment) in the list.")
            return None
        return await self._workspace.services.chart.add_medication(
            self.patient, treatment.id, active=self.active.isChecked(), comment=self.comment.text()
        )

    def done(self, result: int) -> None:
        self.search.cancel_tasks()
        super().done(result)


class AddPharmacyDialog(ChartDialog):
    save_text = "Add preferred pharmacy"

    def __init__(self, workspace: Workspace, patient: Patient, parent: QWidget | None) -> None:
        super().__init__(workspace, patient, parent)
        self.setWindowTitle(f"Add a preferred pharmacy — {patient.name.full}")
        self.setAccessibleName("Add a preferred pharmacy")
        self.resize(720, 480)
        zip_code = patient.address.postal_code if patient.address else None
        self.picker = PharmacyPicker(
            workspace,
            FulfillmentType.PICK_UP,
            zip_code=zip_code,
            exclude=[p.id for p in patient.preferred_pharmacies],  # already there
            parent=self,
        )
        self.content.addWidget(self.picker)
        self.picker.name.setFocus(Qt.FocusReason.OtherFocusReason)

    async def _write(self) -> Patient | None:
        pharmacy = self.picker.pharmacy
        if pharmacy is None:
            self.message.setText("Choose a pharmacy in the list.")
            return None
        if any(p.id == pharmacy.id for p in self.patient.preferred_pharmacies):
            self.message.setText(f"{pharmacy.name} is already a preferred pharmacy.")
            return None
        return await self._workspace.services.chart.add_preferred_pharmacy(
            self.patient, pharmacy.id
        )

    def done(self, result: int) -> None:
        self.picker.cancel_tasks()
        super().done(result)


async def add_to_chart(dialog: ChartDialog) -> Patient | None:
    """Open ``dialog`` and await it: the updated patient, or None if cancelled."""
    try:
        await finished(dialog)
        return dialog.result_patient
    finally:
        dialog.deleteLater()


#: What the patient page's "Add …" buttons add to the chart.
ChartAddition = Literal["allergy", "medication", "pharmacy"]


def dialog_for(addition: ChartAddition) -> type[ChartDialog]:
    """The dialog that adds ``addition`` to a chart."""
    dialogs: dict[ChartAddition, type[ChartDialog]] = {
        "allergy": AddAllergyDialog,
        "medication": AddMedicationDialog,
        "pharmacy": AddPharmacyDialog,
    }
    return dialogs[addition]
