"""Export the patient, prescription or order list to CSV, filtered by patient name and state
(prescriptions and orders start from the state their own list is filtered by): pages through the
API with progress, can be cancelled, and says how many rows were written. CSVs are patient data:
the save dialog says so, and a cancelled export leaves no file behind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.domain import (
    Order,
    OrderState,
    Page,
    PatientSummary,
    Prescription,
    PrescriptionState,
)
from photon_desktop.services import Services, support
from photon_desktop.ui.common import preferences, tasks, theme
from photon_desktop.ui.workspace import Workspace

PATIENT_DATA_NOTE = (
    "A CSV holds patient data (names, dates of birth, contact details). Save it only where "
    "your clinic allows patient records, and delete it when done."
)

Pages = Callable[[str | None], Awaitable[Page[Any]]]


@dataclass(frozen=True)
class Kind:
    title: str
    permission: str
    states: tuple[str, ...]
    pages: Callable[[Services, str, str | None], Pages]
    record: type  # what its pages hold: the CSV's columns, rows or none


def _patients(s: Services, name: str, _state: str | None) -> Pages:
    return lambda after: s.patients.search(name, after=after, first=support.EXPORT_PAGE)


def _prescriptions(s: Services, name: str, state: str | None) -> Pages:
    chosen = PrescriptionState(state) if state else None
    return lambda after: s.prescriptions.list(
        patient_name=name, state=chosen, after=after, first=support.EXPORT_PAGE
    )


def _orders(s: Services, name: str, state: str | None) -> Pages:
    chosen = OrderState(state) if state else None
    return lambda after: s.orders.list(
        patient_name=name, state=chosen, after=after, first=support.EXPORT_PAGE
    )


KINDS = {
    "patients": Kind("Patients", "read:patient", (), _patients, PatientSummary),
    "prescriptions": Kind(
        "Prescriptions",
        "read:prescription",
        tuple(s.value for s in PrescriptionState),
        _prescriptions,
        Prescription,
    ),
    "orders": Kind("Orders", "read:order", tuple(s.value for s in OrderState), _orders, Order),
}


class ExportView(QWidget):
    """Choose a list and filter, then Export to CSV…; ``finished(count)`` when a file is written."""

    finished = Signal(int)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._export = tasks.Latest(owner=self)
        self._busy = False
        self.kind = QComboBox(self)
        self.kind.setAccessibleName("List to export")
        for key, kind in KINDS.items():
            self.kind.addItem(kind.title, key)
        self.kind.currentIndexChanged.connect(self._on_kind)
        self.name = QLineEdit(self)
        self.name.setAccessibleName("Patient name filter")
        self.name.setPlaceholderText("All patients")
        self.state = QComboBox(self)
        self.state.setAccessibleName("State filter")
        self.export_button = QPushButton("Export to CSV…", self)
        self.export_button.clicked.connect(self.choose_file)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel export")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.progress.setAccessibleName("Export progress")
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Export result")
        note = QLabel(PATIENT_DATA_NOTE, self)
        note.setWordWrap(True)

        form = QFormLayout()
        form.addRow("List", self.kind)
        form.addRow("Patient name", self.name)
        form.addRow("State", self.state)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        layout.addStretch(1)
        workspace.session_changed.connect(self._update)
        self._on_kind()

    @property
    def busy(self) -> bool:
        return self._busy

    def _on_kind(self) -> None:
        kind = KINDS[self.kind.currentData()]
        self.state.clear()
        self.state.addItem("Any state", None)
        for state in kind.states:
            self.state.addItem(state.capitalize(), state)
        self.state.setEnabled(bool(kind.states))
        if kind.states:  # start from the state the list itself is filtered by
            shown = preferences.list_state_filter(self.kind.currentData()).get()
            self.state.setCurrentIndex(max(0, self.state.findData(shown)))
        self._update()

    def _update(self) -> None:
        """Export only with the permission the chosen list needs; say why not otherwise."""
        kind = KINDS[self.kind.currentData()]
        ready = self._workspace.ready
        allowed = ready and self._workspace.session.has(kind.permission)
        self.export_button.setEnabled(allowed and not self.busy)
        why = (
            "Not connected to Photon."
            if not ready
            else ""
            if allowed
            else self._workspace.session.why_not(kind.permission)
        )
        self.export_button.setToolTip(why or f"Save the {kind.title.lower()} list as CSV")

    def choose_file(self) -> QFileDialog:
        """The save dialog (Qt's own, so it can carry the patient-data note)."""
        kind = KINDS[self.kind.currentData()]
        dialog = QFileDialog(self, f"Export {kind.title.lower()} — patient data")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("CSV (*.csv)")
        dialog.setDefaultSuffix("csv")
        dialog.selectFile(f"{self.kind.currentData()}.csv")
        grid = dialog.layout()
        if isinstance(grid, QGridLayout):
            warning = QLabel(PATIENT_DATA_NOTE, dialog)
            warning.setWordWrap(True)
            warning.setAccessibleName("Patient data warning")
            theme.show_error(warning, "color: {error}; font-weight: bold;")
            grid.addWidget(warning, grid.rowCount(), 0, 1, -1)
        dialog.fileSelected.connect(lambda path: self.export(Path(path)))
        dialog.open()
        self.dialog = dialog
        return dialog

    def export(self, path: Path) -> None:
        if self.busy or not self._workspace.ready:
            return
        kind = KINDS[self.kind.currentData()]
        pages = kind.pages(
            self._workspace.services, self.name.text().strip(), self.state.currentData()
        )
        self._set_busy(True)
        self.result.setText("")
        self._export.spawn(self._run(kind, pages, path), name="support-export")

    async def _run(self, kind: Kind, pages: Pages, path: Path) -> None:
        def progress(count: int) -> None:
            self.progress.setFormat(f"{count:,} rows")
            self.progress.setTextVisible(True)

        try:
            count = await support.export_csv(pages, path, record=kind.record, progress=progress)
        except errors.PhotonError as error:
            self._set_busy(False)
            self._fail(f"Export failed; no file was saved. {error}")
            return
        except OSError as error:
            self._set_busy(False)
            self._fail(f"Could not write {path.name}: {error.strerror or error}.")
            return
        self._set_busy(False)
        theme.show_error(self.result, None)
        self.result.setText(f"Exported {count:,} {kind.title.lower()} to {path}.")
        self.finished.emit(count)

    def _fail(self, text: str) -> None:
        theme.show_error(self.result)
        self.result.setText(text)

    def cancel(self) -> None:
        """Stop the export; its partial file is removed as the task ends (``export_csv``)."""
        if not self.busy:
            return
        self._export.cancel()
        self._set_busy(False)
        theme.show_error(self.result, None)
        self.result.setText("Export cancelled; no file was saved.")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self.kind.setEnabled(not busy)
        self._update()

    def cancel_tasks(self) -> None:
        self._export.cancel()
