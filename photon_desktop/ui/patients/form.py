"""Create or edit a patient (write:patient), validated before anything is sent.

Each bad field gets a red border, a message under it and the message as its accessible
description; the server's ``InvalidInput.fields`` ("name.first", "address.postalCode", …) are marked
on the same fields. What was typed survives every failure. Save is disabled while a save is in
flight, so one click can never send two writes.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime

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
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.domain import AddressInput, NameInput, Patient, PatientInput, Sex
from photon_desktop.ui.common import tasks, theme
from photon_desktop.ui.workspace import Workspace

US_STATES = (
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "PR",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
)
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")

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


def parse_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def normalize_phone(text: str) -> str | None:
    """US numbers to E.164 (+1XXXXXXXXXX); ``+`` numbers kept; None when it is not a number."""
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+"):
        return "+" + digits if 8 <= len(digits) <= 15 else None
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return "+1" + digits if len(digits) == 10 else None


class Field(QWidget):
    """An input plus the message line under it; ``set_error`` marks both for eyes and readers."""

    def __init__(self, label: str, editor: QLineEdit | QComboBox, parent: QWidget) -> None:
        super().__init__(parent)
        self.label = label
        self.editor = editor
        editor.setParent(self)
        editor.setAccessibleName(label)
        editor.setMinimumWidth(240)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(f"{label} problem")
        self.message.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        layout.addWidget(self.message)
        self.error: str | None = None

    def text(self) -> str:
        if isinstance(self.editor, QComboBox):
            data = self.editor.currentData()
            return "" if data is None else str(data)
        return self.editor.text().strip()

    def set_error(self, message: str | None) -> None:
        self.error = message
        colour = theme.error_colour()
        self.editor.setProperty("invalid", bool(message))
        kind = "QComboBox" if isinstance(self.editor, QComboBox) else "QLineEdit"
        self.editor.setStyleSheet(
            f"{kind} {{ border: 2px solid {colour}; border-radius: 3px; padding: 2px; }}"
            if message
            else ""
        )
        self.message.setText(message or "")
        self.message.setStyleSheet(f"color: {colour};" if message else "")
        self.message.setVisible(bool(message))
        self.editor.setAccessibleDescription(message or "")


class PatientForm(QDialog):
    """The create (``patient=None``) or edit form. ``saved(Patient)`` after a successful save."""

    saved = Signal(object)

    def __init__(
        self, workspace: Workspace, patient: Patient | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self.patient = patient
        self._save = tasks.Latest(owner=self)
        editing = patient is not None
        self.setWindowTitle("Edit patient" if editing else "New patient")
        self.setAccessibleName(self.windowTitle())
        self.setModal(True)
        self.setMinimumWidth(800)

        self.fields: dict[str, Field] = {}

        def line(key: str, label: str, placeholder: str = "") -> Field:
            edit = QLineEdit()
            edit.setPlaceholderText(placeholder)
            field = Field(label, edit, self)
            edit.textEdited.connect(lambda _t: field.set_error(None))
            self.fields[key] = field
            return field

        def combo(key: str, label: str, items: list[tuple[str, str | None]]) -> Field:
            box = QComboBox()
            for text, data in items:
                box.addItem(text, data)
            field = Field(label, box, self)
            box.currentIndexChanged.connect(lambda _i: field.set_error(None))
            self.fields[key] = field
            return field

        name_box = QGroupBox("Name", self)
        name_form = QFormLayout(name_box)
        name_form.addRow("First name*", line("first", "First name"))
        name_form.addRow("Middle name", line("middle", "Middle name"))
        name_form.addRow("Last name*", line("last", "Last name"))

        person_box = QGroupBox("Patient", self)
        person = QFormLayout(person_box)
        person.addRow("Date of birth*", line("dob", "Date of birth", "YYYY-MM-DD or MM/DD/YYYY"))
        person.addRow(
            "Sex*",
            combo(
                "sex", "Sex", [("Choose…", None)] + [(s.value.capitalize(), s.value) for s in Sex]
            ),
        )
        person.addRow("Gender", line("gender", "Gender", "As the patient describes it"))
        person.addRow("Phone*", line("phone", "Phone", "(202) 555-0102"))
        person.addRow("Email", line("email", "Email", "name@example.com"))
        person.addRow("External ID", line("external_id", "External ID", "Your system's ID"))

        address_box = QGroupBox("Address", self)
        address = QFormLayout(address_box)
        address.addRow("Street", line("street1", "Street"))
        address.addRow("Street (line 2)", line("street2", "Street line 2", "Apartment, suite…"))
        address.addRow("City", line("city", "City"))
        address.addRow(
            "State", combo("state", "State", [("—", None)] + [(s, s) for s in US_STATES])
        )
        address.addRow("ZIP", line("zip", "ZIP code", "12345"))

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

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(name_box)
        left.addWidget(address_box)
        columns.addLayout(left)
        columns.addWidget(person_box, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(columns)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

        order = [
            "first",
            "middle",
            "last",
            "street1",
            "street2",
            "city",
            "state",
            "zip",
            "dob",
            "sex",
            "gender",
            "phone",
            "email",
            "external_id",
        ]
        for a, b in itertools.pairwise(order):
            QWidget.setTabOrder(self.fields[a].editor, self.fields[b].editor)
        QWidget.setTabOrder(self.fields["external_id"].editor, self.save_button)
        if patient is not None:
            self._fill(patient)
        self.fields["first"].editor.setFocus()

    # ------------------------------------------------------------------ values

    def _fill(self, p: Patient) -> None:
        def put(key: str, value: str | None) -> None:
            editor = self.fields[key].editor
            if isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(value)))
            else:
                editor.setText(value or "")

        put("first", p.name.first)
        put("middle", p.name.middle)
        put("last", p.name.last)
        put("dob", p.date_of_birth.isoformat())
        put("sex", p.sex.value)
        put("gender", p.gender)
        put("phone", p.phone)
        put("email", p.email)
        put("external_id", p.external_id)
        if p.address is not None:
            put("street1", p.address.street1)
            put("street2", p.address.street2)
            put("city", p.address.city)
            put("state", p.address.state)
            put("zip", p.address.postal_code)

    def validate(self) -> PatientInput | None:
        """Mark every bad field; the input to send when all are good."""
        v = {key: field.text() for key, field in self.fields.items()}
        problems: dict[str, str] = {}
        if not v["first"]:
            problems["first"] = "Enter the first name."
        if not v["last"]:
            problems["last"] = "Enter the last name."
        dob = parse_date(v["dob"]) if v["dob"] else None
        if not v["dob"]:
            problems["dob"] = "Enter the date of birth."
        elif dob is None:
            problems["dob"] = "Use YYYY-MM-DD or MM/DD/YYYY, e.g. 1984-03-27."
        elif dob > date.today():
            problems["dob"] = "The date of birth cannot be in the future."
        if not v["sex"]:
            problems["sex"] = "Choose the sex recorded for prescribing."
        phone = normalize_phone(v["phone"]) if v["phone"] else None
        if not v["phone"]:
            problems["phone"] = "Enter a phone number."
        elif phone is None:
            problems["phone"] = "A US phone number has 10 digits, e.g. (202) 555-0102."
        if v["email"] and not _EMAIL.match(v["email"]):
            problems["email"] = "Enter an email address like name@example.com."
        address_parts = ("street1", "street2", "city", "state", "zip")
        has_address = any(v[k] for k in address_parts)
        if has_address:
            for key, text in (
                ("street1", "Enter the street."),
                ("city", "Enter the city."),
                ("state", "Choose the state."),
                ("zip", "Enter the ZIP code."),
            ):
                if not v[key]:
                    problems[key] = text
            if v["zip"] and not _ZIP.match(v["zip"]):
                problems["zip"] = "A ZIP code has 5 digits (or 5+4: 12345-6789)."
        elif self.patient is not None and self.patient.address is not None:
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
        assert dob is not None
        return PatientInput(
            name=NameInput(first=v["first"], last=v["last"], middle=v["middle"] or None),
            date_of_birth=dob,
            sex=Sex(v["sex"]),
            phone=phone,
            email=v["email"] or None,
            gender=v["gender"] or None,
            external_id=v["external_id"] or None,
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
        self._set_saving(True)
        self._save.spawn(self._send(data), name="save-patient")

    async def _send(self, data: PatientInput) -> None:
        services = self._workspace.services
        try:
            if self.patient is None:
                saved = await services.patients.create(data)
            else:
                saved = await services.patients.update(self.patient.id, data)
        except errors.InvalidInput as exc:
            self._set_saving(False)
            self._mark_server_fields(exc)
            return
        except errors.WriteOutcomeUnknown as exc:
            self._set_saving(False)
            self._show_banner(f"{exc} Check the patient list before saving again.")
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
        self.saved.emit(saved)
        self.accept()

    def _mark_server_fields(self, exc: errors.InvalidInput) -> None:
        unmatched = []
        for path, message in exc.fields.items():
            key = SERVER_FIELDS.get(path)
            if key is None:
                unmatched.append(message)
            else:
                self.fields[key].set_error(message)
        text = "Photon refused some fields: " + str(exc)
        if unmatched:
            text += " " + " ".join(unmatched)
        self._show_banner(text)
        self._focus_first_bad()

    def _set_saving(self, saving: bool) -> None:
        self.save_button.setEnabled(not saving)
        self.save_button.setText("Saving…" if saving else "Save")
        self.progress.setVisible(saving)

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(f"color: {theme.error_colour()}; font-weight: bold;")
        self.banner.setVisible(True)
        self.banner.setAccessibleDescription(text)

    def _focus_first_bad(self) -> None:
        for field in self.fields.values():
            if field.error:
                field.editor.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def cancel_tasks(self) -> None:
        self._save.cancel()

    def reject(self) -> None:
        """Esc/Cancel. A save in flight is not abandoned silently: it finishes first."""
        if self.saving:
            self._show_banner("Saving… the form closes when Photon answers.")
            return
        super().reject()
