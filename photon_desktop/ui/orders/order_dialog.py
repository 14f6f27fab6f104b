"""What the cancel and reroute dialogs share: one order, one write button, and following the
world around them.

An organization or environment switch closes the dialog (the order is not there; the switch
asked first, as ``unsent_changes`` tells it). A stopped sandbox is followed by ``FormOutage``:
after a restart the dialog checks whether its order is in the fresh demo data. While the write
is out (``busy``) the dialog does not close, so its answer is never lost.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QPushButton, QWidget

from photon_desktop.domain import Order
from photon_desktop.ui.common.outage import FormOutage
from photon_desktop.ui.workspace import Workspace


class OrderDialog(QDialog):
    """Subclasses build ``confirm`` then call ``follow_server`` and put ``outage.label`` first."""

    def __init__(self, workspace: Workspace, order: Order, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self.order = order
        self.result_order: Order | None = None
        self._busy = False
        workspace.environment_changed.connect(self._on_environment_changed)

    def follow_server(self, confirm: QPushButton) -> FormOutage:
        order_id = self.order.id
        self.outage = FormOutage(
            self._workspace,
            self,
            [confirm],
            record="this order",
            look_up=lambda services: services.orders.get(order_id),
        )
        return self.outage

    @property
    def busy(self) -> bool:
        return self._busy

    def _on_environment_changed(self) -> None:
        """Another organization or environment: the order is not there (the switch asked)."""
        if not self.outage.holding:
            self.reject()

    def reject(self) -> None:
        if self._busy:
            return  # the request is out: wait for its answer
        super().reject()
