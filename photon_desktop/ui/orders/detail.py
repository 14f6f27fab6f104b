"""One order: state, fulfillment and tracking, pharmacy, address, fills, exceptions.

While an order is still moving (not completed or canceled) and the view is visible, it refreshes
itself every few seconds so pharmacy progress shows live; F5 (``refresh()``) reloads at once.
Rerouting and cancelling (``actions.py``) sit in ``action_bar``, gated on ``write:order``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from photon_desktop.domain import Fill, FulfillmentType, Order, OrderState
from photon_desktop.domain.durations import format_duration, format_minutes
from photon_desktop.errors import PhotonError
from photon_desktop.services.order_changes import WatchUpdate
from photon_desktop.ui.common.field_grid import FieldGrid, section
from photon_desktop.ui.common.formatting import (
    code_label,
    enum_label,
    fmt_address,
    fmt_datetime,
    fmt_phone,
    text_or_dash,
)
from photon_desktop.ui.common.link_label import LinkLabel
from photon_desktop.ui.common.paged_model import Column
from photon_desktop.ui.common.record_detail import RecordDetail
from photon_desktop.ui.common.rows_table import RowsModel, rows_table
from photon_desktop.ui.order_watch import FollowOne, OrderWatch
from photon_desktop.ui.orders.actions import OrderActions
from photon_desktop.ui.workspace import Workspace

READ_PERMISSION = "read:order"
AUTO_REFRESH_MS = 5000
FINISHED = frozenset({OrderState.COMPLETED, OrderState.CANCELED})

FILL_COLUMNS: tuple[Column[Fill], ...] = (
    Column("Treatment", lambda f: f.treatment.name if f.treatment else "—"),
    Column("State", lambda f: enum_label(f.state)),
    Column("Requested", lambda f: fmt_datetime(f.requested_at), whole=True),
    Column("Filled", lambda f: fmt_datetime(f.filled_at), whole=True),
    Column("Prescription", lambda f: text_or_dash(f.prescription_id)),
)


class OrderDetail(RecordDetail[Order]):
    """Emits ``prescription_requested(id)`` / ``patient_requested(id)`` for links elsewhere."""

    prescription_requested = Signal(str)
    patient_requested = Signal(str)
    kind = "order"

    def __init__(
        self,
        workspace: Workspace,
        parent: QWidget | None = None,
        *,
        auto_refresh_ms: int = AUTO_REFRESH_MS,
        watch: OrderWatch | None = None,
    ) -> None:
        super().__init__(workspace, READ_PERMISSION, parent)
        # With the order watcher, updates come from it (shared with the list) instead of a timer.
        self._follow = FollowOne(watch) if watch is not None else None
        if watch is not None:
            watch.updated.connect(self._on_watched)
            watch.status_changed.connect(lambda _state: self._update_timer())
        self.setAccessibleName("Order details")
        self._timer = QTimer(self)
        self._timer.setInterval(auto_refresh_ms)
        self._timer.timeout.connect(self._tick)

        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 8, 0)
        self.patient_link = LinkLabel(self.body)
        self.patient_link.setAccessibleName("Patient")
        self.patient_link.linkActivated.connect(
            lambda href: self.patient_requested.emit(href.removeprefix("patient:"))
        )
        body.addWidget(self.patient_link)
        self.live = QLabel(self.body)
        self.live.setAccessibleName("Live updates")
        body.addWidget(self.live)

        self.exceptions_title = section("Problems", self.body)
        self.exceptions = QLabel(self.body)
        self.exceptions.setWordWrap(True)
        self.exceptions.setAccessibleName("Order problems")
        self.exceptions.setStyleSheet("border-left: 4px solid #d32f2f; padding: 4px 8px;")
        body.addWidget(self.exceptions_title)
        body.addWidget(self.exceptions)

        body.addWidget(section("Fulfillment", self.body))
        self.fulfillment = FieldGrid()
        for label in ("Type", "Progress", "Carrier", "Tracking number", "Ready"):
            self.fulfillment.add(self.body, label)
        body.addLayout(self.fulfillment)

        body.addWidget(section("Pharmacy", self.body))
        self.pharmacy = FieldGrid()
        for label in ("Pharmacy", "Pharmacy address", "Phone"):
            self.pharmacy.add(self.body, label)
        body.addLayout(self.pharmacy)

        # Where a mail order ships; for any other order, the address it was placed with.
        self.delivery_title = section("Order", self.body)
        body.addWidget(self.delivery_title)
        self.delivery = FieldGrid()
        for label in ("Address", "Created"):
            self.delivery.add(self.body, label)
        body.addLayout(self.delivery)

        body.addWidget(section("Fills", self.body))
        self.fills_model: RowsModel[Fill] = RowsModel(FILL_COLUMNS, self)
        self.fills_table = rows_table(self.fills_model, "Fills of this order", self.body)
        self.fills_table.setToolTip("Double-click a fill to open its prescription")
        self.fills_table.activated.connect(self._on_fill_activated)
        body.addWidget(self.fills_table)

        body.addWidget(section("Identifiers", self.body))
        self.ids = FieldGrid()
        for label in ("Order ID", "External ID"):
            self.ids.add(self.body, label)
        body.addLayout(self.ids)
        body.addStretch(1)
        # Write actions: send to another pharmacy, cancel; what to do about problems.
        self.write_actions = OrderActions(workspace, self)

    async def _fetch(self, record_id: str) -> Order:
        if self._follow is not None:
            return await self._follow.watch.read(record_id)
        return await self._workspace.services.orders.get(record_id)

    @property
    def live_updates(self) -> bool:
        """True while the order shown is refreshed automatically."""
        if self._follow is not None:
            return self.record is not None and self._follow.watch.is_live(self.record.id)
        return self._timer.isActive()

    def _on_watched(self, update: WatchUpdate) -> None:
        for order in update.updated:
            if self.record is not None and order.id == self.record.id:
                self.record = order
                self._render(order)

    def _show_watched(self, follow: FollowOne) -> None:
        shown = self.record is not None and self.isVisible()
        follow.set(self.record.id if shown and self.record is not None else None)
        text = follow.watch.describe_live(self.record) if self.record is not None else ""
        self.live.setText(text)
        self.live.setVisible(bool(text))

    def _render(self, order: Order) -> None:
        name = order.patient_name
        self.title.setText(f"Order for {name.full}" if name else "Order")
        self.badge.setText(enum_label(order.state))
        self.badge.setVisible(True)
        self.badge.setAccessibleDescription(f"State: {enum_label(order.state)}")
        patient = order.patient_name.full if order.patient_name else order.patient_id
        self.patient_link.setText(
            f'Patient: <a href="patient:{html.escape(order.patient_id)}">{html.escape(patient)}</a>'
        )

        lines = [
            f"{code_label(p.type)}: {p.message or ''}".strip()
            + ("" if p.resolved_at is None else " (resolved)")
            for p in order.exceptions
        ]
        self.exceptions.setText("\n".join(lines))
        self.exceptions_title.setVisible(bool(lines))
        self.exceptions.setVisible(bool(lines))

        f = order.fulfillment
        self.fulfillment.set("Type", enum_label(f.type) if f else "Not decided yet")
        self.fulfillment.set("Progress", enum_label(f.state) if f else "Waiting for the pharmacy")
        self.fulfillment.set("Carrier", text_or_dash(f.carrier if f else None))
        self.fulfillment.set("Tracking number", text_or_dash(f.tracking_number if f else None))
        ready = "—"
        if f and f.pharmacy_estimated_ready_at:
            ready = fmt_datetime(f.pharmacy_estimated_ready_at)
        elif f and f.minutes_until_ready is not None:
            ready = f"in about {format_minutes(f.minutes_until_ready)}"
        self.fulfillment.set("Ready", ready)

        pharmacy = order.pharmacy
        self.pharmacy.set("Pharmacy", pharmacy.name if pharmacy else "Routing — not chosen yet")
        address = pharmacy.address if pharmacy else None
        self.pharmacy.set("Pharmacy address", fmt_address(address))
        self.pharmacy.set("Phone", fmt_phone(pharmacy.phone if pharmacy else None))
        mail = f is not None and f.type is FulfillmentType.MAIL_ORDER
        self.delivery_title.setText("Delivery" if mail else "Order")
        self.delivery.set("Address", fmt_address(order.address))
        self.delivery.set("Created", fmt_datetime(order.created_at))
        self.fills_model.set_rows(order.fills)
        self.ids.set("Order ID", order.id)
        self.ids.set("External ID", text_or_dash(order.external_id))
        self._update_timer()

    def _update_timer(self) -> None:
        if self._follow is not None:
            return self._show_watched(self._follow)
        moving = self.record is not None and self.record.state not in FINISHED
        if moving and self.isVisible():
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()
        self.live.setText(
            f"Updates live every {format_duration(self._timer.interval() / 1000)}"
            " while the order is in progress."
            if moving
            else ""
        )
        self.live.setVisible(moving)

    def _tick(self) -> None:
        if self.record is not None and self.record.state not in FINISHED:
            self.refresh()
        else:
            self._timer.stop()

    def _refresh_failed(self, error: PhotonError) -> None:
        self.live.setText(f"Could not refresh: {error} Showing the last known state.")
        self.live.setVisible(True)

    def clear(self) -> None:
        self._timer.stop()
        super().clear()
        if self._follow is not None:
            self._follow.set(None)

    def cancel_tasks(self) -> None:
        self._timer.stop()
        if self._follow is not None:
            self._follow.set(None)
        super().cancel_tasks()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_timer()

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        if self._follow is not None:
            self._follow.set(None)
        super().hideEvent(event)

    def _on_fill_activated(self, index: QModelIndex) -> None:
        rx_id = self.fills_model.item(index.row()).prescription_id
        if rx_id:
            self.prescription_requested.emit(rx_id)
