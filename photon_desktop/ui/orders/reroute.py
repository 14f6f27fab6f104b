"""Send an order to another pharmacy (``routeOrder``): for an order waiting in Routing (the
patient has not chosen) or in Error (its pharmacy could not take it). Same picker as a new
order, around the order's address; confirmed before sending. A picked pharmacy is unsent work;
a stopped sandbox is followed (``FormOutage``)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from photon_desktop import errors
from photon_desktop.domain import FulfillmentType, Order
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.problems import failed_write
from photon_desktop.ui.common.questions import finished
from photon_desktop.ui.common.theme import show_error
from photon_desktop.ui.orders.order_dialog import OrderDialog
from photon_desktop.ui.orders.pharmacy_picker import PharmacyPicker
from photon_desktop.ui.workspace import Workspace


class RerouteDialog(OrderDialog):
    def __init__(self, workspace: Workspace, order: Order, parent: QWidget | None) -> None:
        super().__init__(workspace, order, parent)
        self.setWindowTitle("Send to another pharmacy")
        self.setAccessibleName("Send to another pharmacy")
        self.resize(720, 520)
        who = order.patient_name.full if order.patient_name else "the patient"
        now = f" It is now at {order.pharmacy.name}." if order.pharmacy else ""
        self.explain = QLabel(
            f"Choose the pharmacy that should fill {who}'s order.{now} The order is sent there "
            "at once and the pharmacy starts over.",
            self,
        )
        self.explain.setWordWrap(True)
        self.explain.setMinimumHeight(self.explain.heightForWidth(690))
        zip_code = order.address.postal_code if order.address else None
        self.picker = PharmacyPicker(
            workspace,
            FulfillmentType.PICK_UP,
            zip_code=zip_code,
            exclude=[order.pharmacy.id] if order.pharmacy else [],
            parent=self,
        )
        self.picker.picked.connect(lambda p: self.confirm.setEnabled(p is not None))
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        show_error(self.message)
        self.buttons = QDialogButtonBox(self)
        self.confirm: QPushButton = self.buttons.addButton(
            "Send to this pharmacy", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.confirm.setEnabled(False)
        self.confirm.clicked.connect(self._go)
        self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.rejected.connect(self.reject)
        self.follow_server(self.confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(self.outage.label)
        layout.addWidget(self.explain)
        layout.addWidget(self.picker, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    @property
    def unsent_changes(self) -> bool:
        """A pharmacy picked and the order not sent there yet."""
        return self.result_order is None and self.picker.pharmacy is not None

    def _go(self) -> None:
        pharmacy = self.picker.pharmacy
        if pharmacy is None or self._busy or self.outage.blocked:
            return
        self._busy = True
        self.confirm.setEnabled(False)
        self.confirm.setText("Sending…")
        self.message.setText("")
        tasks.spawn(self._send(pharmacy.id), owner=self, name="reroute-order")

    async def _send(self, pharmacy_id: str) -> None:
        try:
            self.result_order = await self._workspace.services.orders.reroute(
                self.order.id, pharmacy_id
            )
        except errors.PhotonError as exc:
            self.message.setText(failed_write(exc, "The order was not sent"))
            self.confirm.setText("Send to this pharmacy")
            self.confirm.setEnabled(True)
            return
        finally:
            self._busy = False
        self.accept()

    def reject(self) -> None:
        if not self._busy:
            self.picker.cancel_tasks()
        super().reject()


async def reroute_order(workspace: Workspace, order: Order, parent: QWidget | None) -> Order | None:
    """Pick, confirm and reroute; the order as Photon returns it, or None if not sent."""
    dialog = RerouteDialog(workspace, order, parent)
    try:
        await finished(dialog)
        return dialog.result_order
    finally:
        dialog.picker.cancel_tasks()
        dialog.deleteLater()
