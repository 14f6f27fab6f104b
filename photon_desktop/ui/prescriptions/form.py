"""Write prescriptions for one patient (``createPrescriptions``): cards, review, "Sign and send".

Only a signed-in prescriber (``write:prescription``) gets here. The form keeps one ``externalId``
per card for its whole life, so any resend (after an error or a lost answer) is recognised by
Photon and the services, never saved twice. "Sign and send" is the only button that writes and
is disabled while the request is in flight. If the sign-in changes or loses the permission while
the form is open, the form closes without sending and keeps a draft (``drafts``) that reopens
with the next "New prescription" for that patient. Closing with unsent edits asks first. When
the bundled sandbox stops under it, the form stays open instead (``follow_server``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.domain import (
    Order,
    Patient,
    Prescription,
    PrescriptionInput,
    PrescriptionState,
    Treatment,
)
from photon_desktop.domain.prescription_rules import TREATMENT_MISSING, per_prescription
from photon_desktop.services.outcomes import new_external_id
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.questions import answer, loop_running
from photon_desktop.ui.common.steps import StepWindow
from photon_desktop.ui.prescriptions import WRITE
from photon_desktop.ui.prescriptions.chart_panel import ChartPanel
from photon_desktop.ui.prescriptions.drafts import Draft, drafts_for, owner_of
from photon_desktop.ui.prescriptions.review import ReviewPage, sent_html
from photon_desktop.ui.prescriptions.rx_editor import RxEditor
from photon_desktop.ui.templates.editor import TemplateEditor
from photon_desktop.ui.templates.from_prescription import open_personal_template
from photon_desktop.ui.templates.saved_text import saved_text
from photon_desktop.ui.workspace import Workspace


class PrescriptionForm(StepWindow):
    """A window. ``sent(list[Prescription])`` after success; ``order_requested(patient_id, ids)``
    from "Send to a pharmacy"; ``ordered(Order)`` when the order started here was sent;
    ``parked(Draft)`` when it closed itself and kept a draft."""

    sent = Signal(object)
    order_requested = Signal(str, object)
    ordered = Signal(object)
    parked = Signal(object)

    def __init__(
        self,
        workspace: Workspace,
        patient_id: str,
        patient_name: str = "",
        parent: QWidget | None = None,
        *,
        copy_of: Sequence[Prescription] = (),
        draft: Draft | None = None,
    ) -> None:
        super().__init__(
            parent,
            send_text="Sign and send",
            after_text="Send to a pharmacy…",
            back_text="Back to edit",
        )
        self._workspace = workspace
        self.patient_id = patient_id
        self.patient_name = patient_name or patient_id
        self.patient: Patient | None = None
        self.created: list[Prescription] = []
        self._order: Order | None = None  # the order sent from the done page
        self._owner = owner_of(workspace)
        self._generation = workspace.session.generation if workspace.ready else None
        self._environment = workspace.environment if workspace.ready else None
        self._units: list[str] = []
        self._dirty = draft is not None
        self._force_close = False
        self._loads = tasks.Latest(owner=self)
        self._asking = False
        self._items: list[tuple[PrescriptionInput, Treatment]] = []
        self.setObjectName("prescriptionForm")
        self.setAccessibleName("New prescription")
        self.setWindowTitle(f"New prescription — {self.patient_name}")
        self.resize(1100, 720)

        self.title.setText(f"New prescription for {self.patient_name}")

        # -- edit page: cards on the left, the patient's chart on the right
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Prescriptions in this form")
        self.tabs.setTabsClosable(True)
        self.tabs.tabCloseRequested.connect(self.remove_card)
        self.add_button = QPushButton("+ Add another prescription", self)
        self.add_button.setAccessibleName("Add another prescription")
        self.add_button.clicked.connect(lambda: self.add_card())
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addWidget(self.tabs, 1)
        # "Save as a personal template": the current card's fields, into the template editor.
        self.template_button = QPushButton("Save as a personal template…", self)
        self.template_button.clicked.connect(self.save_as_template)
        self.template_editor: TemplateEditor | None = None
        card_actions = QHBoxLayout()
        card_actions.addWidget(self.add_button)
        card_actions.addWidget(self.template_button)
        card_actions.addStretch(1)
        left_layout.addLayout(card_actions)

        self.chart = ChartPanel(self)
        self.edit_page = QSplitter(Qt.Orientation.Horizontal, self)
        self.edit_page.addWidget(left)
        self.edit_page.addWidget(self.chart)
        self.edit_page.setStretchFactor(0, 3)
        self.edit_page.setStretchFactor(1, 1)
        self.edit_page.setChildrenCollapsible(False)

        self.review_page = ReviewPage(self)
        self.done_page = QLabel(self)
        self.done_page.setWordWrap(True)
        self.done_page.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.done_page.setAccessibleName("Sent prescriptions")
        self.done_page.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.set_pages(self.edit_page, self.review_page, self.done_page)
        self.ordered.connect(self._on_ordered)
        self.review_button.setAccessibleName("Review before signing")

        if draft is not None:
            for item in draft.items:
                self.add_card().restore(item)
            when = draft.saved_at.strftime("%H:%M")
            self.note(f"Restored the unsent prescriptions saved at {when}. {draft.reason}".strip())
        for rx in copy_of:
            self.add_card().copy_from(rx)
            self._dirty = True
        if self.tabs.count() == 0:
            self.add_card()
        self._dirty = draft is not None or bool(copy_of)
        self.show_step(self.edit_page)
        self.follow_server(workspace, "this patient", lambda s: s.patients.get(patient_id))
        self.follow_workspace(workspace, self._on_session_changed, self._on_environment_changed)
        self._loads.spawn(self._load(), name="prescription-form-load")

    # ------------------------------------------------------------------ cards

    @property
    def editors(self) -> list[RxEditor]:
        widgets = (self.tabs.widget(i) for i in range(self.tabs.count()))
        return [e for e in widgets if isinstance(e, RxEditor)]

    def add_card(self) -> RxEditor:
        editor = RxEditor(self._workspace, new_external_id(), self._units, self.tabs)
        editor.edited.connect(self._on_edited)
        editor.treatment_changed.connect(self._retitle)
        self.tabs.addTab(editor, "")
        self._retitle()
        self.tabs.setCurrentWidget(editor)
        editor.search.setFocus(Qt.FocusReason.OtherFocusReason)
        return editor

    @property
    def finished(self) -> bool:
        """Sent: the form only reports what Photon saved; new prescriptions need a fresh form."""
        return bool(self.created)

    def add_copies(self, copy_of: Sequence[Prescription]) -> None:
        """Duplicates into this open form, as cards the prescriber sees and reviews: on the
        review step the form goes back to editing, since the review no longer shows everything
        "Sign and send" would send. While a send is in flight the cards cannot change."""
        if not copy_of:
            return
        if self.busy:
            self.say("Wait for Photon's answer, then duplicate the prescription again.", error=True)
            return
        self.back_to_edit()
        for rx in copy_of:
            self.add_card().copy_from(rx)
        self._dirty = True
        names = ", ".join(rx.treatment.name for rx in copy_of)
        self.note(f"Added a copy of {names}. Review the prescriptions again before signing.")

    def remove_card(self, index: int) -> None:
        if self.tabs.count() <= 1 or self.stack.currentWidget() is not self.edit_page:
            return
        editor = self.tabs.widget(index)
        self.tabs.removeTab(index)
        if isinstance(editor, RxEditor):
            editor.cancel_tasks()
            editor.deleteLater()
        self._dirty = True
        self._retitle()

    def _retitle(self) -> None:
        for n, editor in enumerate(self.editors):
            name = editor.treatment.name if editor.treatment else "New prescription"
            title = f"{n + 1}. {name}"
            self.tabs.setTabText(n, title if len(title) <= 36 else title[:35] + "…")
            self.tabs.setTabToolTip(n, title)
        self.tabs.setTabsClosable(self.tabs.count() > 1)

    def _on_edited(self) -> None:
        self._dirty = True
        if self.message.text():
            self.say("")  # the problem it named may be fixed now; Review checks again

    def save_as_template(self) -> None:
        card = self.tabs.currentWidget()
        if not isinstance(card, RxEditor):
            return
        if card.treatment is None:
            card.show_problems({"treatment": TREATMENT_MISSING})
            return
        tasks.spawn(self._open_template(card, card.treatment), owner=self, name="rx-template")

    async def _open_template(self, card: RxEditor, treatment: Treatment) -> None:
        try:
            self.template_editor = await open_personal_template(
                self, self._workspace, treatment, card.dispensing_text()
            )
        except errors.PhotonError as exc:
            self.note(f"Could not open the template editor: {exc}")
            return
        editor = self.template_editor
        editor.saved.connect(
            lambda t: self.note(saved_text(t, editor.kept, editor.strays, whose="your template "))
        )
        self.template_editor.destroyed.connect(lambda *_: setattr(self, "template_editor", None))

    # ------------------------------------------------------------------ loading

    async def _load(self) -> None:
        services = self._workspace.services
        try:
            self._units = [u.name for u in await services.catalog.dispense_units()]
        except errors.PhotonError as exc:
            self.note(f"Could not load Photon's dispense units: {exc}")
        for editor in self.editors:
            editor.set_units(self._units)
        try:
            patient = await services.patients.get(self.patient_id)
        except errors.PhotonError as exc:
            self.chart.show_error(f"Could not load the patient's chart: {exc}")
            return
        self.patient = patient
        self.patient_name = patient.name.full
        self.title.setText(f"New prescription for {patient.name.full}")
        self.setWindowTitle(f"New prescription — {patient.name.full}")
        self.chart.show_patient(patient)
        try:
            active = await services.prescriptions.list(
                patient_id=self.patient_id, state=PrescriptionState.ACTIVE, first=50
            )
        except errors.PhotonError as exc:
            self.chart.active.setText(f"Could not load the active prescriptions: {exc}")
            return
        self.chart.show_active(active.items)

    # ------------------------------------------------------------------ steps

    def on_step(self, page: QWidget) -> None:
        if page is self.edit_page:
            self._items = []  # cards may change now: only a new review decides what is sent
        self.add_button.setVisible(page is self.edit_page)
        self.template_button.setVisible(page is self.edit_page)
        can_order = self._workspace.ready and self._workspace.session.has("write:order")
        if self._order is None:  # once sent, it stays done (``_on_ordered``)
            self.after_button.setEnabled(can_order)
            self.after_button.setToolTip(
                "" if can_order else self._workspace.session.why_not("write:order")
            )

    def review(self) -> bool:
        """Check every card; show the review step when all are valid."""
        items: list[tuple[PrescriptionInput, Treatment]] = []
        first_bad: int | None = None
        seen: dict[str, int] = {}
        for n, editor in enumerate(self.editors):
            data = editor.validate(self.patient_id)
            treatment = editor.treatment
            if data is not None and treatment is not None and treatment.id in seen:
                editor.show_problems(
                    {"treatment": f"This treatment is already prescription {seen[treatment.id]}."}
                )
                data = None
            if data is None or treatment is None:
                first_bad = n if first_bad is None else first_bad
                continue
            seen[treatment.id] = n + 1
            items.append((data, treatment))
        if first_bad is not None:
            self.tabs.setCurrentIndex(first_bad)
            bad = len(self.editors) - len(items)
            self.say(
                "Fix the marked fields before reviewing"
                + (f" ({bad} prescriptions need attention)." if bad > 1 else "."),
                error=True,
            )
            return False
        self._items = items
        prescriber = self._workspace.session.identity or "you" if self._workspace.ready else ""
        self.review_page.show_items(self.patient, self.patient_name, items, prescriber)
        self.say("")
        self.show_step(self.review_page)
        self.send_button.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def send(self) -> None:
        """Sign and send: the form's only write."""
        if self.busy or not self._items or self.created:
            return  # in flight, nothing reviewed, or already sent: never a second write
        if self.refused():
            return
        if not (self._workspace.ready and self._workspace.session.has(WRITE)):
            self.say(self._workspace.session.why_not(WRITE), error=True)
            return
        self.sending(self._send([data for data, _ in self._items]), "prescriptions")

    async def _send(self, inputs: list[PrescriptionInput]) -> None:
        try:
            created = await self._workspace.services.prescriptions.create_many(inputs)
        except errors.InvalidInput as exc:
            self._server_problems(exc)
            return
        except errors.PhotonError as exc:
            self.say_failed(exc)
            return
        self.created = list(created)
        self._dirty = False
        drafts_for(self._workspace).take(self._owner, self.patient_id)
        self.done_page.setText(sent_html(self.created, self.patient_name))
        self.say("")
        self.show_step(self.done_page)
        self.sent.emit(self.created)

    def _server_problems(self, exc: errors.InvalidInput) -> None:
        per_card, general = per_prescription(exc.fields, len(self.editors))
        first: int | None = None
        for index, problems in sorted(per_card.items()):
            if "externalId" in problems:  # this very prescription reached Photon before
                problems.pop("externalId")
                general.append(
                    f"Prescription {index + 1} was already saved by an earlier attempt whose "
                    "answer was lost; nothing was saved twice. Check the patient's prescriptions."
                )
            rest = self.editors[index].show_server_problems(problems)
            general.extend(rest.values())
            first = index if first is None else first
        self.show_step(self.edit_page)
        if first is not None:
            self.tabs.setCurrentIndex(first)
        detail = " ".join(general)
        self.say(f"Photon did not accept the prescriptions. {detail}".strip(), error=True)

    def after(self) -> None:  # "Send to a pharmacy"
        if self.created and self._order is None:
            self.order_requested.emit(self.patient_id, [rx.id for rx in self.created])

    def _on_ordered(self, order: Order) -> None:
        """An order that fills these prescriptions was sent from here: the page says so."""
        filled = {fill.prescription_id for fill in order.fills}  # not another's, sent from a
        if not self.created or any(rx.id not in filled for rx in self.created):  # window reused
            return
        self._order = order
        self.done_page.setText(sent_html(self.created, self.patient_name, order.id))
        self.after_button.setEnabled(False)
        self.after_button.setToolTip(f"Sent to a pharmacy (order {order.id})")

    # ------------------------------------------------------------------ sign-in changes

    def _on_session_changed(self) -> None:
        ws = self._workspace
        same = ws.ready and ws.session.generation == self._generation
        # The same prescriber signing in again (their sign-in had ended) keeps the form.
        again = ws.ready and bool(self._owner) and owner_of(ws) == self._owner
        if (same or again) and ws.session.has(WRITE):
            self._generation = ws.session.generation
            return
        self._park("Your sign-in changed, so the form closed without sending.")

    def _on_environment_changed(self) -> None:
        ws = self._workspace
        what = "organization" if ws.ready and ws.environment == self._environment else "environment"
        self._park(f"The Photon {what} changed, so the form closed without sending.")

    @property
    def busy(self) -> bool:
        """Also while a template saves from it (its dialog, a child, would go unanswered)."""
        return super().busy or bool(self.template_editor and self.template_editor.saving)

    def _park(self, reason: str) -> None:
        """Close without sending; keep unsent work as a draft for the same person."""
        if self._force_close or self.busy or self.holding:
            return  # already sent: Photon's answer (success or not) shows in the form
        if self.created:
            self._close_now()
            return
        if self._has_content():
            draft = self.snapshot(reason)
            drafts_for(self._workspace).put(draft)
            self.parked.emit(draft)
        self._close_now()

    def snapshot(self, reason: str = "") -> Draft:
        return Draft(
            patient_id=self.patient_id,
            patient_name=self.patient_name,
            owner=self._owner,
            items=tuple(e.snapshot() for e in self.editors),
            saved_at=datetime.now(),
            reason=reason,
        )

    def _has_content(self) -> bool:
        return any(e.has_content for e in self.editors)

    # ------------------------------------------------------------------ closing

    @property
    def unsent_changes(self) -> bool:
        """Typed and not sent; after a send, any card Photon did not save counts as unsent."""
        if self.created:
            sent = {rx.external_id for rx in self.created}
            return any(e.has_content and e.external_id not in sent for e in self.editors)
        return self._dirty and self._has_content()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._force_close or not self.unsent_changes:
            self._cleanup()
            event.accept()
            return
        if not loop_running():
            # The app is shutting down: nobody can be asked, so nothing typed is thrown away.
            drafts_for(self._workspace).put(self.snapshot("Kept when the window closed."))
            self._cleanup()
            event.accept()
            return
        if self.refuse_close_while_sending(event):
            return
        event.ignore()
        if not self._asking:
            tasks.spawn(self._ask_close(), owner=self, name="ask-close-form")

    async def _ask_close(self) -> None:
        self._asking = True
        title = "Unsent prescriptions" if self.maybe_sent is None else "Prescriptions not confirmed"
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            title,
            self.unsent_text("These prescriptions have not been sent.")
            + " Keep them as a draft to finish later (until the app closes), or discard them?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        keep = box.addButton("Keep as draft", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.setAccessibleName(title)
        try:
            clicked = await answer(box)
        finally:
            self._asking = False
        if clicked is keep:
            drafts_for(self._workspace).put(self.snapshot("Kept when the form was closed."))
            self._close_now()
        elif clicked is discard:
            drafts_for(self._workspace).take(self._owner, self.patient_id)
            self._close_now()

    def _close_now(self) -> None:
        self._force_close = True
        self.close()

    def _cleanup(self) -> None:
        self.stop_following()
        self._loads.cancel()
        for editor in self.editors:
            editor.cancel_tasks()

    def cancel_tasks(self) -> None:
        self._loads.cancel()
        for editor in self.editors:
            editor.cancel_tasks()
