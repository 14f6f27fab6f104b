"""Write actions of the prescription detail: duplicate into a new form, cancel (ACTIVE only,
confirmed), send to a pharmacy. Gated: ``write:prescription`` for the first two, ``write:order``
for the last; each offered only when it applies to the prescription shown."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QPushButton

from photon_desktop import errors
from photon_desktop.domain import Prescription, PrescriptionState
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.problems import failed_write
from photon_desktop.ui.common.questions import ask, tell
from photon_desktop.ui.common.record_detail import RecordDetail
from photon_desktop.ui.orders.launch import open_new_order
from photon_desktop.ui.prescriptions import WRITE
from photon_desktop.ui.prescriptions.launch import open_prescription_form
from photon_desktop.ui.workspace import Workspace


class PrescriptionActions(QObject):
    def __init__(self, workspace: Workspace, detail: RecordDetail[Prescription]) -> None:
        super().__init__(detail)
        self._workspace = workspace
        self._detail = detail
        self.order_button = QPushButton("Send to a pharmacy…", detail)
        self.duplicate_button = QPushButton("Duplicate…", detail)
        self.duplicate_button.setToolTip("Start a new prescription with these details")
        self.cancel_button = QPushButton("Cancel prescription…", detail)
        for button in (self.order_button, self.duplicate_button, self.cancel_button):
            button.setAccessibleName(button.text().rstrip("…"))
        self.order_gate = detail.action_bar.add(self.order_button, "write:order", hide=True)
        self.duplicate_gate = detail.action_bar.add(self.duplicate_button, WRITE, hide=True)
        self.cancel_gate = detail.action_bar.add(self.cancel_button, WRITE, hide=True)
        self.order_button.clicked.connect(self._order)
        self.duplicate_button.clicked.connect(self._duplicate)
        self.cancel_button.clicked.connect(self._cancel)
        self._busy = False
        detail.loaded.connect(lambda _rx: self._update())
        workspace.session_changed.connect(self._update)

    @property
    def prescription(self) -> Prescription | None:
        record = self._detail.record
        return record if isinstance(record, Prescription) else None

    def _update(self) -> None:
        rx = self.prescription
        active = rx is not None and rx.state is PrescriptionState.ACTIVE
        for gate in (self.order_gate, self.duplicate_gate, self.cancel_gate):
            gate.update()
        self.order_button.setVisible(
            self.order_gate.allowed and active and rx is not None and rx.fills_remaining > 0
        )
        self.duplicate_button.setVisible(self.duplicate_gate.allowed and rx is not None)
        self.cancel_button.setVisible(self.cancel_gate.allowed and active)
        self.cancel_button.setEnabled(self.cancel_gate.allowed and not self._busy)

    def _order(self) -> None:
        rx = self.prescription
        if rx is not None:
            open_new_order(self._workspace, rx.patient_id, [rx.id], parent=self._detail.window())

    def _duplicate(self) -> None:
        rx = self.prescription
        if rx is not None:
            name = rx.patient_name.full if rx.patient_name else ""
            open_prescription_form(
                self._workspace, rx.patient_id, name, self._detail.window(), copy_of=[rx]
            )

    def _cancel(self) -> None:
        rx = self.prescription
        if rx is None or self._busy:
            return
        self._busy = True  # from the question on: a second press asks nothing more
        self._update()
        tasks.spawn(self._cancel_flow(rx), owner=self._detail, name="cancel-prescription")

    async def _cancel_flow(self, rx: Prescription) -> None:
        try:
            await self._cancel_asked(rx)
        finally:  # however it ended (cancelled with its page too), Cancel is offered again
            if self._busy:
                self._busy = False
                self._update()

    async def _cancel_asked(self, rx: Prescription) -> None:
        who = rx.patient_name.full if rx.patient_name else "the patient"
        if not await ask(
            self._detail,
            "Cancel prescription",
            f"Cancel {rx.treatment.name} for {who}?\n\nNo pharmacy can fill it any more "
            f"({rx.fills_remaining} fills left are given up). Orders already sent are not "
            "changed: cancel those separately. This cannot be undone.",
            "Cancel prescription",
            cancel="Keep prescription",
        ):
            self._busy = False
            self._update()
            return
        try:
            await self._workspace.services.prescriptions.cancel(rx.id)
        except errors.PhotonError as exc:
            self._busy = False
            # The state may have changed all the same (canceled by someone else, or perhaps by
            # this attempt): show Photon's, and offer only what still applies to it.
            self._detail.refresh()
            self._update()
            if isinstance(exc, errors.WriteOutcomeUnknown):
                await tell(self._detail, "Cancellation not confirmed", str(exc))
            elif isinstance(exc, errors.StateConflict):  # it says why: "already canceled"
                await tell(self._detail, "Not canceled", str(exc))
            else:
                await tell(self._detail, "Not canceled", failed_write(exc, "Not canceled"))
            return
        self._busy = False
        self._detail.refresh()
