"""Send a patient's ACTIVE prescriptions to a pharmacy (``createOrder``): fills, fulfilment,
address, review, send.

Fulfilment: pickup at a pharmacy (searched by name and around a ZIP, preferred first, optionally
saved as preferred), mail order to the patient's address (editable), or let the patient choose
(no pharmacy: the order starts ROUTING). One ``externalId`` per window, reused by every resend,
so an order is never created twice. "Send order" is the only button that writes. Choices made
and not sent are ``unsent_changes``: an organization switch asks first, then closes the window
(its patient belongs to the other organization).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.domain import (
    AddressInput,
    FulfillmentType,
    Order,
    Patient,
    Pharmacy,
    Prescription,
    PrescriptionState,
)
from photon_desktop.services import locations
from photon_desktop.services.outcomes import new_external_id
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.followers import Slot
from photon_desktop.ui.common.formatting import fmt_day, fmt_quantity
from photon_desktop.ui.common.questions import ask
from photon_desktop.ui.common.steps import StepWindow
from photon_desktop.ui.common.theme import show_error
from photon_desktop.ui.orders import WRITE
from photon_desktop.ui.orders.address_box import SERVER_FIELDS, AddressBox
from photon_desktop.ui.orders.pharmacy_picker import PharmacyPicker, pharmacy_line, wrap_rows
from photon_desktop.ui.workspace import Workspace

#: The summary beside the buttons while a field is marked (cleared once none is).
FIX_MARKED = "Fix the marked fields before reviewing."
PICKUP, MAIL, PATIENT = "pickup", "mail", "patient"


class NewOrderWindow(StepWindow):
    """``order_created(Order)`` after success; ``open_order(id)`` from its "Open order" button."""

    order_created = Signal(object)
    open_order = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        patient_id: str,
        prescription_ids: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, send_text="Send order", after_text="Open order", back_text="Back")
        self.setObjectName("newOrder")
        self.setAccessibleName("New order")
        self.setWindowTitle("New order")
        self.resize(1000, 720)
        self._workspace = workspace
        self.patient_id = patient_id
        self.patient: Patient | None = None
        self.order: Order | None = None
        self._wanted = set(prescription_ids)
        self._external_id = new_external_id()  # one per window; every resend reuses it
        self._generation = workspace.session.generation if workspace.ready else None
        self._identity = workspace.session.identity if workspace.ready else None
        self._loads = tasks.Latest(owner=self)
        self.picker: PharmacyPicker | None = None
        self.mail_picker: PharmacyPicker | None = None
        self._review: tuple[list[str], AddressInput, Pharmacy | None] | None = None
        self._loaded: tuple[object, ...] | None = None  # the choices as loaded

        self.title.setText("New order")

        # -- fills
        self.fills = QListWidget(self)
        self.fills.setAccessibleName("Prescriptions to fill")
        wrap_rows(self.fills)
        self.fills_error = QLabel(self)
        show_error(self.fills_error)
        self.fills_error.setVisible(False)
        fills_box = QGroupBox("Prescriptions to fill (active, with fills left)", self)
        fills_layout = QVBoxLayout(fills_box)
        fills_layout.addWidget(self.fills)
        fills_layout.addWidget(self.fills_error)

        # -- fulfilment
        self.how = QButtonGroup(self)
        self.pickup_radio = QRadioButton("Pickup at a pharmacy", self)
        self.mail_radio = QRadioButton("Mail order to the patient's address", self)
        self.patient_radio = QRadioButton(
            "Let the patient choose (Photon sends them a link; the order waits in Routing)", self
        )
        for radio, key in (
            (self.pickup_radio, PICKUP),
            (self.mail_radio, MAIL),
            (self.patient_radio, PATIENT),
        ):
            radio.setProperty("how", key)
            self.how.addButton(radio)
        self.how.buttonToggled.connect(self._on_how)
        self.pickers = QStackedWidget(self)
        self.pickers.setMinimumHeight(200)
        self._pickers_empty = QLabel("Loading the patient…", self)
        self.pickers.addWidget(self._pickers_empty)
        self.pharmacy_error = QLabel(self)
        show_error(self.pharmacy_error)
        self.pharmacy_error.setVisible(False)
        self.save_preferred = QCheckBox("Save as the patient's preferred pharmacy", self)
        can_save = workspace.ready and workspace.session.has("write:patient")
        self.save_preferred.setEnabled(can_save)
        if not can_save and workspace.ready:
            self.save_preferred.setToolTip(workspace.session.why_not("write:patient"))
        how_box = QGroupBox("How the patient gets it", self)
        how_layout = QVBoxLayout(how_box)
        for radio in (self.pickup_radio, self.mail_radio, self.patient_radio):
            how_layout.addWidget(radio)
        how_layout.addWidget(self.pickers, 1)
        how_layout.addWidget(self.pharmacy_error)
        how_layout.addWidget(self.save_preferred)

        self.address = AddressBox("Patient's address (where a mail order is delivered)", self)

        form = QWidget(self)
        columns = QHBoxLayout(form)
        columns.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        left.addWidget(fills_box, 1)
        left.addWidget(self.address)
        columns.addLayout(left, 1)
        columns.addWidget(how_box, 1)
        self.form_page = form

        self.review_text = QTextBrowser(self)
        self.review_text.setAccessibleName("Order to send")
        self.done_text = QLabel(self)
        self.done_text.setWordWrap(True)
        self.done_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.done_text.setAccessibleName("Order sent")
        self.set_pages(self.form_page, self.review_text, self.done_text)
        self._tab_in_order()
        self.review_button.setEnabled(False)
        self.follow_server(workspace, "this order's patient", lambda s: s.patients.get(patient_id))
        self.follow_workspace(workspace, self._on_session_changed, self._on_environment_changed)
        self._loads.spawn(self._load(), name="new-order-load")

    # ------------------------------------------------------------------ loading

    async def _load(self) -> None:
        services = self._workspace.services
        try:
            patient = await services.patients.get(self.patient_id)
            page = await services.prescriptions.list(
                patient_id=self.patient_id, state=PrescriptionState.ACTIVE, first=100
            )
        except errors.PhotonError as exc:
            self.say(f"Could not load the patient: {exc}", error=True)
            self._pickers_empty.setText(str(exc))
            return
        self.patient = patient
        self.title.setText(f"New order for {patient.name.full}")
        self.setWindowTitle(f"New order — {patient.name.full}")
        self.address.set_address(patient.address)
        home_zip = patient.address.postal_code if patient.address else None
        try:
            await locations.load_table()  # off the UI thread: the address check uses it
        except locations.LocationError:
            pass  # only a warm-up: the picker's own search says what failed
        rows = [rx for rx in page.items if rx.fills_remaining > 0]
        rows += await self._just_signed([rx.id for rx in rows])
        self._fill_rows(rows)
        preferred = patient.preferred_pharmacies
        self.picker = PharmacyPicker(
            self._workspace, FulfillmentType.PICK_UP, preferred=preferred, zip_code=home_zip
        )
        self.mail_picker = PharmacyPicker(
            self._workspace, FulfillmentType.MAIL_ORDER, preferred=preferred
        )
        self.picker.setAccessibleName("Pickup pharmacy")
        self.mail_picker.setAccessibleName("Mail-order pharmacy")
        self._patient_note = QLabel(
            "No pharmacy now: the patient picks one from the link Photon sends them.", self
        )
        self._patient_note.setWordWrap(True)
        for widget in (self.picker, self.mail_picker, self._patient_note):
            self.pickers.addWidget(widget)
        self._tab_in_order()  # the pickers joined the window's focus chain at its end
        self.picker.picked.connect(self._on_pharmacy)
        self.mail_picker.picked.connect(self._on_pharmacy)
        pickup_preferred = any(FulfillmentType.PICK_UP in p.fulfillment_types for p in preferred)
        (self.pickup_radio if pickup_preferred else self.patient_radio).setChecked(True)
        self._on_how()
        self.review_button.setEnabled(True)
        self._loaded = self._choices()

    def _tab_in_order(self) -> None:
        """Left column (fills, address), then right (how, pharmacy, preferred), then buttons."""
        how = (self.pickup_radio, self.mail_radio, self.patient_radio, self.pickers)
        self.tab_in_order(self.fills, self.address, *how, self.save_preferred, self.review_text)

    async def _just_signed(self, listed: list[str]) -> list[Prescription]:
        """Prescriptions handed over (e.g. just signed) that the ACTIVE list does not show: in
        Photon a new prescription can still be a DRAFT until an order activates it."""
        found = []
        for rx_id in sorted(self._wanted - set(listed)):
            try:
                rx = await self._workspace.services.prescriptions.get(rx_id)
            except errors.PhotonError:
                continue  # not this patient's or gone: it cannot be ordered anyway
            usable = rx.state in (PrescriptionState.ACTIVE, PrescriptionState.DRAFT)
            if rx.patient_id == self.patient_id and usable and rx.fills_remaining > 0:
                found.append(rx)
        return found

    def _fill_rows(self, prescriptions: list[Prescription]) -> None:
        self.fills.clear()
        for rx in prescriptions:
            wanted = rx.id in self._wanted or (not self._wanted and len(prescriptions) == 1)
            self._add_row(rx, wanted)
        if not prescriptions:
            self.fills_error.setText(
                "This patient has no active prescription with fills left. Write one first."
            )
            self.fills_error.setVisible(True)

    def when_sent(self, follower: QObject, slot: Slot) -> None:
        """``slot(order)`` once the order is sent, for ``follower`` (a page, a form) once and while
        it lives: the window is brought forward again for each "Send to a pharmacy" it is asked
        for."""
        self.add_follower(follower, (self.order_created, slot))

    def _add_row(self, rx: Prescription, ticked: bool) -> None:
        draft = "Draft (activated by this order): " if rx.state is PrescriptionState.DRAFT else ""
        item = QListWidgetItem(
            f"{draft}{rx.treatment.name} — {fmt_quantity(rx.dispense_quantity)} "
            f"{rx.dispense_unit} — {rx.fills_remaining} of {rx.fills_allowed} fills left — "
            f"from {fmt_day(rx.effective_date)}"
        )
        item.setData(Qt.ItemDataRole.UserRole, rx)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.fills.addItem(item)

    # ------------------------------------------------------------------ choices

    @property
    def how_key(self) -> str:
        checked = self.how.checkedButton()
        return str(checked.property("how")) if checked is not None else ""

    def _on_how(self, *_args: object) -> None:
        key = self.how_key
        pages: dict[str, QWidget | None] = {PICKUP: self.picker, MAIL: self.mail_picker}
        page = pages.get(key) or getattr(self, "_patient_note", None) or self._pickers_empty
        self.pickers.setCurrentWidget(page)
        self.save_preferred.setVisible(key == PICKUP)
        self._mark_fixed(self.pharmacy_error)

    def _on_pharmacy(self, _pharmacy: object) -> None:
        self._mark_fixed(self.pharmacy_error)

    def _mark_fixed(self, error: QLabel) -> None:
        """``error``'s problem is gone: hide it, and once no mark is left, the summary too."""
        error.setVisible(False)
        marks = [self.fills_error, self.pharmacy_error, *self.address.errors.values()]
        if self.message.text() == FIX_MARKED and all(mark.isHidden() for mark in marks):
            self.say("")

    def chosen_pharmacy(self) -> Pharmacy | None:
        if self.how_key == PICKUP and self.picker is not None:
            return self.picker.pharmacy
        if self.how_key == MAIL and self.mail_picker is not None:
            return self.mail_picker.pharmacy
        return None

    def _choices(self) -> tuple[object, ...]:
        pharmacy = self.chosen_pharmacy()
        return (
            [rx.id for rx in self.chosen_fills()],
            self.how_key,
            pharmacy.id if pharmacy else None,
            [edit.text() for edit in self.address.edits.values()],
            self.save_preferred.isChecked(),
        )

    @property
    def unsent_changes(self) -> bool:
        """Chosen since the window loaded (or reviewed) and not sent."""
        if self.order is not None or self._loaded is None:
            return False
        return self.step() == 1 or self._choices() != self._loaded

    def lists(self, prescription_ids: Sequence[str]) -> bool:
        """Whether this window, loaded, lists every one of ``prescription_ids`` (one signed
        since it opened is not: a new window is opened for it instead)."""
        if self._loaded is None:
            return not set(prescription_ids) - self._wanted  # its load lists what it wants
        listed = {
            self.fills.item(r).data(Qt.ItemDataRole.UserRole).id for r in range(self.fills.count())
        }
        return set(prescription_ids) <= listed

    def want(self, prescription_ids: Sequence[str]) -> None:
        """Tick ``prescription_ids`` too (asked again while this window is open; it lists
        them). A review that left one out goes back to the choices: only what was reviewed is
        ever sent; while sending, it says to send them afterwards."""
        asked = set(prescription_ids) - self._wanted
        if not asked:
            return
        if self.busy:
            self.say("This order is on its way: send the other prescriptions once it is sent.")
            return
        self._wanted |= asked
        for row in range(self.fills.count()):
            item = self.fills.item(row)
            if item.data(Qt.ItemDataRole.UserRole).id in asked:
                item.setCheckState(Qt.CheckState.Checked)
        if self.step() == 1 and not asked <= set(self._review[0] if self._review else ()):
            self.back_to_edit()
            self.say("Added to the order: review it again before sending.")

    def chosen_fills(self) -> list[Prescription]:
        out = []
        for row in range(self.fills.count()):
            item = self.fills.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    # ------------------------------------------------------------------ review and send

    def review(self) -> bool:
        fills = self.chosen_fills()
        ok = True
        self.fills_error.setVisible(not fills)
        if not fills:
            self.fills_error.setText("Tick at least one prescription to fill.")
            ok = False
        pharmacy = self.chosen_pharmacy()
        if self.how_key in (PICKUP, MAIL) and pharmacy is None:
            self.pharmacy_error.setText("Choose a pharmacy in the list.")
            self.pharmacy_error.setVisible(True)
            ok = False
        address = self.address.value()
        if address is None or not ok:
            self.say(FIX_MARKED, error=True)
            return False
        self._review = ([rx.id for rx in fills], address, pharmacy)
        esc = html.escape
        name = esc(self.patient.name.full if self.patient else self.patient_id)
        how = {
            PICKUP: "Pickup at",
            MAIL: "Mail order from",
            PATIENT: "The patient chooses a pharmacy",
        }[self.how_key]
        where = esc(pharmacy_line(pharmacy)) if pharmacy else ""
        street = esc(", ".join(p for p in (address.street1, address.street2) if p))
        items = "".join(
            f"<li>{esc(rx.treatment.name)} — {fmt_quantity(rx.dispense_quantity)} "
            f"{esc(rx.dispense_unit)}</li>"
            for rx in fills
        )
        extra = ""
        if self.how_key == PICKUP and self.save_preferred.isChecked():
            extra = "<p>The pharmacy will also be saved as the patient's preferred pharmacy.</p>"
        self.review_text.setHtml(
            f"<h3>Order for {name}</h3><p><b>Fills:</b></p><ul>{items}</ul>"
            f"<p><b>{how}</b> {where}</p>"
            f"<p><b>Address:</b> {street}, {esc(address.city)}, {esc(address.state)} "
            f"{esc(address.postal_code)}</p>{extra}"
        )
        self.say("")
        self.show_step(self.review_text)
        return True

    def send(self) -> None:
        """Send order: the window's only write."""
        if self.busy or self._review is None or self.order is not None:
            return
        if self.refused():
            return
        if not (self._workspace.ready and self._workspace.session.has(WRITE)):
            self.say(self._workspace.session.why_not(WRITE), error=True)
            return
        self.sending(self._send(*self._review), "the order")

    async def _send(self, ids: list[str], address: AddressInput, pharmacy: Pharmacy | None) -> None:
        services = self._workspace.services
        try:
            order = await services.orders.create(
                self.patient_id,
                ids,
                address,
                pharmacy_id=pharmacy.id if pharmacy else None,
                external_id=self._external_id,
            )
        except errors.InvalidInput as exc:
            self.show_step(self.form_page)
            self.address.show_problems(
                {SERVER_FIELDS[k]: v for k, v in exc.fields.items() if k in SERVER_FIELDS}
            )
            rest = [v for k, v in exc.fields.items() if k not in SERVER_FIELDS]
            self.say(f"Photon did not accept the order. {' '.join(rest)}".strip(), error=True)
            return
        except errors.PhotonError as exc:
            self.say_failed(exc)
            return
        self.order = order
        note = ""
        if pharmacy is not None and self.how_key == PICKUP and self.save_preferred.isChecked():
            note = await self._save_preferred(pharmacy)
        where = pharmacy.name if pharmacy else "the pharmacy the patient chooses"
        self.done_text.setText(
            f"<h3>Order sent to {html.escape(where)}.</h3><p>State: "
            f"{order.state.value.title()}. {len(order.fills)} fill(s).</p>"
            f"<p>{html.escape(note)}</p>"
        )
        self.show_step(self.done_text)
        self.say("")
        self.order_created.emit(order)

    async def _save_preferred(self, pharmacy: Pharmacy) -> str:
        if self.patient is None:
            return ""
        if any(p.id == pharmacy.id for p in self.patient.preferred_pharmacies):
            return f"{pharmacy.name} was already a preferred pharmacy of this patient."
        try:
            self.patient = await self._workspace.services.chart.add_preferred_pharmacy(
                self.patient, pharmacy.id
            )
        except errors.PhotonError as exc:
            return f"The order was sent, but saving the preferred pharmacy failed: {exc}"
        return f"{pharmacy.name} is now a preferred pharmacy of this patient."

    def after(self) -> None:
        """Open order."""
        if self.order is not None:
            self.open_order.emit(self.order.id)
            self.close()

    # ------------------------------------------------------------------ window

    def _on_session_changed(self) -> None:
        ws = self._workspace
        if self.busy or self.holding:
            return
        same = ws.ready and ws.session.generation == self._generation
        # The same user signing in again (their sign-in had ended) keeps the window.
        again = ws.ready and bool(self._identity) and ws.session.identity == self._identity
        if not ((same or again) and ws.session.has(WRITE)):
            self.close_now()  # the order can no longer be sent from here
            return
        self._generation = ws.session.generation

    def _on_environment_changed(self) -> None:
        """Another organization or environment: the patient is not there (the switch asked)."""
        if not (self.busy or self.holding):
            self.close_now()

    async def confirm_leaving(self) -> bool:
        return await ask(
            self,
            "Discard this order?",
            self.unsent_text("This order has not been sent.") + " Discard the choices made?",
            "Discard order",
            cancel="Keep editing",
        )

    def on_close(self) -> None:
        self.stop_following()
        self.cancel_tasks()

    def cancel_tasks(self) -> None:
        self._loads.cancel()
        for picker in (self.picker, self.mail_picker):
            if picker is not None:
                picker.cancel_tasks()
