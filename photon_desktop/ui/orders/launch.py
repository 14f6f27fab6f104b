"""The ways into the new-order window: from a patient or prescription (``open_new_order``),
choosing the patient first (the Orders page's "New order…" and Ctrl+Shift+O), and "Open order"
once it is sent (the Orders page shows it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QPushButton, QWidget

from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.gating import PermissionGate
from photon_desktop.ui.common.windows import keep_open, kept
from photon_desktop.ui.orders import WRITE
from photon_desktop.ui.workspace import Workspace

if TYPE_CHECKING:
    from photon_desktop.ui.orders.new_order import NewOrderWindow


def open_new_order(
    workspace: Workspace,
    patient_id: str,
    prescription_ids: Sequence[str] = (),
    parent: QWidget | None = None,
) -> NewOrderWindow | None:
    """Open the new-order window, or bring forward the one already open for the patient that
    lists ``prescription_ids`` (ticking them); None without ``write:order``.

    One unsent order window per patient: each window has its own externalId, so two of them
    (a button pressed twice, "Send to a pharmacy" from the form and from the detail) could each
    send an order for the same prescriptions."""
    if not (workspace.ready and workspace.session.has(WRITE)):
        return None
    from photon_desktop.ui.orders.new_order import NewOrderWindow  # with its first opening

    for open_window in kept(workspace, NewOrderWindow):
        if (
            open_window.patient_id == patient_id
            and open_window.order is None
            and open_window.lists(prescription_ids)
        ):
            open_window.want(prescription_ids)
            open_window.show()
            open_window.raise_()
            open_window.activateWindow()
            return open_window
    window = NewOrderWindow(workspace, patient_id, prescription_ids, parent)
    keep_open(workspace, window)
    window.open_order.connect(lambda order_id: show_on_orders_page(parent, order_id))
    window.show()
    return window


def show_on_orders_page(parent: QWidget | None, order_id: str) -> None:
    """ "Open order": the main window the order was started from shows it on its Orders page."""
    top = parent.window() if parent is not None else None
    show_page = getattr(top, "show_page", None)
    page = getattr(top, "page", None)
    if callable(show_page) and callable(page) and show_page("orders"):
        open_order = getattr(page("orders"), "open_order", None)
        if callable(open_order):
            open_order(order_id)


def order_for_someone(workspace: Workspace, parent: QWidget | None = None) -> None:
    """The Orders page and Ctrl+Shift+O: choose the patient, then the new-order window."""
    if not (workspace.ready and workspace.session.has(WRITE)):
        return

    async def go() -> None:
        from photon_desktop.ui.prescriptions.patient_chooser import choose_patient

        chosen = await choose_patient(workspace, parent, "New order — choose the patient")
        if chosen is not None:
            window = open_new_order(workspace, chosen[0], parent=parent)
            reload = getattr(parent, "reload", None)  # the Orders page lists the new one
            if window is not None and parent is not None and callable(reload):
                window.when_sent(parent, lambda _order: reload())

    tasks.spawn(go(), owner=parent, name="choose-patient-to-order")


class NewOrderEntry(QPushButton):
    """ "New order…" on the Orders page (hidden without ``write:order``)."""

    def __init__(self, workspace: Workspace, page: QWidget) -> None:
        super().__init__("New order…", page)
        self.setAccessibleName("New order")
        self.setToolTip("Send a patient's prescriptions to a pharmacy (Ctrl+Shift+O)")
        self.clicked.connect(lambda: order_for_someone(workspace, page))
        self.gate = PermissionGate(workspace, WRITE, [self], hide=True)
