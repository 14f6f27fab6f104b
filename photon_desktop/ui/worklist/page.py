"""The "Needs attention" worklist: orders in error or with pharmacy problems, orders routing or
waiting for pickup too long, prescriptions about to expire with fills left.

Orders come from the order watcher, so the worklist costs no requests of its own; expiring
prescriptions are read when the page is first shown and on Refresh. The rows are worked out from
both with the thresholds in force on every rebuild, which follows each change to them. Each row
offers "Open"; reroute, cancel and send-to-pharmacy are signals the order dialogs connect to
(``worklist.actions`` calls ``enable_actions``), enabled only for a row they apply to and where
the user's permissions allow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QSystemTrayIcon,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.domain import Prescription, PrescriptionState, can_cancel, can_reroute
from photon_desktop.services.worklist import (
    AttentionItem,
    Thresholds,
    expiring_prescriptions,
    order_items,
    prescription_items,
    sort_items,
)
from photon_desktop.ui.common import icons, preferences, tasks
from photon_desktop.ui.common.copy_id import copy_id_action
from photon_desktop.ui.common.formatting import fmt_date, fmt_datetime
from photon_desktop.ui.common.paged_model import Column
from photon_desktop.ui.common.rows_table import RowsModel, fit_to_width, one_tab_stop
from photon_desktop.ui.common.states import StateView, stopped_text
from photon_desktop.ui.order_watch import OrderWatch
from photon_desktop.ui.worklist.settings import OrderUpdatesDialog
from photon_desktop.ui.workspace import Workspace

WRITE_ORDER = "write:order"
READ_PRESCRIPTION = "read:prescription"
RECHECK_MS = 60_000  # thresholds are crossed as time passes, without any new reading
PRESCRIPTIONS_MAX_AGE = timedelta(minutes=15)
#: Prescriptions are read as far ahead as "Expiring within" can be set, so a change to it applies
#: at once, without reading them again.
READ_AHEAD = timedelta(days=(preferences.WORKLIST_EXPIRY_DAYS.bounds or (0, 365))[1])


def _patient(item: AttentionItem) -> str:
    record = item.order or item.prescription
    if record is None:
        return "—"
    return record.patient_name.full if record.patient_name else record.patient_id


def _since(item: AttentionItem) -> str:
    if isinstance(item.since, datetime):
        return fmt_datetime(item.since)
    if isinstance(item.since, date):
        return fmt_date(item.since)
    return "—"


def _what(item: AttentionItem) -> str:
    """The order's pharmacy or the prescription's drug: the kind already says which it is, so
    the name starts the cell and is what a narrow column still shows."""
    if item.order is not None:
        return item.order.pharmacy.name if item.order.pharmacy else "No pharmacy yet"
    if item.prescription is not None and item.prescription.treatment is not None:
        return item.prescription.treatment.name
    return "—"


COLUMNS: tuple[Column[AttentionItem], ...] = (
    Column("Needs attention", lambda i: i.kind.value, whole=True),
    Column("Patient", _patient, key=True),
    Column("Details", lambda i: i.reason, whole=True),
    Column("Since / due", _since, whole=True),
    Column("Pharmacy or drug", _what),
)


def thresholds() -> Thresholds:
    return Thresholds(
        routing=timedelta(hours=preferences.WORKLIST_ROUTING_HOURS.get()),
        ready=timedelta(days=preferences.WORKLIST_READY_DAYS.get()),
        expiring=timedelta(days=preferences.WORKLIST_EXPIRY_DAYS.get()),
    )


class WorklistPage(QWidget):
    """Emits ``open_order``/``open_prescription`` (ids) and the action signals below."""

    open_order = Signal(str)
    open_prescription = Signal(str)
    reroute_requested = Signal(str)  # order id
    cancel_requested = Signal(str)  # order id
    send_requested = Signal(str)  # prescription id: send it to a pharmacy
    count_changed = Signal(int, int)  # rows about orders, rows about prescriptions
    first_load_done = Signal(int)  # once per sign-in, when orders (and prescriptions) are known

    def __init__(
        self,
        workspace: Workspace,
        watch: OrderWatch,
        parent: QWidget | None = None,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Needs attention")
        self.workspace = workspace
        self._workspace = workspace
        self._watch = watch
        self._now = now
        self._prescriptions: list[Prescription] = []
        self._prescriptions_at: datetime | None = None
        self._prescriptions_loaded = False
        self._prescription_error: str | None = None
        self._announced = False
        self._loads = tasks.Latest(owner=self)
        self._allowed_actions: set[str] = set()

        self.title = QLabel("Needs attention", self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Worklist summary")
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setToolTip("Check every order and prescription now (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        self.settings_button = QPushButton("Settings…", self)
        self.settings_button.setToolTip("How often orders are checked, notifications, thresholds")
        self.settings_button.clicked.connect(self.open_settings)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.summary, 1)
        header.addWidget(self.settings_button)
        header.addWidget(self.refresh_button)

        self.model: RowsModel[AttentionItem] = RowsModel(COLUMNS, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Items needing attention")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        one_tab_stop(self.table)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        # With room, the kind, what to do and the date are read whole and the patient and the
        # pharmacy or drug share the rest; in a narrow window all share it (cut cells elide,
        # whole in their tooltip), so none is squeezed to a few letters.
        fit_to_width(self.table)
        self.copy_id = copy_id_action(self.table, "Copy ID", self._selected_id)
        self.table.activated.connect(self._open_index)
        self.table.doubleClicked.connect(self._open_index)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())

        self.state = StateView(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.state)
        self.stack.addWidget(self.table)

        self.open_button = QPushButton("Open", self)
        self.reroute_button = QPushButton("Reroute…", self)
        self.cancel_button = QPushButton("Cancel order…", self)
        self.send_button = QPushButton("Send to a pharmacy…", self)
        self.open_button.clicked.connect(self.open_selected)
        self.reroute_button.clicked.connect(lambda: self._emit_for_order(self.reroute_requested))
        self.cancel_button.clicked.connect(lambda: self._emit_for_order(self.cancel_requested))
        self.send_button.clicked.connect(self._send_selected)
        actions = QHBoxLayout()
        for button in (self.open_button, self.reroute_button, self.cancel_button, self.send_button):
            actions.addWidget(button)
        actions.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)
        layout.addLayout(actions)

        self._recheck = QTimer(self)
        self._recheck.setInterval(RECHECK_MS)
        self._recheck.timeout.connect(self.rebuild)
        self._recheck.start()
        watch.updated.connect(lambda _update: self.rebuild())
        watch.settings_changed.connect(lambda _setting: self.rebuild())  # thresholds may move
        watch.replaced.connect(self._reset)
        workspace.session_changed.connect(self._on_session)
        workspace.availability_changed.connect(self.rebuild)
        self._update_actions()
        self.rebuild()
        self._load_prescriptions()  # already signed in when built after the sign-in

    # ------------------------------------------------------------------ items

    @property
    def items(self) -> tuple[AttentionItem, ...]:
        return tuple(self.model.item(r) for r in range(self.model.rowCount()))

    @property
    def count(self) -> int:
        return self.model.rowCount()

    def rebuild(self) -> None:
        """Recompute the rows from the watcher's orders and the last prescription reading."""
        watcher = self._watch.watcher
        now, limits = self._now(), thresholds()
        orders = order_items(
            self._watch.orders(),
            watcher.since if watcher is not None else (lambda _id: None),
            now,
            limits,
        )
        expiring = prescription_items(self._prescriptions, now.date(), limits)
        selected = self._selected()
        # Stopped: what the watcher knew died with the server (the tray's count goes too).
        rows = [] if self._stopped() else sort_items([*orders, *expiring])
        if [r.key for r in rows] != [r.key for r in self.items] or rows != list(self.items):
            self.model.set_rows(rows)
            if selected is not None:
                self._select_key(selected.key)
            self._update_actions()  # the selected row may be gone or have changed state
        self._show_state(loaded=watcher is not None and watcher.loaded)
        prescriptions = sum(1 for r in rows if r.prescription is not None)
        self.count_changed.emit(len(rows) - prescriptions, prescriptions)
        self._maybe_announce()

    def _show_state(self, *, loaded: bool) -> None:
        stopped = self._stopped()
        self.refresh_button.setEnabled(not stopped)
        self.refresh_button.setToolTip(
            stopped_text("nothing to check")
            if stopped
            else "Check every order and prescription now (F5)"
        )
        if stopped:
            self.summary.clear()
            self.state.show_stopped(stopped_text("no orders or prescriptions to check"))
            self.stack.setCurrentWidget(self.state)
            return
        count = self.count
        parts = []
        if count:
            parts.append(f"{count} item{'s' if count != 1 else ''}")
        if self._prescription_error:
            parts.append(f"Prescriptions could not be checked: {self._prescription_error}")
        self.summary.setText(" · ".join(parts))
        if count:
            self.stack.setCurrentWidget(self.table)
        elif not self._workspace.ready:
            self.state.show_message("Not connected to Photon.")
            self.stack.setCurrentWidget(self.state)
        elif not loaded:
            self.state.show_loading("Checking orders…")
            self.stack.setCurrentWidget(self.state)
        else:
            self.state.show_empty("Nothing needs your attention.")
            self.stack.setCurrentWidget(self.state)

    def _stopped(self) -> bool:
        return self._workspace.ready and bool(self._workspace.unavailable)

    def _maybe_announce(self) -> None:
        watcher = self._watch.watcher
        ready = watcher is not None and watcher.loaded
        if ready and self._prescriptions_loaded and not self._announced:
            self._announced = True
            self.first_load_done.emit(self.count)

    def _reset(self) -> None:
        self._loads.cancel()
        self._prescriptions = []
        self._prescriptions_at = None
        self._prescriptions_loaded = False
        self._announced = False
        self.rebuild()
        self._load_prescriptions()

    def _on_session(self) -> None:
        if not (self._workspace.ready and self._workspace.session.signed_in):
            self._announced = False
        self._update_actions()
        self._load_prescriptions()

    def open_settings(self) -> OrderUpdatesDialog:
        tray = QSystemTrayIcon.isSystemTrayAvailable()
        dialog = OrderUpdatesDialog(self._watch, self, tray_available=tray)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ prescriptions

    def refresh(self) -> None:
        """F5 / Refresh: every order now (including ones in error) and the prescriptions."""
        self._watch.refresh()
        self._load_prescriptions(force=True)

    def can_refresh(self) -> bool:
        ws = self._workspace
        return ws.ready and not ws.unavailable and ws.session.signed_in

    def focus_search(self) -> bool:
        return False

    def refresh_icons(self) -> None:
        """Its buttons have no icons; its Ctrl+C action has."""
        self.copy_id.setIcon(icons.icon("copy"))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._load_prescriptions()

    def _load_prescriptions(self, *, force: bool = False) -> None:
        if not (self._workspace.ready and self._workspace.session.signed_in):
            return
        fresh = self._prescriptions_at is not None and (
            self._now() - self._prescriptions_at < PRESCRIPTIONS_MAX_AGE
        )
        if (fresh and not force) or (self._loads.busy and not force):
            return
        if not self._workspace.session.has(READ_PRESCRIPTION):
            self._prescriptions, self._prescriptions_loaded = [], True
            self.rebuild()
            return
        self._loads.spawn(self._read_prescriptions(), name="worklist-prescriptions")

    async def _read_prescriptions(self) -> None:
        today = self._now().date()
        try:
            found = await expiring_prescriptions(
                self._workspace.services.prescriptions, today, READ_AHEAD
            )
        except errors.PhotonError as error:
            self._prescription_error = str(error)
        else:
            self._prescription_error = None
            self._prescriptions = found
            self._prescriptions_at = self._now()
        self._prescriptions_loaded = True
        self.rebuild()

    # ------------------------------------------------------------------ actions

    def enable_actions(
        self, *, reroute: bool = False, cancel: bool = False, send: bool = False
    ) -> None:
        """Show the action buttons whose dialogs exist (connected to the signals)."""
        wanted = {"reroute": reroute, "cancel": cancel, "send": send}
        self._allowed_actions = {name for name, on in wanted.items() if on}
        self._update_actions()

    def _can_write(self) -> bool:
        ws = self._workspace
        return ws.ready and ws.session.has(WRITE_ORDER)

    def _update_actions(self) -> None:
        item = self._selected()
        order = item.order if item else None
        rx = item.prescription if item else None
        writable = self._can_write()
        why = (
            ""
            if writable or not self._workspace.ready
            else self._workspace.session.why_not(WRITE_ORDER)
        )
        self.open_button.setEnabled(item is not None)
        sendable = (
            rx is not None and rx.state is PrescriptionState.ACTIVE and rx.fills_remaining > 0
        )
        for name, button, fits in (
            ("reroute", self.reroute_button, order is not None and can_reroute(order)),
            ("cancel", self.cancel_button, order is not None and can_cancel(order)),
            ("send", self.send_button, sendable),
        ):
            button.setVisible(name in self._allowed_actions)
            button.setEnabled(writable and fits)
            button.setToolTip(why)

    def _selected(self) -> AttentionItem | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.item(rows[0].row()) if rows else None

    def _selected_id(self) -> tuple[str, str] | None:
        item = self._selected()
        if item is not None and item.order is not None:
            return "order", item.order.id
        if item is not None and item.prescription is not None:
            return "prescription", item.prescription.id
        return None

    def _select_key(self, key: str) -> None:
        for row, item in enumerate(self.items):
            if item.key == key:
                self.table.selectRow(row)
                return

    def _open_index(self, index: QModelIndex) -> None:
        self._open(self.model.item(index.row()))

    def open_selected(self) -> None:
        item = self._selected()
        if item is not None:
            self._open(item)

    def _open(self, item: AttentionItem) -> None:
        if item.order is not None:
            self.open_order.emit(item.order.id)
        elif item.prescription is not None:
            self.open_prescription.emit(item.prescription.id)

    def _emit_for_order(self, signal: SignalInstance) -> None:
        item = self._selected()
        if item is not None and item.order is not None and self._can_write():
            signal.emit(item.order.id)

    def _send_selected(self) -> None:
        item = self._selected()
        if item is not None and item.prescription is not None and self._can_write():
            self.send_requested.emit(item.prescription.id)

    def cancel_tasks(self) -> None:
        self._loads.cancel()
        self._recheck.stop()
