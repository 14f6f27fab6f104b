"""Cancel an order: confirmed, with a reason from a short list or typed, saying what happens.

Photon's answer to ``cancelOrder`` can still show the old state (its web app patches the state
itself), so the caller shows CANCELED once the call succeeds. A chosen reason is unsent work (an
organization switch asks first, then closes the dialog); a stopped sandbox is followed
(``FormOutage``).
"""

from __future__ import annotations

import msgspec
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.domain import Order, OrderState
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.problems import failed_write
from photon_desktop.ui.common.questions import finished
from photon_desktop.ui.common.theme import show_error
from photon_desktop.ui.orders.order_dialog import OrderDialog
from photon_desktop.ui.workspace import Workspace

OTHER = "Other (type the reason)"
REASONS = (
    "Prescribed in error",
    "Patient asked to cancel",
    "Medication or dose changed",
    "Wrong pharmacy",
    "Duplicate order",
    "Cost or insurance coverage",
    "Patient will fill elsewhere",
    OTHER,
)


class CancelOrderDialog(OrderDialog):
    def __init__(self, workspace: Workspace, order: Order, parent: QWidget | None) -> None:
        super().__init__(workspace, order, parent)
        self._task: object | None = None
        self.setWindowTitle("Cancel order")
        self.setAccessibleName("Cancel order")
        who = order.patient_name.full if order.patient_name else "this patient"
        where = f" at {order.pharmacy.name}" if order.pharmacy else ""
        fills = ", ".join(f.treatment.name for f in order.fills if f.treatment) or "its fills"
        self.explain = QLabel(
            f"Cancel the order for {who}{where}?\n\n"
            f"The pharmacy is told not to fill {fills}. Fills not yet dispensed go back to their "
            "prescriptions, which can be sent again. This cannot be undone.",
            self,
        )
        self.explain.setWordWrap(True)
        self.setMinimumWidth(480)
        # A wrapped label's height is not asked for by the dialog's layout: give it room.
        self.explain.setMinimumHeight(self.explain.heightForWidth(450))
        self.reason = QComboBox(self)
        self.reason.setAccessibleName("Reason")
        self.reason.addItem("Choose a reason…", None)
        for reason in REASONS:
            self.reason.addItem(reason, reason)
        self.other = QLineEdit(self)
        self.other.setPlaceholderText("Reason")
        self.other.setAccessibleName("Typed reason")
        self.other.setVisible(False)
        self.reason.currentIndexChanged.connect(
            lambda _i: self.other.setVisible(self.reason.currentData() == OTHER)
        )
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        show_error(self.message)
        for changed in (self.reason.currentIndexChanged, self.other.textChanged):
            changed.connect(lambda *_: self.message.setText(""))
        self.buttons = QDialogButtonBox(self)
        self.confirm: QPushButton = self.buttons.addButton(
            "Cancel order", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        keep = self.buttons.addButton("Keep order", QDialogButtonBox.ButtonRole.RejectRole)
        keep.setDefault(True)
        self.confirm.clicked.connect(self._go)
        self.buttons.rejected.connect(self.reject)
        self.follow_server(self.confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(self.outage.label)
        layout.addWidget(self.explain)
        layout.addWidget(QLabel("Reason:", self))
        layout.addWidget(self.reason)
        layout.addWidget(self.other)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    @property
    def unsent_changes(self) -> bool:
        """A reason chosen or typed, and the order not canceled yet."""
        return self.result_order is None and self.reason.currentData() is not None

    def chosen_reason(self) -> str | None:
        value = self.reason.currentData()
        if value == OTHER:
            return self.other.text().strip() or None
        return str(value) if value else None

    def _go(self) -> None:
        reason = self.chosen_reason()
        if reason is None:
            self.message.setText(
                "Type the reason." if self.reason.currentData() == OTHER else "Choose a reason."
            )
            return
        if not self.confirm.isEnabled() or self._busy:
            return
        self._busy = True
        self.confirm.setEnabled(False)
        self.message.setText("")
        self.confirm.setText("Canceling…")
        self._task = tasks.spawn(self._send(reason), owner=self, name="cancel-order")

    async def _send(self, reason: str) -> None:
        try:
            answer = await self._workspace.services.orders.cancel(self.order.id, reason)
        except errors.PhotonError as exc:
            self._busy = False
            self.message.setText(failed_write(exc, "The order was not canceled"))
            self.confirm.setText("Cancel order")
            self.confirm.setEnabled(True)
            return
        # Photon's answer can lag: the user asked for CANCELED and the call succeeded.
        self.result_order = msgspec.structs.replace(answer, state=OrderState.CANCELED)
        self._busy = False
        self.accept()


async def cancel_order(workspace: Workspace, order: Order, parent: QWidget | None) -> Order | None:
    """Ask, cancel, and return the order as CANCELED; None when the user kept it."""
    dialog = CancelOrderDialog(workspace, order, parent)
    try:
        await finished(dialog)
        return dialog.result_order
    finally:
        dialog.deleteLater()
