"""Where every "New prescription" entry point goes (patient page, Prescriptions page, shortcut,
"Duplicate"): one form per patient, a kept draft reopened, "Send to a pharmacy" wired to the
new-order window."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from photon_desktop.domain import Patient, Prescription
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.elided_label import ElidedLabel
from photon_desktop.ui.common.gating import PermissionGate
from photon_desktop.ui.common.windows import keep_open
from photon_desktop.ui.orders.launch import open_new_order, order_for_someone
from photon_desktop.ui.prescriptions import WRITE
from photon_desktop.ui.workspace import Workspace

if TYPE_CHECKING:
    from photon_desktop.ui.prescriptions.form import PrescriptionForm


def can_prescribe(workspace: Workspace) -> bool:
    return workspace.ready and workspace.session.has(WRITE)


def open_prescription_form(
    workspace: Workspace,
    patient_id: str,
    patient_name: str = "",
    parent: QWidget | None = None,
    *,
    copy_of: Sequence[Prescription] = (),
) -> PrescriptionForm | None:
    """Open (or bring forward) the form for ``patient_id``; None without ``write:prescription``.

    One unsent form per patient: copies join it as cards. A form that has sent is finished, so
    a new prescription (or copy) for that patient opens a fresh form beside it."""
    if not can_prescribe(workspace):
        return None
    from photon_desktop.ui.prescriptions.drafts import drafts_for, owner_of
    from photon_desktop.ui.prescriptions.form import PrescriptionForm  # with its first opening

    store = drafts_for(workspace)
    existing = store.forms.get(patient_id)
    if isinstance(existing, PrescriptionForm) and not existing.finished:
        existing.add_copies(copy_of)
        existing.show()
        existing.raise_()
        existing.activateWindow()
        return existing
    draft = store.take(owner_of(workspace), patient_id)
    form = PrescriptionForm(
        workspace, patient_id, patient_name, parent, copy_of=copy_of, draft=draft
    )

    def order(pid: str, ids: Sequence[str]) -> None:
        window = open_new_order(workspace, pid, ids, parent=parent)
        if window is not None:  # whoever follows the form hears of the order too
            window.when_sent(form, form.ordered)  # signal to signal: Qt drops it with the form

    form.order_requested.connect(order)
    store.forms[patient_id] = form
    keep_open(workspace, form)

    def forget(*_: object) -> None:
        if store.forms.get(patient_id) is form:  # not a newer form for the same patient
            del store.forms[patient_id]

    form.destroyed.connect(forget)
    form.show()
    return form


def prescribe_for_someone(workspace: Workspace, parent: QWidget | None = None) -> None:
    """Ctrl+Shift+P and the Prescriptions page: pick the patient (drafts listed first)."""
    if not can_prescribe(workspace):
        return

    async def go() -> None:
        from photon_desktop.ui.prescriptions.patient_chooser import choose_patient

        chosen = await choose_patient(workspace, parent, "New prescription — choose the patient")
        if chosen is None:
            return
        form = open_prescription_form(workspace, chosen[0], chosen[1], parent)
        reload = getattr(parent, "reload", None)  # the Prescriptions page shows the new ones
        if form is not None and parent is not None and callable(reload):
            form.add_follower(parent, (form.sent, lambda _created: reload()))

    tasks.spawn(go(), owner=parent, name="choose-patient-to-prescribe")


class PrescribeEntry(QWidget):
    """ "New prescription…" for a page without a patient (the patient is chosen first); without
    ``write:prescription`` it says who can prescribe instead."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self.button = QPushButton("New prescription…", self)
        self.button.setAccessibleName("New prescription")
        self.button.setToolTip("Write prescriptions for a patient (Ctrl+Shift+P)")
        self.button.clicked.connect(lambda: prescribe_for_someone(workspace, parent))
        # Elided: the sentence must not widen the list's filter bar (its tooltip has it whole).
        self.why = ElidedLabel(parent=self)
        self.why.setMaximumWidth(320)
        self.why.setAccessibleName("Who can prescribe")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.button)
        row.addWidget(self.why)
        self.gate = PermissionGate(workspace, WRITE, [self.button], hide=True)
        workspace.session_changed.connect(self._update)
        self._update()

    def _update(self) -> None:
        why = "" if self.gate.allowed or not self._workspace.ready else self.gate.reason()
        self.why.setText(why)
        self.why.setVisible(bool(why))


def install_shortcuts(
    window: QWidget, workspace: Workspace, current_patient: Callable[[], Patient | None]
) -> list[QAction]:
    """Ctrl+Shift+P: new prescription; Ctrl+Shift+O: new order. For the patient shown, if
    any (``current_patient``), else chosen first. They do nothing without the permission."""

    def prescribe() -> None:
        patient = current_patient()
        if patient is not None:
            open_prescription_form(workspace, patient.id, patient.name.full, window)
        else:
            prescribe_for_someone(workspace, window)

    def order() -> None:
        patient = current_patient()
        if patient is not None:
            open_new_order(workspace, patient.id, parent=window)
        else:
            order_for_someone(workspace, window)

    actions = []
    for text, keys, slot in (
        ("New prescription", "Ctrl+Shift+P", prescribe),
        ("New order", "Ctrl+Shift+O", order),
    ):
        action = QAction(text, window)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        window.addAction(action)
        actions.append(action)
    PermissionGate(workspace, WRITE, [actions[0]])
    PermissionGate(workspace, "write:order", [actions[1]])
    return actions
