"""The patient list: server-side name search as you type, cursor paging as you scroll.

Sorting: Photon returns patients in its own order and has no sort argument, so re-querying cannot
sort the whole list. Clicking a column header sorts the rows *loaded so far* (a
``QSortFilterProxyModel``; pages loaded later are sorted in as they arrive), and the header
tooltip says so. Clicking the header a third time returns to the server's order.

Stale answers: every search builds a new model whose fetcher carries a generation number; an
answer for an older generation is dropped and the older model's page request is cancelled.
"""

from __future__ import annotations

import asyncio
from datetime import date

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSettings,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.domain import Page, Patient, PatientSummary, Sex
from photon_desktop.ui.common import icons
from photon_desktop.ui.common.gating import PermissionGate
from photon_desktop.ui.common.paged_model import ITEM_ROLE, SORT_ROLE, Column, PagedTableModel
from photon_desktop.ui.common.records import fmt_phone
from photon_desktop.ui.common.states import StateView
from photon_desktop.ui.patients.detail import PatientDetail
from photon_desktop.ui.patients.form import PatientForm
from photon_desktop.ui.workspace import Workspace

PAGE_SIZE = 100
DEBOUNCE_MS = 300
SORT_HINT = "Sorts the patients loaded so far; scroll to load more. Click again to reverse."


def fmt_dob(value: date) -> str:
    return value.strftime("%b %d, %Y")


def fmt_sex(value: Sex) -> str:
    return value.value.capitalize()


COLUMNS: tuple[Column[PatientSummary], ...] = (
    Column(
        "Name",
        lambda p: p.name.full or f"{p.name.first} {p.name.last}",
        sort_key=lambda p: (p.name.last.casefold(), p.name.first.casefold()),
    ),
    Column(
        "Date of birth",
        lambda p: fmt_dob(p.date_of_birth),
        sort_key=lambda p: p.date_of_birth.isoformat(),
    ),
    Column("Sex", lambda p: fmt_sex(p.sex)),
    Column("Phone", lambda p: fmt_phone(p.phone)),
    Column("Email", lambda p: p.email or ""),
    Column("External ID", lambda p: p.external_id or ""),
    Column("ID", lambda p: p.id),
)
_WIDTHS = (200, 110, 70, 130, 220, 110, 200)


class _SortProxy(QSortFilterProxyModel):
    """Sorts by the model's SORT_ROLE; keeps fetchMore flowing to the paged source."""

    def lessThan(
        self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex
    ) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:
            return b is not None
        return bool(a < b)


class PatientList(QWidget):
    """Search box + table (or a state: loading, empty, error, permission) of patients.

    Signals: ``first_page_loaded`` once the first page of a search is painted;
    ``patient_activated(id)`` on double-click/Enter; ``current_changed(id)`` as the selection moves.
    """

    first_page_loaded = Signal()
    patient_activated = Signal(str)
    current_changed = Signal(str)

    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._page_size = page_size
        self._generation = 0
        self._query: str | None = None
        self.model: PagedTableModel[PatientSummary] | None = None

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search patients by name…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
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
        self.refresh_button.clicked.connect(self.reload)

        self.proxy = _SortProxy(self)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setDynamicSortFilter(True)

        self.table = QTableView(self)
        self.table.setAccessibleName("Patients")
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        # Fixed row heights: scrolling 100,000 rows must never measure rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setToolTip(SORT_HINT)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorClearable(True)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self._columns_sized = False
        self._restoring_columns = False
        header.sectionResized.connect(self._remember_columns)
        self.table.activated.connect(self._on_activated)
        self.table.doubleClicked.connect(self._on_activated)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self._paint_pending: int | None = None
        self.table.viewport().installEventFilter(self)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        self.copy_id = QAction(icons.icon("copy"), "Copy patient ID", self.table)
        self.copy_id.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_id.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_id.triggered.connect(self.copy_current_id)
        self.table.addAction(self.copy_id)

        self.state = StateView(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.state)
        self.stack.addWidget(self.table)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.refresh_button)
        self._tools = top
        self._last_tool: QWidget = self.refresh_button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 6, 12)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self.setTabOrder(self.search, self.refresh_button)
        self.setTabOrder(self.refresh_button, self.table)

        workspace.session_changed.connect(self._on_session_changed)
        workspace.environment_changed.connect(self.reload)
        self._allowed = self._can_read()
        self._signed_in_as = self._sign_in()
        self.reload()

    # ------------------------------------------------------------------ public

    @property
    def query(self) -> str | None:
        return self._query

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def refresh_icons(self) -> None:
        """Recolour icons after a light/dark switch."""
        self.refresh_button.setIcon(icons.icon("refresh"))
        self.copy_id.setIcon(icons.icon("copy"))
        for action in self.search.actions():
            action.setIcon(icons.icon("search"))

    def add_tool(self, widget: QWidget) -> None:
        """A button beside the search box (e.g. New patient), in tab order before the table."""
        self._tools.addWidget(widget)
        self.setTabOrder(self._last_tool, widget)
        self.setTabOrder(widget, self.table)
        self._last_tool = widget

    def set_search(self, text: str) -> None:
        """Type ``text`` into the search box and run it now (no debounce)."""
        self.search.setText(text)
        self._apply_search()

    def clear_search(self) -> None:
        self.set_search("")

    def refresh(self) -> None:
        self.reload()

    def current_patient(self) -> PatientSummary | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        record = index.data(ITEM_ROLE)
        return record if isinstance(record, PatientSummary) else None

    def copy_current_id(self) -> None:
        patient = self.current_patient()
        if patient is not None:
            QGuiApplication.clipboard().setText(patient.id)

    def show_saved(self, patient: Patient) -> None:
        """A patient was edited: show the new values in its row, if it is loaded."""
        if self.model is None:
            return
        row = self.model.find_row(lambda p: p.id == patient.id)
        if row >= 0:
            self.model.replace_row(row, _summary(patient))

    def cancel_tasks(self) -> None:
        self._generation += 1
        self._debounce.stop()
        if self.model is not None:
            self.model.cancel()

    # ------------------------------------------------------------------ loading

    def _can_read(self) -> bool:
        return self._workspace.ready and self._workspace.session.has("read:patient")

    def _why_not(self) -> str:
        if not self._workspace.ready:
            return "Not connected to Photon. Connect in Settings or try the local sandbox."
        return self._workspace.session.why_not("read:patient")

    def _sign_in(self) -> int | None:
        """Which sign-in the rows were loaded under (``Session.generation``)."""
        return self._workspace.session.generation if self._workspace.ready else None

    def _on_session_changed(self) -> None:
        # A renewed token fires session_changed too: reload only for another sign-in (maybe
        # another organization), a change of permission, or to recover from a failure.
        signed_in_as = self._sign_in()
        if (
            signed_in_as != self._signed_in_as
            or self._can_read() != self._allowed
            or not self._allowed
            or self.model is None
            or self.model.error is not None
        ):
            self.reload()

    def _apply_search(self) -> None:
        self._debounce.stop()
        query = self.search.text().strip() or None
        if query == self._query and self.model is not None and self.model.error is None:
            return
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Start again from the first page of the current search."""
        self._generation += 1
        generation = self._generation
        self._allowed = self._can_read()
        self._signed_in_as = self._sign_in()
        if not self._allowed:
            self._set_model(None)
            self.state.show_message(self._why_not())
            self.stack.setCurrentWidget(self.state)
            return
        query = self._query
        services = self._workspace.services
        size = self._page_size

        async def fetch(after: str | None) -> Page[PatientSummary]:
            page = await services.patients.search(query, after=after, first=size)
            if generation != self._generation:
                raise asyncio.CancelledError  # the answer to a search no longer shown
            return page

        model = PagedTableModel(fetch, COLUMNS, page_size=size)
        model.first_page_loaded.connect(lambda: self._on_first_page(generation))
        model.failed.connect(lambda error: self._on_failed(generation, error))
        self.state.show_loading(f"Searching for “{query}”…" if query else "Loading patients…")
        self.stack.setCurrentWidget(self.state)
        self._set_model(model)
        model.start()

    def _set_model(self, model: PagedTableModel[PatientSummary] | None) -> None:
        old = self.model
        if old is not None:
            old.cancel()
        self.model = model
        self.proxy.setSourceModel(model)  # type: ignore[arg-type]
        # Python keeps the old model alive until its cancelled request unwinds.
        if model is not None and not self._columns_sized:
            self._size_columns()

    def _size_columns(self) -> None:
        """Column widths as the user left them (QSettings), else sensible defaults."""
        self._columns_sized = True
        saved = QSettings().value("patients/columns")
        widths = [int(w) for w in saved] if isinstance(saved, list) else list(_WIDTHS)
        if len(widths) != len(_WIDTHS):
            widths = list(_WIDTHS)
        self._restoring_columns = True
        for col, width in enumerate(widths):
            self.table.setColumnWidth(col, max(40, width))
        self._restoring_columns = False

    def _remember_columns(self, _index: int, _old: int, _new: int) -> None:
        if self._columns_sized and not self._restoring_columns:
            header = self.table.horizontalHeader()
            QSettings().setValue(
                "patients/columns", [header.sectionSize(c) for c in range(header.count())]
            )

    def _on_first_page(self, generation: int) -> None:
        if generation != self._generation or self.model is None:
            return
        if self.model.rowCount() == 0:
            if self._query:
                self.state.show_empty(
                    f"No patients match “{self._query}”.", "Clear search", self.clear_search
                )
            else:
                self.state.show_empty("No patients yet. Add one with New patient (Ctrl+N).")
            self.stack.setCurrentWidget(self.state)
        else:
            self.stack.setCurrentWidget(self.table)
        if self.model.rowCount() and self.table.isVisible():
            # "Painted" means painted: announce after the rows' next paint has finished.
            self._paint_pending = generation
            self.table.viewport().update()
        else:
            # Nothing to paint (empty state, or a hidden window): announce once laid out.
            QTimer.singleShot(0, lambda: self._announce(generation))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Paint
            and watched is self.table.viewport()
            and self._paint_pending is not None
        ):
            generation, self._paint_pending = self._paint_pending, None
            QTimer.singleShot(0, lambda: self._announce(generation))
        return False

    def _announce(self, generation: int) -> None:
        if generation == self._generation:
            self.first_page_loaded.emit()

    def _on_failed(self, generation: int, error: object) -> None:
        if generation != self._generation or self.model is None:
            return
        if isinstance(error, errors.PermissionMissing):
            self.state.show_message(self._why_not() or str(error))
            self.stack.setCurrentWidget(self.state)
            return
        if self.model.rowCount() == 0:
            self.state.show_error(f"Could not load patients: {error}", retry=self.reload)
            self.stack.setCurrentWidget(self.state)
        else:
            # Rows already shown stay; the next scroll retries the page that failed.
            self.table.setToolTip(f"Could not load more patients: {error}")
            self.table.verticalScrollBar().valueChanged.connect(
                self._retry_after_failure, Qt.ConnectionType.SingleShotConnection
            )

    def _retry_after_failure(self, _value: int) -> None:
        if self.model is not None and self.model.error is not None:
            self.table.setToolTip("")
            self.model.retry()

    # ------------------------------------------------------------------ selection

    def _on_activated(self, index: QModelIndex) -> None:
        record = index.data(ITEM_ROLE)
        if isinstance(record, PatientSummary):
            self.patient_activated.emit(record.id)

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        record = current.data(ITEM_ROLE) if current.isValid() else None
        if isinstance(record, PatientSummary):
            self.current_changed.emit(record.id)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.setCurrentIndex(index)
        menu = QMenu(self)
        menu.setAccessibleName("Patient actions")
        menu.addAction(self.copy_id)
        open_action = menu.addAction("Open patient")
        open_action.triggered.connect(lambda: self._on_activated(index))
        menu.popup(self.table.viewport().mapToGlobal(pos))


def _summary(patient: Patient) -> PatientSummary:
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


class PatientsPage(QWidget):
    """The patient list beside the selected patient's detail; create and edit in a dialog.

    ``first_page_loaded`` (for ``--smoke``) fires once the first page of rows has been painted.
    ``open_prescription(id)`` / ``open_order(id)`` come from links in the detail.
    """

    first_page_loaded = Signal()
    open_prescription = Signal(str)
    open_order = Signal(str)

    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self.list = PatientList(workspace, self, page_size=page_size)
        self.detail = PatientDetail(workspace, self)
        self.form: PatientForm | None = None

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
        self.list.add_tool(self.new_button)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("patientsSplitter")
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        saved = QSettings().value("patients/splitter")
        if isinstance(saved, QByteArray):
            self.splitter.restoreState(saved)
        else:
            self.splitter.setSizes([1100, 900])  # the record needs room too
        self.splitter.splitterMoved.connect(self._remember_splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.list.first_page_loaded.connect(self.first_page_loaded)
        self.list.current_changed.connect(self.detail.load)
        self.list.patient_activated.connect(self._open_detail)
        self.detail.edit_requested.connect(self.edit_patient)
        self.detail.open_prescription.connect(self.open_prescription)
        self.detail.open_order.connect(self.open_order)
        self.detail.changed.connect(self.list.show_saved)

    # ------------------------------------------------------------------ actions

    def focus_search(self) -> None:
        self.list.focus_search()

    def refresh(self) -> None:
        """F5: reload the list and the patient shown."""
        self.list.reload()
        self.detail.refresh()

    def open(self, patient_id: str) -> None:
        self._open_detail(patient_id)

    def refresh_icons(self) -> None:
        self.new_button.setIcon(icons.icon("add"))
        self.list.refresh_icons()
        self.detail.refresh_icons()

    def new_patient(self) -> None:
        """Ctrl+N: the create form (only with write:patient)."""
        if not self.new_gate.allowed:
            return
        self._show_form(None)

    def edit_patient(self) -> None:
        patient = self.detail.patient
        if patient is not None and self.new_gate.allowed:
            self._show_form(patient)

    def cancel_tasks(self) -> None:
        self.list.cancel_tasks()
        self.detail.cancel_tasks()
        if self.form is not None:
            self.form.cancel_tasks()

    # ------------------------------------------------------------------ internals

    def _open_detail(self, patient_id: str) -> None:
        self.detail.load(patient_id)
        self.detail.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_form(self, patient: Patient | None) -> None:
        if self.form is not None:
            self.form.cancel_tasks()
            self.form.deleteLater()
        self.form = PatientForm(self._workspace, patient, self)
        self.form.saved.connect(self._on_saved)
        self.form.open()

    def _on_saved(self, patient: Patient) -> None:
        self.detail.show_patient(patient)
        self.list.show_saved(patient)

    def _remember_splitter(self, _pos: int, _index: int) -> None:
        QSettings().setValue("patients/splitter", self.splitter.saveState())
