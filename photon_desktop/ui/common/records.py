"""What the prescription and order views share: formatting, a small rows model, the action bar,
and the read-only detail frame (load by id, permission message, states, refresh).

Write actions (new prescription, cancel, send or reroute an order) come later; they plug into a
detail's ``ActionBar`` with the permission that gates them, so the views keep their shape.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.domain import Page
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.gating import PermissionGate
from photon_desktop.ui.common.paged_model import Column, PagedTableModel
from photon_desktop.ui.common.states import StateView
from photon_desktop.ui.workspace import Workspace

T = TypeVar("T")
_ROOT = QModelIndex()
_Index = QModelIndex | QPersistentModelIndex

# ----------------------------------------------------------------------------- formatting


def enum_label(value: Enum | None) -> str:
    """``PICKED_UP`` → "Picked up"."""
    if value is None:
        return "—"
    return value.value.replace("_", " ").capitalize()


def fmt_date(value: date | None) -> str:
    return value.strftime("%b %d, %Y") if value else "—"


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = value.astimezone() if value.tzinfo else value
    return local.strftime("%b %d, %Y %H:%M")


def fmt_phone(value: str | None) -> str:
    """US numbers as people read them, ``+14155550121`` → "(415) 555-0121"; others unchanged."""
    if not value:
        return "—"
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10 and (value.startswith("+1") or not value.startswith("+")):
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return value


def fmt_quantity(quantity: float) -> str:
    return f"{quantity:g}"


def text_or_dash(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return text or "—"


# ----------------------------------------------------------------------------- rows model


class RowsModel(QAbstractTableModel, Generic[T]):
    """A fixed list of records shown read-only (a detail's fills, say)."""

    def __init__(self, columns: Sequence[Column[T]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: tuple[T, ...] = ()

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def item(self, row: int) -> T:
        return self._rows[row]

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return None
        return self._columns[index.column()].value(self._rows[index.row()])

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section].title
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return section + 1
        return None


def rows_table(model: QAbstractTableModel, name: str, parent: QWidget) -> QTableView:
    """A compact read-only table sized to its rows (it lives inside a scrolling detail)."""
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName(name)
    table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    # Fitted to the detail's width (long names and ids elide, the tooltip has them whole); no
    # scroll bars inside a page that already scrolls.
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(model.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def fit() -> None:
        rows = model.rowCount()
        height = table.horizontalHeader().height() + 2 * table.frameWidth()
        rows_height = sum(table.rowHeight(r) for r in range(rows))
        height += rows_height or table.verticalHeader().defaultSectionSize()
        table.setFixedHeight(height)

    model.modelReset.connect(fit)
    fit()
    return table


# ----------------------------------------------------------------------------- action bar


class ActionBar(QWidget):
    """Where a detail's write actions go, each gated by its permission; hidden while empty."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailActions")
        self.setAccessibleName("Actions")
        self._workspace = workspace
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addStretch(1)
        self.gates: list[PermissionGate] = []
        self.setVisible(False)

    def add(
        self, target: QWidget | QAction, permission: str, *, hide: bool = False, tooltip: str = ""
    ) -> PermissionGate:
        """Add a button (or an action, as a tool button) that needs ``permission``."""
        if isinstance(target, QAction):
            button = QToolButton(self)
            button.setDefaultAction(target)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAccessibleName(target.text().replace("&", ""))
            self._layout.addWidget(button)
        else:
            self._layout.addWidget(target)
        gate = PermissionGate(self._workspace, permission, [target], hide=hide, tooltip=tooltip)
        self.gates.append(gate)
        self.setVisible(True)
        return gate

    @property
    def empty(self) -> bool:
        return not self.gates


# ----------------------------------------------------------------------------- detail frame


def section(title: str, parent: QWidget) -> QLabel:
    label = QLabel(title, parent)
    label.setObjectName("detailSection")
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    label.setContentsMargins(0, 12, 0, 2)
    return label


def value_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel("—", parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name)
    return label


class FieldGrid(QFormLayout):
    """Label/value rows whose values are set after each load."""

    def __init__(self) -> None:
        super().__init__()
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.values: dict[str, QLabel] = {}

    LABEL_WIDTH = 150  # the same in every section, so values line up down the page

    def add(self, parent: QWidget, label: str) -> QLabel:
        value = value_label(parent, label)
        self.values[label] = value
        caption = QLabel(f"{label}:", parent)
        caption.setMinimumWidth(self.LABEL_WIDTH)
        caption.setBuddy(value)
        self.addRow(caption, value)
        return value

    def set(self, label: str, text: str) -> None:
        self.values[label].setText(text)
        self.values[label].setAccessibleDescription(text)


class RecordDetail(QWidget, Generic[T]):
    """One record, loaded by id: header, gated action bar, and the body a subclass fills.

    A newer ``load`` supersedes an older one (stale answers never show). Without ``permission``
    the view says why instead of showing an error. ``loaded(record)`` fires after each render.
    """

    loaded = Signal(object)
    kind = "record"

    def __init__(self, workspace: Workspace, permission: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._workspace = workspace
        self._permission = permission
        self._loads = tasks.Latest(owner=self)
        self.record_id: str | None = None
        self.record: T | None = None

        self.title = QLabel(self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setAccessibleName(f"{self.kind.capitalize()} title")
        self.badge = QLabel(self)
        self.badge.setObjectName("stateBadge")
        self.badge.setAccessibleName("State")
        self.badge.setStyleSheet(
            "QLabel#stateBadge { border: 1px solid palette(mid); border-radius: 9px;"
            " padding: 2px 10px; font-weight: bold; }"
        )
        self.action_bar = ActionBar(workspace, self)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.action_bar, 0, Qt.AlignmentFlag.AlignTop)

        self.body = QWidget(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.body)
        scroll.setAccessibleName(f"{self.kind.capitalize()} details")
        self.state = StateView(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.state)
        self.stack.addWidget(scroll)
        self._content = scroll

        self.header = QWidget(self)
        self.header.setLayout(header)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        self._show_state_nothing()
        workspace.session_changed.connect(self._on_session_changed)
        workspace.environment_changed.connect(self.clear)

    # -- subclass hooks

    async def _fetch(self, record_id: str) -> T:
        raise NotImplementedError

    def _render(self, record: T) -> None:
        raise NotImplementedError

    # -- states

    def _show_state_nothing(self) -> None:
        self.header.setVisible(False)
        self.state.show_empty(f"Select a {self.kind} in the list to see its details.")
        self.stack.setCurrentWidget(self.state)

    def _allowed(self) -> bool:
        return self._workspace.ready and self._workspace.session.has(self._permission)

    def _why_not(self) -> str:
        if not self._workspace.ready:
            return "Not connected to Photon. Connect in Settings or try the local sandbox."
        return self._workspace.session.why_not(self._permission)

    # -- loading

    def load(self, record_id: str) -> None:
        """Show the record ``record_id`` (a newer call supersedes an older one)."""
        self.record_id = record_id
        if not self._allowed():
            self._loads.cancel()
            self.header.setVisible(False)
            self.state.show_message(self._why_not())
            self.stack.setCurrentWidget(self.state)
            return
        if self.record is None or getattr(self.record, "id", None) != record_id:
            self.header.setVisible(False)
            self.state.show_loading(f"Loading {self.kind}…")
            self.stack.setCurrentWidget(self.state)
        self._loads.spawn(self._load(record_id))

    def refresh(self) -> None:
        """Reload the record shown (F5); keeps the current content visible meanwhile."""
        if self.record_id is not None:
            self.load(self.record_id)

    def clear(self) -> None:
        self._loads.cancel()
        self.record_id = None
        self.record = None
        self._show_state_nothing()

    def _on_session_changed(self) -> None:
        if self.record_id is not None:
            self.load(self.record_id)

    async def _load(self, record_id: str) -> None:
        try:
            record = await self._fetch(record_id)
        except errors.PermissionMissing:
            self.header.setVisible(False)
            self.state.show_message(self._why_not())
            self.stack.setCurrentWidget(self.state)
            return
        except errors.NotFound:
            self.header.setVisible(False)
            self.state.show_empty(
                f"This {self.kind} does not exist or is not visible to your organization."
            )
            self.stack.setCurrentWidget(self.state)
            return
        except errors.PhotonError as exc:
            if self.record is not None and getattr(self.record, "id", None) == record_id:
                # A failed refresh keeps what is shown; the state line says it may be stale.
                self._refresh_failed(exc)
                return
            self.header.setVisible(False)
            self.state.show_error(str(exc), retry=self.refresh)
            self.stack.setCurrentWidget(self.state)
            return
        self.record = record
        self._render(record)
        self.header.setVisible(True)
        self.stack.setCurrentWidget(self._content)
        self.loaded.emit(record)

    def _refresh_failed(self, error: errors.PhotonError) -> None:
        """Hook: a refresh failed while a record is shown (default: keep it, note it)."""
        self.title.setToolTip(f"Could not refresh: {error}")

    def cancel_tasks(self) -> None:
        self._loads.cancel()


# ----------------------------------------------------------------------------- list + detail page


@dataclass(frozen=True, slots=True)
class ListFilter:
    """What the list asks the server for; ``patient_id`` wins over ``patient_name``."""

    state: Enum | None = None
    patient_id: str | None = None
    patient_name: str | None = None


PAGE_SIZE = 50
DEBOUNCE_MS = 300


class RecordsPage(QWidget, Generic[T]):
    """A filtered, paged list on the left and the selected record's detail on the right.

    Filters: a state combo ("All states" + the enum) and a patient filter (name typed, debounced,
    server-side; or a patient picked elsewhere via ``set_patient``). Every filter change restarts
    the list from its first page; answers for older filters are dropped. Selecting a row (click,
    keyboard, Enter or double-click) shows its detail. ``refresh()`` (F5) reloads both.
    """

    kind = "record"
    kinds = "records"
    permission = ""
    state_enum: type[Enum]
    settings_key = "records"

    def __init__(
        self,
        workspace: Workspace,
        detail: RecordDetail[T],
        columns: Sequence[Column[T]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._columns = tuple(columns)
        self._filter = ListFilter()
        self._generation = 0
        self.model: PagedTableModel[T] | None = None
        self.detail = detail

        self.state_combo = QComboBox(self)
        self.state_combo.setAccessibleName("Filter by state")
        self.state_combo.addItem("All states", None)
        for value in self.state_enum:
            self.state_combo.addItem(enum_label(value), value)
        remembered = QSettings().value(f"{self.settings_key}/state", "")
        for value in self.state_enum:
            if value.value == remembered:
                self.state_combo.setCurrentIndex(self.state_combo.findData(value))
                self._filter = ListFilter(value)
        self.state_combo.currentIndexChanged.connect(self._on_state_picked)

        self.patient_edit = QLineEdit(self)
        self.patient_edit.setPlaceholderText("Patient name…")
        self.patient_edit.setClearButtonEnabled(True)
        self.patient_edit.setAccessibleName("Filter by patient name")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_patient_name)
        self.patient_edit.textChanged.connect(lambda _t: self._debounce.start())
        self.patient_edit.returnPressed.connect(self._apply_patient_name)

        self.patient_chip = QPushButton(self)
        self.patient_chip.setObjectName("patientChip")
        self.patient_chip.setToolTip("Show every patient again")
        self.patient_chip.setAccessibleName("Patient filter")
        self.patient_chip.setVisible(False)
        self.patient_chip.clicked.connect(self.clear_patient)

        fixed = QSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.state_combo.setSizePolicy(fixed)
        self.patient_chip.setSizePolicy(fixed)
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.state_combo)
        filters.addWidget(self.patient_edit, 1)
        filters.addWidget(self.patient_chip)
        filters.addStretch(0)  # takes the room of the name filter while a patient chip shows
        self._filters = filters

        self.table = QTableView(self)
        self.table.setAccessibleName(f"{self.kinds.capitalize()} list")
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.activated.connect(self._on_row_activated)
        self.list_state = StateView(self)
        self.list_stack = QStackedWidget(self)
        self.list_stack.addWidget(self.list_state)
        self.list_stack.addWidget(self.table)

        # A later page that fails keeps the rows already shown and says so under them.
        self.more_error = QLabel(self)
        self.more_error.setWordWrap(True)
        self.more_error.setAccessibleName("Loading more failed")
        self.more_retry = QPushButton("Retry", self)
        self.more_retry.setAccessibleName(f"Retry loading more {self.kinds}")
        self.more_retry.clicked.connect(self._retry_more)
        more_bar = QHBoxLayout()
        more_bar.addWidget(self.more_error, 1)
        more_bar.addWidget(self.more_retry)
        self._more_bar = QWidget(self)
        self._more_bar.setLayout(more_bar)
        self._more_bar.setVisible(False)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(12, 12, 6, 12)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.list_stack, 1)
        left_layout.addWidget(self._more_bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName(f"{self.settings_key}Splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        settings = QSettings()
        saved = settings.value(f"{self.settings_key}/splitter")
        if isinstance(saved, QByteArray):
            self.splitter.restoreState(saved)
        self.splitter.splitterMoved.connect(self._remember_splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.setTabOrder(self.state_combo, self.patient_edit)
        self.setTabOrder(self.patient_edit, self.patient_chip)
        self.setTabOrder(self.patient_chip, self.table)

        # Switching environment emits environment_changed then session_changed: one reload.
        self._reload_soon = QTimer(self)
        self._reload_soon.setSingleShot(True)
        self._reload_soon.setInterval(0)
        self._reload_soon.timeout.connect(self.reload)
        workspace.session_changed.connect(self._reload_soon.start)
        workspace.environment_changed.connect(self._on_environment_changed)
        self.reload()

    # -- subclass hook

    async def _fetch_page(self, flt: ListFilter, after: str | None) -> Page[T]:
        raise NotImplementedError

    # -- public

    @property
    def filter(self) -> ListFilter:
        return self._filter

    def set_state(self, state: Enum | None) -> None:
        self.state_combo.setCurrentIndex(max(0, self.state_combo.findData(state)))

    def set_patient(self, patient_id: str, name: str) -> None:
        """Show only this patient's records (a link from the patient detail)."""
        self._debounce.stop()
        self.patient_edit.blockSignals(True)
        self.patient_edit.clear()
        self.patient_edit.blockSignals(False)
        self.patient_edit.setVisible(False)
        label = name or patient_id
        self.patient_chip.setText(f"Patient: {label}  ✕")
        self.patient_chip.setAccessibleName(f"Showing only {label}; press to show every patient")
        self.patient_chip.setVisible(True)
        self._filters.setStretch(3, 1)
        self._set_filter(ListFilter(self._filter.state, patient_id=patient_id))

    def clear_patient(self) -> None:
        self.patient_chip.setVisible(False)
        self._filters.setStretch(3, 0)
        self.patient_edit.setVisible(True)
        self.patient_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self._set_filter(ListFilter(self._filter.state))

    def focus_search(self) -> None:
        """Ctrl+F: type a patient name."""
        if self.patient_chip.isVisible():
            self.clear_patient()
        self.patient_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.patient_edit.selectAll()

    def open(self, record_id: str) -> None:
        """Show one record's detail (from a link elsewhere in the app)."""
        self.detail.load(record_id)

    def refresh(self) -> None:
        """F5: reload the list from its first page and the detail shown."""
        self.reload()
        self.detail.refresh()

    def cancel_tasks(self) -> None:
        """Stop loading (from the window's ``closeEvent``)."""
        self._generation += 1
        self._debounce.stop()
        self._reload_soon.stop()
        if self.model is not None:
            self.model.cancel()
        self.detail.cancel_tasks()

    # -- filtering and loading

    def _on_state_picked(self, _index: int) -> None:
        state = self.state_combo.currentData()
        QSettings().setValue(f"{self.settings_key}/state", state.value if state else "")
        self._set_filter(ListFilter(state, self._filter.patient_id, self._filter.patient_name))

    def _apply_patient_name(self) -> None:
        self._debounce.stop()
        name = self.patient_edit.text().strip() or None
        if self._filter.patient_id is None and name == self._filter.patient_name:
            return
        self._set_filter(ListFilter(self._filter.state, patient_name=name))

    def _set_filter(self, flt: ListFilter) -> None:
        self._filter = flt
        self.reload()

    def _on_environment_changed(self) -> None:
        self.detail.clear()
        self._reload_soon.start()

    def reload(self) -> None:
        """Start the list again from the first page with the current filter."""
        self._generation += 1
        generation = self._generation
        if not self._workspace.ready or not self._workspace.session.has(self.permission):
            self._show_state("message", self._why_not())
            self._replace_model(None)
            return
        flt = self._filter

        async def fetch(after: str | None) -> Page[T]:
            if generation != self._generation:
                raise asyncio.CancelledError  # a newer filter took over
            try:
                page = await self._fetch_page(flt, after)
                if generation != self._generation:
                    raise asyncio.CancelledError  # the answer to a filter no longer shown
            except errors.PermissionMissing:
                if after is None and generation == self._generation:
                    self._show_state("message", self._why_not())
                raise
            except errors.PhotonError as exc:
                if generation == self._generation:
                    if after is None:
                        self._show_state("error", f"Could not load {self.kinds}: {exc}")
                    else:
                        self.more_error.setText(f"Could not load more {self.kinds}: {exc}")
                        self._more_bar.setVisible(True)
                raise
            if after is None and generation == self._generation:
                if page.items:
                    self.list_stack.setCurrentWidget(self.table)
                    QTimer.singleShot(0, self._fit_columns)
                else:
                    self._show_state("empty", self._empty_text(flt))
            return page

        self._show_state("loading", f"Loading {self.kinds}…")
        self._replace_model(PagedTableModel(fetch, self._columns, page_size=PAGE_SIZE))

    def _retry_more(self) -> None:
        self._more_bar.setVisible(False)
        if self.model is not None:
            self.model.retry()

    def _replace_model(self, model: PagedTableModel[T] | None) -> None:
        # The old model is left to Python (no Qt parent, no deleteLater): a page request of its
        # still in flight keeps it alive until that request ends, so nothing touches a deleted
        # C++ object.
        if self.model is not None:
            self.model.cancel()
        self._more_bar.setVisible(False)
        self.model = model
        old_selection = self.table.selectionModel()
        self.table.setModel(model)
        if old_selection is not None:
            old_selection.deleteLater()  # setModel leaves the old selection model to us
        if model is not None:
            self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
            model.start()

    def _fit_columns(self) -> None:
        """Size columns to the first page once, capped so one long name cannot hog the row."""
        if self.model is None:
            return
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for col in range(header.count()):
            header.resizeSection(col, min(header.sectionSize(col), 260))

    def _empty_text(self, flt: ListFilter) -> str:
        parts = []
        if flt.state is not None:
            parts.append(f"in state “{enum_label(flt.state)}”")
        if flt.patient_id is not None:
            parts.append("for this patient")
        elif flt.patient_name:
            parts.append(f"for patients matching “{flt.patient_name}”")
        if not parts:
            return f"No {self.kinds} yet."
        return f"No {self.kinds} {' '.join(parts)}. Change or clear the filters."

    def _why_not(self) -> str:
        if not self._workspace.ready:
            return "Not connected to Photon. Connect in Settings or try the local sandbox."
        return self._workspace.session.why_not(self.permission)

    def _show_state(self, which: str, text: str) -> None:
        if which == "loading":
            self.list_state.show_loading(text)
        elif which == "empty":
            self.list_state.show_empty(text)
        elif which == "error":
            self.list_state.show_error(text, retry=self.reload)
        else:
            self.list_state.show_message(text)
        self.list_stack.setCurrentWidget(self.list_state)

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and self.model is not None:
            self.detail.load(self._record_id(self.model.item(current.row())))

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid() and self.model is not None:
            self.detail.load(self._record_id(self.model.item(index.row())))
            self.detail.setFocus(Qt.FocusReason.OtherFocusReason)

    @staticmethod
    def _record_id(record: Any) -> str:
        return str(record.id)

    def _remember_splitter(self, _pos: int, _index: int) -> None:
        QSettings().setValue(f"{self.settings_key}/splitter", self.splitter.saveState())
