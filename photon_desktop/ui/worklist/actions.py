"""The worklist's row actions, joined to the real order dialogs: an order in Error or Routing is
sent to another pharmacy (``reroute``), an order is canceled (``cancel``), a prescription about
to expire is sent to a pharmacy (the new-order window). Each answer is shared with every view
through the order watch, so the row leaves the worklist as soon as Photon has the change."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from photon_desktop import errors
from photon_desktop.domain import Order
from photon_desktop.ui.common import tasks
from photon_desktop.ui.order_watch import OrderWatch
from photon_desktop.ui.orders.launch import open_new_order
from photon_desktop.ui.worklist.page import WorklistPage


def connect_actions(worklist: WorklistPage, watch: OrderWatch, parent: QWidget) -> None:
    """Offer Reroute, Cancel and Send to a pharmacy on ``worklist`` (dialogs over ``parent``)."""
    workspace = worklist.workspace

    def order_of(order_id: str) -> Order | None:
        return watch.get(order_id) or next(
            (i.order for i in worklist.items if i.order and i.order.id == order_id), None
        )

    async def share(order_id: str) -> None:
        """Read the changed order once, for the worklist and every other view."""
        try:
            await watch.read(order_id)
        except errors.PhotonError:
            watch.refresh_order(order_id)  # the next round reads it again
        worklist.rebuild()

    def reroute(order_id: str) -> None:
        order = order_of(order_id)
        if order is None:
            return

        async def go() -> None:
            from photon_desktop.ui.orders.reroute import reroute_order  # with its first use

            if await reroute_order(workspace, order, parent) is not None:
                await share(order_id)

        tasks.spawn(go(), owner=worklist, name="worklist-reroute")

    def cancel(order_id: str) -> None:
        order = order_of(order_id)
        if order is None:
            return

        async def go() -> None:
            from photon_desktop.ui.orders.cancel import cancel_order  # with its first use

            if await cancel_order(workspace, order, parent) is not None:
                await share(order_id)

        tasks.spawn(go(), owner=worklist, name="worklist-cancel")

    def send(prescription_id: str) -> None:
        rx = next(
            (i.prescription for i in worklist.items if i.prescription is not None
             and i.prescription.id == prescription_id),
            None,
        )  # fmt: skip
        if rx is None:
            return
        window = open_new_order(workspace, rx.patient_id, [rx.id], parent=parent)
        if window is not None:
            window.when_sent(worklist, lambda _order: worklist.refresh())

    worklist.reroute_requested.connect(reroute)
    worklist.cancel_requested.connect(cancel)
    worklist.send_requested.connect(send)
    worklist.enable_actions(reroute=True, cancel=True, send=True)
