"""The request log: every API call of this session, live, filterable, with its redacted detail,
and "Export for a ticket" (a JSON bundle with tokens, secrets and patient details removed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.services import support
from photon_desktop.ui.common.formatting import fmt_datetime
from photon_desktop.ui.workspace import Workspace

COLUMNS = ("Time", "Operation", "Status", "Duration (ms)", "Size (bytes)", "Retries", "Error")
_Index = QModelIndex | QPersistentModelIndex


class RequestLogModel(QAbstractTableModel):
    """The entries of one request log, oldest first; new entries are appended as they come."""

    def __init__(self, parent: QWidget | None = None, capacity: int = 500) -> None:
        super().__init__(parent)
        self.entries: list[support.RequestLogEntry] = []
        self.capacity = capacity  # as many as the log keeps: older calls leave the table too

    def reset(self, entries: list[support.RequestLogEntry]) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.endResetModel()

    def append(self, entry: support.RequestLogEntry) -> None:
        if len(self.entries) >= self.capacity:
            drop = len(self.entries) - self.capacity + 1
            self.beginRemoveRows(QModelIndex(), 0, drop - 1)
            del self.entries[:drop]
            self.endRemoveRows()
        row = len(self.entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self.entries.append(entry)
        self.endInsertRows()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _cells(entry)[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and 2 <= index.column() <= 5:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return entry
        return None


def _cells(entry: support.RequestLogEntry) -> tuple[str, ...]:
    return (
        fmt_datetime(entry.at),
        entry.operation,
        "—" if entry.status is None else str(entry.status),
        f"{entry.duration_ms:.0f}",
        str(entry.size_bytes),
        str(entry.retries),
        entry.error_kind or "",
    )


class _Filter(QSortFilterProxyModel):
    """Rows whose text holds the filter, optionally only failed calls."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.text = ""
        self.failed_only = False

    def filterAcceptsRow(self, row: int, parent: _Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, RequestLogModel)
        entry = model.entries[row]
        if self.failed_only and not entry.error_kind:
            return False
        needle = self.text.casefold()
        return not needle or any(needle in cell.casefold() for cell in _cells(entry))


class RequestLogView(QWidget):
    """Live table of API calls | the selected call's query, variables and answer."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._unsubscribe: Callable[[], None] | None = None
        self.model = RequestLogModel(self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)

        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter by operation, status or error…")
        self.filter.setAccessibleName("Filter calls")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._refilter)
        self.failed_only = QCheckBox("Failed calls only", self)
        self.failed_only.toggled.connect(self._refilter)
        self.export_button = QPushButton("Export for a ticket…", self)
        self.export_button.setToolTip(
            "Save the selected calls (or all shown) as JSON without tokens, secrets or patient "
            "details"
        )
        self.export_button.clicked.connect(self.choose_export_file)
        self.count = QLabel(self)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Export result")

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("API calls")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())

        self.detail = QPlainTextEdit(self)
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName("Call detail")
        self.detail.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.detail.setPlaceholderText("Select a call to see its query, variables and answer.")

        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.failed_only)
        bar.addWidget(self.count)
        bar.addWidget(self.export_button)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([300, 260])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.result)

        workspace.environment_changed.connect(self._attach)
        self.destroyed.connect(lambda *_: self._detach())
        self._attach()

    # ------------------------------------------------------------------ the live log

    def _attach(self) -> None:
        self._detach()
        if not self._workspace.ready:
            self.model.reset([])
        else:
            log = self._workspace.services.request_log
            self.model.capacity = log.capacity
            self.model.reset(list(log.entries))
            self._unsubscribe = log.subscribe(self._on_entry)
        self._update_count()

    def _detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_entry(self, entry: support.RequestLogEntry) -> None:
        self.model.append(entry)
        self._update_count()

    def _refilter(self) -> None:
        self.proxy.text = self.filter.text()
        self.proxy.failed_only = self.failed_only.isChecked()
        self.proxy.invalidate()
        self._update_count()

    def _update_count(self) -> None:
        self.count.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()} calls")

    # ------------------------------------------------------------------ detail

    def visible_entries(self) -> list[support.RequestLogEntry]:
        return [
            self.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole)
            for r in range(self.proxy.rowCount())
        ]

    def selected_entries(self) -> list[support.RequestLogEntry]:
        """The selected calls, or every shown call when none is selected."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows:
            return self.visible_entries()
        return [self.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]

    def _show_current(self) -> None:
        index = self.table.currentIndex()
        entry = index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None
        self.detail.setPlainText("" if entry is None else describe(entry))

    # ------------------------------------------------------------------ export

    def choose_export_file(self) -> None:
        dialog = QFileDialog(self, "Export calls for a support ticket")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("JSON (*.json)")
        dialog.setDefaultSuffix("json")
        dialog.selectFile("photon-desktop-calls.json")
        dialog.fileSelected.connect(lambda path: self.export_ticket(Path(path)))
        dialog.open()

    def export_ticket(self, path: Path) -> support.Bundle | None:
        environment = self._workspace.environment.name if self._workspace.ready else "none"
        bundle = support.ticket_bundle(self.selected_entries(), environment=environment)
        try:
            path.write_text(bundle.text(), encoding="utf-8")
        except OSError as error:
            self.result.setText(f"Not saved: {error.strerror or error}. Choose another folder.")
            return None
        calls = len(bundle.content["calls"])
        self.result.setText(f"Saved {calls} calls to {path.name}. {bundle.summary()}")
        return bundle


def describe(entry: support.RequestLogEntry) -> str:
    """The detail pane's text: summary, redacted variables and answer, then the query."""
    lines = [
        f"{entry.operation} — status {entry.status or 'none'}, {entry.duration_ms:.0f} ms, "
        f"{entry.size_bytes} bytes, attempt {entry.attempt}",
    ]
    if entry.error:
        lines.append(f"Error: {entry.error}")
    lines += ["", "Variables (redacted):", json.dumps(entry.variables, indent=2, sort_keys=True)]
    lines += ["", "Answer (redacted):"]
    lines.append("(none)" if entry.answer is None else json.dumps(entry.answer, indent=2))
    lines += ["", "Query:", entry.query or "(not recorded)"]
    return "\n".join(lines)
