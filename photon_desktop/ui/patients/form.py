"""Create or edit a patient (write:patient), validated as the server validates before anything
is sent.

Each bad field is marked by its ``ValidatedField``; the server's ``InvalidInput.fields``
("name.first", "address.postalCode", …) are marked on the same fields. What was typed survives
every failure, and leaving with unsaved edits (Esc, Cancel, the close button) asks first. Before
a new patient is created, patients with the same name and date of birth or phone are looked up;
if one exists the user may open it instead. Save is disabled while a save is in flight, so one
click can never send two writes, and while the bundled sandbox is stopped (``FormOutage``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors, services
from photon_desktop.domain import (
    AddressInput,
    NameInput,
    Patient,
    PatientInput,
    PatientSummary,
    Sex,
    phones,
)
from photon_desktop.services import locations
from photon_desktop.ui.common import tasks, theme
from photon_desktop.ui.common.formatting import fmt_birth_date, fmt_phone
from photon_desktop.ui.common.outage import FormOutage
from photon_desktop.ui.common.questions import answer
from photon_desktop.ui.common.validated_field import ValidatedField
from photon_desktop.ui.patients import checks
from photon_desktop.ui.patients.checks import US_STATES
from photon_desktop.ui.workspace import Workspace

#: Server field path -> form field key.
SERVER_FIELDS = {
    "name.first": "first",
    "name.middle": "middle",
    "name.last": "last",
    "name": "last",
    "dateOfBirth": "dob",
    "sex": "sex",
    "gender": "gender",
    "phone": "phone",
    "email": "email",
    "externalId": "external_id",
    "address.street1": "street1",
    "address.street2": "street2",
    "address.city": "city",
    "address.state": "state",
    "address.postalCode": "zip",
    "address": "street1",
}
#: Tab order: name, address, then the patient's details.
ORDER = (
    "first", "middle", "last", "street1", "street2", "city", "state", "zip",
    "dob", "sex", "gender", "phone", "email", "external_id",
)  # fmt: skip
ADDRESS = ("street1", "street2", "city", "state", "zip")
DUPLICATE_PAGES = 3


def same_person(existing: PatientSummary, data: PatientInput) -> str | None:
    """Why ``existing`` looks like the patient being created ("date of birth", "phone"), or None."""
    name = data.name
    if name is None or (existing.name.first.casefold(), existing.name.last.casefold()) != (
        name.first.casefold(),
        name.last.casefold(),
    ):
        return None
    if existing.date_of_birth == data.date_of_birth:
        return "date of birth"
    if phones.same_number(existing.phone, data.phone):
        return "phone number"
    return None


class PatientForm(QDialog):
    """The create (``patient=None``) or edit form.

    Signals: ``saved(Patient)`` after a successful save; ``open_existing(id)`` when the user chose
    an existing patient over creating a duplicate.
    """

    saved = Signal(object)
    open_existing = Signal(str)

    def __init__(
        self, workspace: Workspace, patient: Patient | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self.patient = patient
        self._save = tasks.Latest(owner=self)
        self._leaving = tasks.Latest(owner=self)
        #: The question on screen, if any (Discard changes? / Possible duplicate).
        self.leave_box: QMessageBox | None = None
        self.duplicate_box: QMessageBox | None = None
        editing = patient is not None
        self.setWindowTitle("Edit patient" if editing else "New patient")
        self.setAccessibleName(self.windowTitle())
        self.setModal(True)
        self.setMinimumWidth(760)
        self.fields: dict[str, ValidatedField] = {}
        #: The id this form's create is sent under when the clinic typed none (see module doc).
        self.submission_id = services.new_external_id() if patient is None else None
        if tasks.loop_running():  # Save checks the ZIP against the state with the ZIP table
            tasks.spawn(locations.load_table(), owner=self, name="load-zip-table")

        def line(
            key: str, label: str, check: Callable[[str], str | None] | None, hint: str = ""
        ) -> ValidatedField:
            field = ValidatedField(
                label, QLineEdit(), self, max_length=checks.MAX_LENGTH[key], check=check,
                placeholder=hint,
            )  # fmt: skip
            self.fields[key] = field
            return field

        def combo(
            key: str, label: str, items: Sequence[tuple[str, str | None]], problem: str
        ) -> ValidatedField:
            box = QComboBox()
            for text, data in items:
                box.addItem(text, data)
            field = ValidatedField(label, box, self, check=lambda v: None if v else problem)
            self.fields[key] = field
            return field

        def named(what: str, required: bool) -> Callable[[str], str | None]:
            return lambda v: checks.name_problem(v, required=required, what=what)

        def text(what: str) -> Callable[[str], str | None]:
            return lambda v: checks.text_problem(v, what)

        name_box = QGroupBox("Name", self)
        name_form = QFormLayout(name_box)
        name_form.addRow("First name*", line("first", "First name", named("first name", True)))
        name_form.addRow("Middle name", line("middle", "Middle name", named("middle name", False)))
        name_form.addRow("Last name*", line("last", "Last name", named("last name", True)))

        person_box = QGroupBox("Patient", self)
        person = QFormLayout(person_box)
        person.addRow(
            "Date of birth*",
            line("dob", "Date of birth", checks.birth_date_problem, "YYYY-MM-DD or MM/DD/YYYY"),
        )
        sexes = [("Choose…", None)] + [(s.value.capitalize(), s.value) for s in Sex]
        person.addRow(
            "Sex*", combo("sex", "Sex", sexes, "Choose the sex recorded for prescribing.")
        )
        person.addRow(
            "Gender", line("gender", "Gender", text("gender"), "As the patient describes it")
        )
        person.addRow("Phone*", line("phone", "Phone", checks.phone_problem, phones.US_EXAMPLE))
        person.addRow("Email", line("email", "Email", checks.email_problem, "name@example.com"))
        person.addRow(
            "External ID",
            line("external_id", "External ID", text("external ID"), "Your system's ID"),
        )
        self.app_id_label = QLabel(self)
        self.app_id_label.setAccessibleName("ID assigned by Photon Desktop")
        self.app_id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.app_id_label.setVisible(False)
        person.addRow("", self.app_id_label)

        address_box = QGroupBox("Address", self)
        address = QFormLayout(address_box)
        address.addRow("Street", line("street1", "Street", text("street")))
        address.addRow(
            "Street (line 2)",
            line("street2", "Street line 2", text("street"), "Apartment, suite…"),
        )
        address.addRow("City", line("city", "City", text("city")))
        states = [("—", None)] + [(s, s) for s in US_STATES]
        address.addRow("State", combo("state", "State", states, "Choose the state."))
        address.addRow("ZIP", line("zip", "ZIP code", checks.zip_problem, "12345"))
        for form in (name_form, person, address):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Form problem")
        self.banner.setVisible(False)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(8)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName("Saving")
        self.progress.setVisible(False)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save patient")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+S"), self, self.submit)

        self.outage = FormOutage(
            workspace,
            self,
            [self.save_button],
            record="this patient" if patient is not None else "",
            look_up=None if patient is None else lambda s: s.patients.get(patient.id),
        )
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(name_box)
        left.addWidget(address_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(person_box)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.outage.label)
        layout.addWidget(self.banner)
        layout.addLayout(columns)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

        for a, b in itertools.pairwise(ORDER):
            QWidget.setTabOrder(self.fields[a].editor, self.fields[b].editor)
        QWidget.setTabOrder(self.fields["external_id"].editor, self.save_button)
        if patient is not None:
            self._fill(patient)
        self._typed_at_open = self.values()
        self.fields["first"].editor.setFocus()

    # ------------------------------------------------------------------ values

    def values(self) -> dict[str, str]:
        return {key: field.value() for key, field in self.fields.items()}

    @property
    def dirty(self) -> bool:
        """Whether anything differs from what the form opened with."""
        return self.values() != self._typed_at_open

    def _fill(self, p: Patient) -> None:
        put = {
            "first": p.name.first,
            "middle": p.name.middle,
            "last": p.name.last,
            "dob": p.date_of_birth.isoformat(),
            "sex": p.sex.value,
            "gender": p.gender,
            "phone": fmt_phone(p.phone),
            "email": p.email,
            "external_id": None if services.is_app_external_id(p.external_id) else p.external_id,
        }
        if services.is_app_external_id(p.external_id):
            self.app_id_label.setText(f"Assigned by Photon Desktop: {p.external_id}")
            self.app_id_label.setVisible(True)
        if p.address is not None:
            put.update(
                street1=p.address.street1,
                street2=p.address.street2,
                city=p.address.city,
                state=p.address.state,
                zip=p.address.postal_code,
            )
        for key, value in put.items():
            self.fields[key].set_value(value)

    def validate(self) -> PatientInput | None:
        """Mark every bad field; the input to send when all are good."""
        problems = {key: p for key, field in self.fields.items() if (p := field.validate())}
        v = self.values()
        has_address = any(v[k] for k in ADDRESS)
        if has_address:
            for key, problem in (
                ("street1", "Enter the street."),
                ("city", "Enter the city."),
                ("state", "Choose the state."),
            ):
                if not v[key] and key not in problems:
                    problems[key] = problem
            if not {"zip", "state"} & problems.keys():
                # The order's address check, so an order for this patient is not refused later.
                zip_problem = locations.zip_problem(v["zip"], v["state"])
                if zip_problem is not None:
                    problems["zip"] = zip_problem
        else:
            for key in ADDRESS:  # an empty address is fine: no "Enter the ZIP code"
                problems.pop(key, None)
            if self.patient is not None and self.patient.address is not None:
                problems["street1"] = "An address cannot be removed; correct it instead."
        for key, field in self.fields.items():
            field.set_error(problems.get(key))
        if problems:
            self._show_banner(
                "Please correct the marked field."
                if len(problems) == 1
                else f"Please correct the {len(problems)} marked fields."
            )
            self._focus_first_bad()
            return None
        dob = checks.birth_date(v["dob"])
        assert dob is not None
        return PatientInput(
            name=NameInput(first=v["first"], last=v["last"], middle=v["middle"] or None),
            date_of_birth=dob,
            sex=Sex(v["sex"]),
            phone=phones.normalize(v["phone"]),
            email=v["email"],  # "" removes the email on an edit
            gender=v["gender"],
            external_id=v["external_id"] or self.submission_id,
            address=AddressInput(
                street1=v["street1"],
                street2=v["street2"] or None,
                city=v["city"],
                state=v["state"],
                postal_code=v["zip"],
            )
            if has_address
            else None,
        )

    # ------------------------------------------------------------------ saving

    @property
    def saving(self) -> bool:
        return self._save.busy

    def submit(self) -> None:
        if self.saving or not self.save_button.isEnabled():
            return  # no double submit
        data = self.validate()
        if data is None:
            return
        self.banner.setVisible(False)
        self._set_saving(True)
        self._save.spawn(self._send(data), name="save-patient")

    async def _send(self, data: PatientInput) -> None:
        services = self._workspace.services
        try:
            if self.patient is None:
                if not await self._no_duplicate(data):
                    self._set_saving(False)
                    return
                saved = await services.patients.create(data)
            else:
                saved = await services.patients.update(self.patient.id, data)
        except errors.InvalidInput as exc:
            self._set_saving(False)
            self._mark_server_fields(exc)
            return
        except errors.WriteOutcomeUnknown as exc:
            self._set_saving(False)
            self._show_banner(str(exc))  # it already says where to check
            return
        except errors.PhotonError as exc:
            self._set_saving(False)
            self._show_banner(f"Not saved: {exc} What you typed is kept; try again.")
            return
        except BaseException:
            self._set_saving(False)
            raise
        self._set_saving(False)
        self.patient = saved
        self._typed_at_open = self.values()
        self.saved.emit(saved)
        self.accept()

    async def _no_duplicate(self, data: PatientInput) -> bool:
        """Look for the same person (Photon searches names only: compare DOB and phone here).
        True to go on creating; False when the user cancelled or opened the existing one."""
        search = self._workspace.services.patients.search
        name = f"{data.name.first} {data.name.last}" if data.name else ""
        found: list[tuple[PatientSummary, str]] = []
        after: str | None = None
        for _ in range(DUPLICATE_PAGES):
            page = await search(name, after=after, first=50)
            found += [(p, why) for p in page.items if (why := same_person(p, data))]
            if found or not page.has_more:
                break
            after = page.cursor
        if not found:
            return True
        existing, why = found[0]
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Possible duplicate",
            f"{existing.name.full} already exists with the same name and {why}"
            f" (born {fmt_birth_date(existing.date_of_birth)}, phone {fmt_phone(existing.phone)})."
            "\n\nOpen the existing patient, or create a new one anyway?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setAccessibleName("Possible duplicate patient")
        open_button = box.addButton("Open existing", QMessageBox.ButtonRole.AcceptRole)
        create = box.addButton("Create anyway", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(open_button)
        self.duplicate_box = box
        clicked = await answer(box)
        self.duplicate_box = None
        if clicked is open_button:
            self._typed_at_open = self.values()  # the user chose to leave what was typed
            self.open_existing.emit(existing.id)
            self.accept()
            return False
        return clicked is create

    def _mark_server_fields(self, exc: errors.InvalidInput) -> None:
        unmatched = []
        for path, message in exc.fields.items():
            key = SERVER_FIELDS.get(path)
            if key is None:
                unmatched.append(message)
            else:
                self.fields[key].set_error(message)
        self._show_banner(" ".join([str(exc), *(m for m in unmatched if m not in str(exc))]))
        self._focus_first_bad()

    def _set_saving(self, saving: bool) -> None:
        self.save_button.setEnabled(not saving)
        self.save_button.setText("Saving…" if saving else "Save")
        self.progress.setVisible(saving)

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        theme.show_error(self.banner, "color: {error}; font-weight: bold;")
        self.banner.setVisible(True)
        self.banner.setAccessibleDescription(text)

    def _focus_first_bad(self) -> None:
        for key in ORDER:
            if self.fields[key].error:
                self.fields[key].editor.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    # ------------------------------------------------------------------ leaving

    def cancel_tasks(self) -> None:
        self._save.cancel()
        self._leaving.cancel()

    def reject(self) -> None:
        """Esc, Cancel and the close button. A save in flight finishes first; unsaved edits are
        not dropped without asking."""
        if self.saving:
            self._show_banner("Saving… the form closes when Photon answers.")
            return
        if self.dirty and tasks.loop_running():
            if not self._leaving.busy:
                self._leaving.spawn(self._ask_to_leave(), name="leave-patient-form")
            return
        super().reject()

    async def _ask_to_leave(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Discard changes?",
            "You have unsaved changes to this patient. Discard them?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setAccessibleName("Discard changes?")
        discard = box.addButton("Discard changes", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        self.leave_box = box
        clicked = await answer(box)
        self.leave_box = None
        if clicked is discard:
            self._typed_at_open = self.values()
            super().reject()
