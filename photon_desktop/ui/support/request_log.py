"""The request log: every API call of this session, live, filterable, with its redacted detail,
and "Export for a ticket": a JSON bundle of the chosen calls and the ``photon-desktop check``
report for the current environment, with tokens, secrets and patient details removed.

The check runs in the background with its step shown; it may take a while (an unreachable
provider) and may fail, which the bundle records by failure code: it never holds the export up
for good (the service gives up after ``support.CHECK_TIMEOUT_S``) and Cancel stops it at once."""

from __future__ import annotations

import asyncio
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
    Signal,
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
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.services import support
from photon_desktop.services.credentials import Environment, Profile
from photon_desktop.ui.common import tasks, theme
from photon_desktop.ui.common.formatting import fmt_datetime
from photon_desktop.ui.common.rows_table import one_tab_stop
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
    """Live table of API calls | the selected call's query, variables and answer.

    ``exported(bundle)`` when a ticket export ends: the ``support.Bundle`` written, or None when
    nothing was saved (cancelled, or the file could not be written).
    """

    exported = Signal(object)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._unsubscribe: Callable[[], None] | None = None
        self._export = tasks.Latest(owner=self)
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
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.setAccessibleName("Ticket export progress")
        self.progress_text = QLabel(self)
        self.progress_text.setAccessibleName("Ticket export step")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel ticket export")
        self.cancel_button.clicked.connect(self.cancel_export)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Export result")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("API calls")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        one_tab_stop(self.table)
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
        running = QHBoxLayout()
        running.addWidget(self.progress)
        running.addWidget(self.progress_text, 1)
        running.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addLayout(running)
        layout.addWidget(self.result)
        self._set_busy(False)

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

    @property
    def busy(self) -> bool:
        return self._export.busy

    def export_ticket(self, path: Path) -> None:
        """Write the chosen calls and the environment's check report to ``path``; the calls are
        the ones chosen now, the check runs first (``exported`` tells when it is done)."""
        if self.busy:
            return
        entries = self.selected_entries()
        ready = self._workspace.ready
        environment = self._workspace.environment if ready else None
        profile = self._workspace.session.profile if ready else None
        theme.show_error(self.result, None)
        self.result.setText("")
        self._export.spawn(
            self._run_export(path, entries, environment, profile), name="ticket-export"
        )
        self._set_busy(True)
        self._on_step("discovery")

    async def _run_export(
        self,
        path: Path,
        entries: list[support.RequestLogEntry],
        environment: Environment | None,
        profile: Profile | None,
    ) -> None:
        check = await support.environment_check(environment, profile, on_step=self._on_step)
        self.progress_text.setText("Removing tokens, secrets and patient details and saving…")
        self.cancel_button.setEnabled(False)  # a write under way cannot be taken back
        name = environment.name if environment is not None else "none"
        bundle = support.ticket_bundle(entries, environment=name, check=check)
        text = bundle.text()

        def write() -> None:  # a closure: a thread's arguments show in qasync's debug log
            path.write_text(text, encoding="utf-8")

        try:
            await asyncio.to_thread(write)
        except OSError as error:
            self._set_busy(False)
            theme.show_error(self.result)
            self.result.setText(f"Not saved: {error.strerror or error}. Choose another folder.")
            self.exported.emit(None)
            return
        self._set_busy(False)
        calls = len(bundle.content["calls"])
        self.result.setText(
            f"Saved {calls} call{'' if calls == 1 else 's'} and {check_outcome(check)} to "
            f"{path.name}. {bundle.summary()}"
        )
        self.exported.emit(bundle)

    def _on_step(self, name: str) -> None:
        doing = support.CHECK_STEPS.get(name, name)
        self.progress_text.setText(f"Checking the environment for the ticket: {doing}…")

    def cancel_export(self) -> None:
        if not self.busy:
            return
        self._export.cancel()
        self._set_busy(False)
        theme.show_error(self.result, None)
        self.result.setText("Ticket export cancelled; no file was saved.")
        self.exported.emit(None)

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.progress_text.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self.export_button.setEnabled(not busy)
        if not busy:
            self.progress_text.setText("")

    def cancel_tasks(self) -> None:
        self._export.cancel()


def check_outcome(report: dict[str, Any]) -> str:
    """How the check ended, in the words of the result line."""
    if report.get("ok"):
        return "a passing environment check"
    failed = next(
        (f"{name}: {step['code']}" for name, step in report["steps"].items() if not step["ok"]),
        "no step ran",
    )
    return f"the environment check (failed at {failed})"


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
