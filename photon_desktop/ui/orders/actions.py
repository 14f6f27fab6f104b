"""Write actions of the order detail: send to another pharmacy, cancel, and what to do next.

Offered only where they apply (Routing or Error: reroute; not Canceled/Completed/Shipped:
cancel) and only with ``write:order``. An Error or Routing order says what to do, and each
problem Photon raised (``Order.exceptions``) comes with advice. After a successful cancel the
detail shows Canceled even if Photon's own answer still lags.
"""

from __future__ import annotations

import msgspec
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout

from photon_desktop.domain import Order, OrderState, can_cancel, can_reroute
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.formatting import enum_label
from photon_desktop.ui.common.record_detail import RecordDetail
from photon_desktop.ui.orders.cancel import cancel_order
from photon_desktop.ui.orders.reroute import reroute_order
from photon_desktop.ui.workspace import Workspace

WRITE = "write:order"

ADVICE = {
    "PHARMACY_UNREACHABLE": "Send the order to another pharmacy.",
    "PHARMACY_CLOSED": "Send the order to a pharmacy that is open.",
    "OOS": "Out of stock: send the order to another pharmacy, or prescribe an alternative.",
    "BACKORDERED": "Back-ordered: send it to another pharmacy or prescribe an alternative.",
    "PA_REQUIRED": "Start a prior authorization with the patient's insurer.",
    "NOT_COVERED": "Not covered: prescribe a covered alternative or tell the patient the cost.",
    "HIGH_COPAY": "Talk with the patient about cost; consider a cheaper alternative.",
    "REFILL_TOO_SOON": "Tell the patient when the refill becomes available.",
    "RX_CLARIFICATION": "Call the pharmacy: they need the prescription clarified.",
    "DEMOGRAPHIC_MISMATCH": "Check the patient's name, birth date and address, then resend.",
    "EXTERNAL_TRANSFER": "The prescription was transferred; confirm with the pharmacy.",
    "ORDER_ERROR": "Send the order to another pharmacy or cancel it.",
}

GUIDANCE = {
    OrderState.ERROR: "This order could not be filled where it was sent. Send it to another "
    "pharmacy, or cancel it.",
    OrderState.ROUTING: "The patient has not chosen a pharmacy yet. You can choose one for them.",
}


def advice_for(kind: str) -> str:
    return ADVICE.get(kind, "Contact the pharmacy or Photon support about this problem.")


class OrderActions(QObject):
    """Adds "Send to another pharmacy…" and "Cancel order…" to an order detail's action bar."""

    def __init__(self, workspace: Workspace, detail: RecordDetail[Order]) -> None:
        super().__init__(detail)
        self._workspace = workspace
        self._detail = detail
        self._canceled: set[str] = set()
        self.reroute_button = QPushButton("Send to another pharmacy…", detail)
        self.reroute_button.setAccessibleName("Send to another pharmacy")
        self.cancel_button = QPushButton("Cancel order…", detail)
        self.cancel_button.setAccessibleName("Cancel order")
        self.reroute_gate = detail.action_bar.add(self.reroute_button, WRITE, hide=True)
        self.cancel_gate = detail.action_bar.add(self.cancel_button, WRITE, hide=True)
        self.reroute_button.clicked.connect(self._reroute)
        self.cancel_button.clicked.connect(self._cancel)

        self.guidance = QLabel(detail.body)
        self.guidance.setObjectName("orderGuidance")
        self.guidance.setWordWrap(True)
        self.guidance.setAccessibleName("What to do")
        self.guidance.setStyleSheet("border-left: 4px solid #f9a825; padding: 4px 8px;")
        font = self.guidance.font()
        font.setBold(True)  # what to do next stands out from the record below it
        self.guidance.setFont(font)
        self.guidance.setVisible(False)
        layout = detail.body.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(1, self.guidance)
        detail.loaded.connect(self._on_loaded)
        workspace.session_changed.connect(self._update)

    @property
    def order(self) -> Order | None:
        record = self._detail.record
        return record if isinstance(record, Order) else None

    def _on_loaded(self, order: Order) -> None:
        if order.id in self._canceled and order.state is not OrderState.CANCELED:
            self._show_canceled(order)
            return
        self._update()

    def _update(self) -> None:
        order = self.order
        for gate in (self.reroute_gate, self.cancel_gate):
            gate.update()
        allowed = self.reroute_gate.allowed
        self.reroute_button.setVisible(allowed and order is not None and can_reroute(order))
        self.cancel_button.setVisible(allowed and order is not None and can_cancel(order))
        lines = []
        if order is not None and order.state in GUIDANCE:
            lines.append(GUIDANCE[order.state])
            if not allowed and self._workspace.ready:
                lines.append(self._workspace.session.why_not(WRITE))
        if order is not None:
            for problem in order.exceptions:
                if problem.resolved_at is None:
                    label = problem.type.replace("_", " ").capitalize()
                    lines.append(f"{label}: {advice_for(problem.type)}")
        self.guidance.setText("\n".join(lines))
        self.guidance.setVisible(bool(lines))

    def _show_canceled(self, order: Order) -> None:
        shown = msgspec.structs.replace(order, state=OrderState.CANCELED)
        self._detail.record = shown
        self._detail.badge.setText(enum_label(OrderState.CANCELED))
        self._detail.badge.setAccessibleDescription("State: Canceled")
        self._update()

    def _reroute(self) -> None:
        order = self.order
        if order is None:
            return

        async def go() -> None:
            result = await reroute_order(self._workspace, order, self._detail)
            if result is not None:
                self._detail.refresh()

        tasks.spawn(go(), owner=self._detail, name="reroute-order-flow")

    def _cancel(self) -> None:
        order = self.order
        if order is None:
            return

        async def go() -> None:
            result = await cancel_order(self._workspace, order, self._detail)
            if result is not None:
                self._canceled.add(result.id)
                self._show_canceled(result)
                self._detail.refresh()

        tasks.spawn(go(), owner=self._detail, name="cancel-order-flow")
