"""The patient list beside the selected patient's record: search as you type (the name on the
server, a date of birth or phone narrowing here), cursor paging as you scroll, create and edit in
a dialog. Built on the shared paged list and list/detail page.

Sorting: Photon returns patients in its own order and has no sort argument, so clicking a column
header sorts the rows *loaded so far* (the header tooltip says so); a third click returns to the
server's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QToolButton, QWidget

from photon_desktop.domain import Patient, PatientSummary
from photon_desktop.ui.common import icons, preferences
from photon_desktop.ui.common.formatting import enum_label, fmt_birth_date, fmt_phone
from photon_desktop.ui.common.gating import PermissionGate
from photon_desktop.ui.common.list_detail import ListDetailPage
from photon_desktop.ui.common.paged_list import Fetcher, PagedList
from photon_desktop.ui.common.paged_model import Column
from photon_desktop.ui.common.states import StateView
from photon_desktop.ui.patients.detail import PatientDetail
from photon_desktop.ui.patients.search import PLACEHOLDER, PatientQuery, narrowed
from photon_desktop.ui.workspace import Workspace

if TYPE_CHECKING:
    from photon_desktop.ui.patients.form import PatientForm

PAGE_SIZE = 100
DEBOUNCE_MS = 300

COLUMNS: tuple[Column[PatientSummary], ...] = (
    Column(
        "Name",
        lambda p: p.name.full or f"{p.name.first} {p.name.last}",
        sort_key=lambda p: (p.name.last.casefold(), p.name.first.casefold()),
        key=True,
    ),
    Column(
        "Date of birth",
        lambda p: fmt_birth_date(p.date_of_birth),
        sort_key=lambda p: p.date_of_birth.isoformat(),
        whole=True,
    ),
    Column("Sex", lambda p: enum_label(p.sex)),
    Column("Phone", lambda p: fmt_phone(p.phone), whole=True),
    Column("Email", lambda p: p.email or ""),
    Column("External ID", lambda p: p.external_id or ""),
    Column("ID", lambda p: p.id),
)


def summary(patient: Patient) -> PatientSummary:
    return PatientSummary(
        id=patient.id,
        name=patient.name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
        phone=patient.phone,
        email=patient.email,
        external_id=patient.external_id,
        gender=patient.gender,
    )


class PatientList(PagedList[PatientSummary]):
    """Search box, refresh and tool buttons over the paged table of patients."""

    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(
            workspace,
            COLUMNS,
            kind="patient",
            kinds="patients",
            permission="read:patient",
            fetcher=self._bound_fetcher,
            empty_state=self._show_empty,
            hidden=preferences.PATIENTS_HIDDEN_COLUMNS,
            page_size=page_size,
            sortable=True,
            parent=parent,
        )
        self._query_text: str | None = None
        self._parsed = PatientQuery()
        self.table.setAccessibleName("Patients")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(PLACEHOLDER)
        self.search.setToolTip(
            "Photon searches patient names. Add a date of birth (1942-09-01 or 09/01/1942) or a"
            " phone number after the name to narrow the results."
        )
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(120)
        self.search.setAccessibleName("Search patients by name")
        self.search.addAction(icons.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._apply_search)

        self.refresh_button = QToolButton(self)
        self.refresh_button.setIcon(icons.icon("refresh"))
        self.refresh_button.setToolTip("Reload the list (F5)")
        self.refresh_button.setAccessibleName("Reload patients")
        self.refresh_button.clicked.connect(lambda: self.reload(keep_rows=True))
        self.bar.addWidget(self.search, 1)
        self.bar.addWidget(self.refresh_button)
        self._last_tool: QWidget = self.refresh_button
        self.setTabOrder(self.search, self.refresh_button)
        self.setTabOrder(self.refresh_button, self.table)

        workspace.session_changed.connect(self._on_session_changed)
        workspace.environment_changed.connect(self.reload)
        self._was_allowed = self.allowed()
        self._signed_in_as = self._sign_in()
        self.reload()

    # ------------------------------------------------------------------ public

    @property
    def query(self) -> str | None:
        return self._query_text

    @property
    def parsed_query(self) -> PatientQuery:
        return self._parsed

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def refresh_icons(self) -> None:
        super().refresh_icons()
        self.refresh_button.setIcon(icons.icon("refresh"))
        for action in self.search.actions():
            action.setIcon(icons.icon("search"))

    def add_tool(self, widget: QWidget) -> None:
        """A button beside the search box (e.g. New patient), in tab order before the table."""
        self.bar.addWidget(widget)
        self.setTabOrder(self._last_tool, widget)
        self.setTabOrder(widget, self.table)
        self._last_tool = widget

    def set_search(self, text: str) -> None:
        """Type ``text`` into the search box and run it now (no debounce)."""
        self.search.setText(text)
        self._apply_search()

    def clear_search(self) -> None:
        self.set_search("")

    def current_patient(self) -> PatientSummary | None:
        return self.current()

    def show_saved(self, patient: Patient, *, created: bool = False) -> None:
        """A patient was saved here: its row shows the new values, leaves a search it no longer
        matches, or (created) is put first and selected."""
        row = summary(patient)
        matches = self._parsed.matches(row)
        if created and not matches:
            self.set_search(patient.name.full or f"{patient.name.first} {patient.name.last}")
            self.select_when_loaded(patient.id)
            return
        self.show_record(row, matches, insert=created)

    def cancel_tasks(self) -> None:
        self._debounce.stop()
        super().cancel_tasks()

    # ------------------------------------------------------------------ internals

    def reload(self, *, keep_rows: bool = False, refilter: bool = False) -> None:
        self._was_allowed = self.allowed()
        self._signed_in_as = self._sign_in()
        self.refresh_button.setEnabled(self._was_allowed)  # nothing to reload when not connected
        super().reload(keep_rows=keep_rows, refilter=refilter)
        if self.model is not None and self.model.rowCount() == 0 and self._query_text:
            self.state.show_loading(f"Searching for {self._parsed.describe()}…")

    def _bound_fetcher(self) -> Fetcher[PatientSummary]:
        return narrowed(self._workspace.services.patients.search, self._parsed, self.page_size)

    def _sign_in(self) -> int | None:
        return self._workspace.session.generation if self._workspace.ready else None

    def _on_session_changed(self) -> None:
        # A renewed token fires session_changed too: reload only for another sign-in (maybe
        # another organization), a change of permission, or to recover from a failure.
        if (
            self._sign_in() != self._signed_in_as
            or self.allowed() != self._was_allowed
            or not self._was_allowed
            or self.model is None
            or self.model.error is not None
        ):
            self.reload()

    def _apply_search(self) -> None:
        self._debounce.stop()
        text = self.search.text().strip() or None
        if text == self._query_text and self.model is not None and self.model.error is None:
            return
        self._query_text = text
        self._parsed = PatientQuery.parse(text or "")
        self.reload(refilter=True)

    def _show_empty(self, state: StateView) -> None:
        if self._query_text:
            state.show_empty(
                f"No patients match {self._parsed.describe()}.", "Clear search", self.clear_search
            )
        else:
            state.show_empty("No patients yet. Add one with New patient (Ctrl+N).")


class PatientsPage(ListDetailPage):
    """``open_prescription(id)`` / ``open_order(id)`` come from links in the detail."""

    open_prescription = Signal(str)
    open_order = Signal(str)

    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        patients = PatientList(workspace, page_size=page_size)
        detail = PatientDetail(workspace)
        super().__init__(
            patients, detail, preferences.PATIENTS_SPLITTER, default_sizes=(620, 430), parent=parent
        )
        self._workspace = workspace
        self.form: PatientForm | None = None
        self.list: PatientList = patients
        self.detail: PatientDetail = detail
        detail.open_prescription.connect(self.open_prescription)
        detail.open_order.connect(self.open_order)

        self.new_button = QToolButton(self)
        self.new_button.setIcon(icons.icon("add"))
        self.new_button.setText("New patient")
        self.new_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.new_button.setToolTip("Add a patient (Ctrl+N)")
        self.new_button.setAccessibleName("New patient")
        self.new_button.clicked.connect(self.new_patient)
        self.new_gate = PermissionGate(
            workspace, "write:patient", [self.new_button], tooltip="Add a patient (Ctrl+N)"
        )
        patients.add_tool(self.new_button)
        detail.edit_requested.connect(self.edit_patient)
        detail.changed.connect(patients.show_saved)

    # ------------------------------------------------------------------ actions

    def focus_search(self) -> bool:
        self.list.focus_search()
        return True

    def refresh_icons(self) -> None:
        self.new_button.setIcon(icons.icon("add"))
        self.list.refresh_icons()
        self.detail.refresh_icons()

    def new_patient(self) -> None:
        """Ctrl+N: the create form (only with write:patient)."""
        if self.new_gate.allowed:
            self._show_form(None)

    def edit_patient(self) -> None:
        patient = self.detail.record
        if patient is not None and self.new_gate.allowed:
            self._show_form(patient)

    def cancel_tasks(self) -> None:
        super().cancel_tasks()
        if self.form is not None:
            self.form.cancel_tasks()

    # ------------------------------------------------------------------ internals

    def _show_form(self, patient: Patient | None) -> None:
        from photon_desktop.ui.patients.form import PatientForm  # with its first opening

        if self.form is not None:
            self.form.cancel_tasks()
            self.form.deleteLater()
        self.form = PatientForm(self._workspace, patient, self)
        self.form.saved.connect(lambda saved: self._on_saved(saved, created=patient is None))
        self.form.open_existing.connect(self._open_existing)
        self.form.open()

    def _on_saved(self, patient: Patient, *, created: bool) -> None:
        self.detail.show_record(patient)
        self.list.show_saved(patient, created=created)

    def _open_existing(self, patient_id: str) -> None:
        self.list.select_when_loaded(patient_id)
        self.detail.load(patient_id)
