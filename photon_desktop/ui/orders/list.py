"""The orders list: paged, filtered by state and patient, with the selected order's live detail."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from photon_desktop.domain import Order, OrderState, Page
from photon_desktop.services.order_changes import WatchUpdate
from photon_desktop.ui.common.formatting import enum_label, fmt_local_date
from photon_desktop.ui.common.paged_model import Column
from photon_desktop.ui.common.records_page import PAGE_SIZE, ListFilter, RecordsPage
from photon_desktop.ui.order_watch import OrderWatch
from photon_desktop.ui.orders.detail import READ_PERMISSION, OrderDetail
from photon_desktop.ui.orders.launch import NewOrderEntry
from photon_desktop.ui.workspace import Workspace

COLUMNS: tuple[Column[Order], ...] = (
    Column("Patient", lambda o: o.patient_name.full if o.patient_name else o.patient_id),
    Column("State", lambda o: enum_label(o.state)),
    Column("Fulfillment", lambda o: enum_label(o.fulfillment.state) if o.fulfillment else "—"),
    Column("Pharmacy", lambda o: o.pharmacy.name if o.pharmacy else "Routing…"),
    Column("Type", lambda o: enum_label(o.fulfillment.type) if o.fulfillment else "—"),
    # The date only: with its time (~130 px) it was the column a 1024 px window cut first.
    Column("Created", lambda o: fmt_local_date(o.created_at), whole=True),
    Column("ID", lambda o: o.id),
)


class OrdersPage(RecordsPage[Order]):
    """Emits ``prescription_requested(id)`` / ``patient_requested(id)`` for links elsewhere."""

    prescription_requested = Signal(str)
    patient_requested = Signal(str)
    kind = "order"
    kinds = "orders"
    permission = READ_PERMISSION
    state_enum = OrderState

    def __init__(
        self,
        workspace: Workspace,
        parent: QWidget | None = None,
        *,
        auto_refresh_ms: int = 5000,
        watch: OrderWatch | None = None,
    ) -> None:
        detail = OrderDetail(workspace, auto_refresh_ms=auto_refresh_ms, watch=watch)
        super().__init__(workspace, detail, COLUMNS, parent)
        # Rows show the order watcher's state, so a row never disagrees with the detail.
        self._watch = watch
        if watch is not None:
            watch.updated.connect(self._on_watched)
        self.setAccessibleName("Orders")
        detail.prescription_requested.connect(self.prescription_requested)
        detail.patient_requested.connect(self.patient_requested)
        self.new_order = NewOrderEntry(workspace, self)  # "New order…"
        self.add_tool(self.new_order)

    def open_order(self, order_id: str) -> None:
        """Show one order (e.g. from the patient detail)."""
        self.open(order_id)

    async def _fetch_page(self, flt: ListFilter, after: str | None) -> Page[Order]:
        state = flt.state if isinstance(flt.state, OrderState) else None
        started = self._watch.started() if self._watch is not None else 0.0
        page = await self._workspace.services.orders.list(
            patient_id=flt.patient_id,
            patient_name=None if flt.patient_id else flt.patient_name,
            state=state,
            after=after,
            first=PAGE_SIZE,
        )
        return self._watch.merge_page(page, started) if self._watch is not None else page

    def _on_watched(self, update: WatchUpdate) -> None:
        model = self.list.model
        if model is None:
            return
        fresh = {order.id: order for order in update.updated}
        for row, shown in enumerate(model.items()):
            if shown.id in fresh:
                model.replace_row(row, fresh[shown.id])
