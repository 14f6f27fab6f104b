"""One prescription card of the form: every field, checked before anything is sent.

Rules (Photon's prescribe form, plus ICD-10 diagnoses): a treatment; quantity > 0 (decimals
allowed); a dispense unit from Photon's list; refills 0 to 11 (sent as ``fillsAllowed``,
refills + 1); days supply blank or a whole number >= 1; instructions required; "do not fill
before" not in the past (sent as ``effectiveDate``); diagnoses as ICD-10 codes such as
``E11.9``. Each problem shows under its field; server problems (``InvalidInput.fields``) land on
the same fields.
"""

from __future__ import annotations

import math
import re
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.domain import Prescription, PrescriptionInput, Treatment
from photon_desktop.services.treatment_search import TreatmentMatch
from photon_desktop.ui.common.problems import mark, with_problem_line
from photon_desktop.ui.prescriptions.drafts import ItemDraft
from photon_desktop.ui.prescriptions.treatment_search import TreatmentSearch
from photon_desktop.ui.workspace import Workspace

MAX_REFILLS = 11
MAX_DAYS_SUPPLY = 3650
ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")

#: Photon's argument names (as ``InvalidInput.fields`` report them) → this card's fields.
SERVER_FIELDS = {
    "treatmentId": "treatment",
    "dispenseQuantity": "quantity",
    "dispenseUnit": "unit",
    "fillsAllowed": "refills",
    "refillsAllowed": "refills",
    "daysSupply": "days_supply",
    "dispenseAsWritten": "dispense_as_written",
    "instructions": "instructions",
    "notes": "notes",
    "effectiveDate": "not_before",
    "diagnoses": "diagnoses",
}


def parse_quantity(text: str) -> tuple[float | None, str | None]:
    """(quantity, None) for "30" or "2,5"; (None, what to fix) unless a finite number > 0."""
    try:
        quantity = float(text.strip().replace(",", "."))
    except ValueError:
        quantity = math.nan
    if not (math.isfinite(quantity) and quantity > 0):
        return None, "Enter a quantity greater than 0 (decimals are fine)."
    return quantity, None


def parse_days_supply(text: str) -> tuple[int | None, str | None]:
    """(days, None), (None, None) when left empty, or (None, what to fix). ASCII digits only:
    "²" is a digit to ``str.isdigit`` but not to ``int``."""
    text = text.strip()
    if not text:
        return None, None
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_DAYS_SUPPLY:
        return int(text), None
    return None, "Days supply is a whole number of days, 1 or more."


def parse_diagnoses(text: str) -> tuple[tuple[str, ...], list[str]]:
    """(codes, bad entries) from "E11.9, I10" (commas, semicolons or spaces between codes)."""
    codes: list[str] = []
    bad: list[str] = []
    for raw in re.split(r"[,;\s]+", text.strip()):
        if not raw:
            continue
        code = raw.upper()
        (codes if ICD10.match(code) else bad).append(code)
    return tuple(dict.fromkeys(codes)), bad


class RxEditor(QWidget):
    """``edited`` on any change; ``treatment_changed`` when the treatment is (re)picked."""

    edited = Signal()
    treatment_changed = Signal()

    def __init__(
        self,
        workspace: Workspace,
        external_id: str,
        units: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.external_id = external_id  # one per card for the form's lifetime; never shown
        self.search = TreatmentSearch(workspace, self)
        self.search.picked.connect(self._on_picked)

        self.quantity = QLineEdit(self)
        self.quantity.setPlaceholderText("e.g. 30")
        self.quantity.setAccessibleName("Dispense quantity")
        self.unit = QComboBox(self)
        self.unit.setAccessibleName("Dispense unit")
        self.set_units(units)
        self.refills = QSpinBox(self)
        self.refills.setRange(0, MAX_REFILLS)
        self.refills.setAccessibleName("Refills")
        self.refills.setToolTip(f"0 to {MAX_REFILLS} refills after the first fill")
        self.days_supply = QLineEdit(self)
        self.days_supply.setPlaceholderText("optional, e.g. 30")
        self.days_supply.setAccessibleName("Days supply")
        self.dispense_as_written = QCheckBox("Dispense as written (no substitution)", self)
        self.dispense_as_written.setAccessibleName("Dispense as written")
        self.instructions = QPlainTextEdit(self)
        self.instructions.setPlaceholderText("e.g. Take 1 tablet by mouth twice daily")
        self.instructions.setAccessibleName("Instructions")
        self.instructions.setTabChangesFocus(True)
        self.instructions.setFixedHeight(64)
        self.notes = QPlainTextEdit(self)
        self.notes.setPlaceholderText("optional")
        self.notes.setAccessibleName("Notes to the pharmacist")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(48)
        self.not_before = QDateEdit(self)
        self.not_before.setCalendarPopup(True)
        self.not_before.setDisplayFormat("MMM d, yyyy")
        self.not_before.setMinimumDate(QDate.currentDate())
        self.not_before.setDate(QDate.currentDate())
        self.not_before.setAccessibleName("Do not fill before")
        self.diagnoses = QLineEdit(self)
        self.diagnoses.setPlaceholderText("optional ICD-10 codes, e.g. E11.9, I10")
        self.diagnoses.setAccessibleName("Diagnoses")

        self.fields: dict[str, QWidget] = {
            "treatment": self.search,
            "quantity": self.quantity,
            "unit": self.unit,
            "refills": self.refills,
            "days_supply": self.days_supply,
            "dispense_as_written": self.dispense_as_written,
            "instructions": self.instructions,
            "notes": self.notes,
            "not_before": self.not_before,
            "diagnoses": self.diagnoses,
        }
        titles = {
            "treatment": "Treatment *",
            "quantity": "Quantity *",
            "unit": "Dispense unit *",
            "refills": "Refills",
            "days_supply": "Days supply",
            "dispense_as_written": "",
            "instructions": "Instructions (sig) *",
            "notes": "Notes to pharmacist",
            "not_before": "Do not fill before",
            "diagnoses": "Diagnoses",
        }
        self.errors: dict[str, QLabel] = {}
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)  # spare height goes below the fields, not into the search
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, widget in self.fields.items():
            box, self.errors[key] = with_problem_line(self, widget, widget.accessibleName() or key)
            if titles[key]:
                caption = QLabel(titles[key], self)
                caption.setBuddy(widget)
                form.addRow(caption, box)
            else:
                form.addRow("", box)

        for line in (self.quantity, self.days_supply, self.diagnoses):
            line.textChanged.connect(self._changed)
        for text in (self.instructions, self.notes):
            text.textChanged.connect(self._changed)
        self.unit.currentIndexChanged.connect(self._changed)
        self.refills.valueChanged.connect(self._changed)
        self.dispense_as_written.toggled.connect(self._changed)
        self.not_before.dateChanged.connect(self._changed)

    # -- units and prefill

    def set_units(self, units: list[str]) -> None:
        current = self.unit.currentData()
        self.unit.blockSignals(True)
        self.unit.clear()
        self.unit.addItem("Choose a unit…", None)
        for name in units:
            self.unit.addItem(name, name)
        self.unit.blockSignals(False)
        self._select_unit(current)

    def _select_unit(self, name: str | None) -> None:
        if not name:
            return
        index = self.unit.findData(name, flags=Qt.MatchFlag.MatchFixedString)
        if index < 0:
            self.unit.addItem(name, name)  # a template's unit the list does not name: keep it
            index = self.unit.count() - 1
        self.unit.setCurrentIndex(index)

    def _on_picked(self, match: TreatmentMatch | None) -> None:
        template = match.template if match else None
        if template is not None:
            if template.dispense_quantity is not None:
                self.quantity.setText(f"{template.dispense_quantity:g}")
            self._select_unit(template.dispense_unit)
            if template.fills_allowed:
                self.refills.setValue(max(0, min(MAX_REFILLS, template.fills_allowed - 1)))
            if template.days_supply:
                self.days_supply.setText(str(template.days_supply))
            if template.dispense_as_written is not None:
                self.dispense_as_written.setChecked(template.dispense_as_written)
            if template.instructions:
                self.instructions.setPlainText(template.instructions)
            if template.notes:
                self.notes.setPlainText(template.notes)
        self.errors["treatment"].setVisible(False)
        self.treatment_changed.emit()
        self._changed()

    def copy_from(self, rx: Prescription) -> None:
        """Fill the card from an existing prescription (duplicate); the date starts today."""
        self.search.set_treatment(rx.treatment)
        self.quantity.setText(f"{rx.dispense_quantity:g}")
        self._select_unit(rx.dispense_unit)
        self.refills.setValue(max(0, min(MAX_REFILLS, rx.fills_allowed - 1)))
        self.days_supply.setText("" if rx.days_supply is None else str(rx.days_supply))
        self.dispense_as_written.setChecked(bool(rx.dispense_as_written))
        self.instructions.setPlainText(rx.instructions)
        self.notes.setPlainText(rx.notes or "")

    # -- drafts

    def snapshot(self) -> ItemDraft:
        return ItemDraft(
            external_id=self.external_id,
            treatment=self.search.treatment,
            quantity=self.quantity.text(),
            unit=self.unit.currentData() or "",
            refills=self.refills.value(),
            days_supply=self.days_supply.text(),
            dispense_as_written=self.dispense_as_written.isChecked(),
            instructions=self.instructions.toPlainText(),
            notes=self.notes.toPlainText(),
            not_before=self.not_before.date().toPython(),  # type: ignore[arg-type]
            diagnoses=self.diagnoses.text(),
        )

    def restore(self, item: ItemDraft) -> None:
        self.external_id = item.external_id
        self.search.set_treatment(item.treatment)
        self.quantity.setText(item.quantity)
        self._select_unit(item.unit or None)
        self.refills.setValue(item.refills)
        self.days_supply.setText(item.days_supply)
        self.dispense_as_written.setChecked(item.dispense_as_written)
        self.instructions.setPlainText(item.instructions)
        self.notes.setPlainText(item.notes)
        if item.not_before is not None and item.not_before >= date.today():
            self.not_before.setDate(
                QDate(item.not_before.year, item.not_before.month, item.not_before.day)
            )
        self.diagnoses.setText(item.diagnoses)

    @property
    def treatment(self) -> Treatment | None:
        return self.search.treatment

    @property
    def has_content(self) -> bool:
        s = self.snapshot()
        return bool(
            s.treatment or s.quantity.strip() or s.instructions.strip() or s.notes.strip()
        ) or bool(s.diagnoses.strip() or s.days_supply.strip())

    # -- validation

    def validate(self, patient_id: str) -> PrescriptionInput | None:
        """The input to send, or None after marking every problem under its field."""
        problems: dict[str, str] = {}
        treatment = self.search.treatment
        if treatment is None:
            problems["treatment"] = "Choose a treatment from the search results."
        quantity, problem = parse_quantity(self.quantity.text())
        if problem:
            problems["quantity"] = problem
        unit = self.unit.currentData()
        if not unit:
            problems["unit"] = "Choose the unit the quantity is dispensed in."
        days, problem = parse_days_supply(self.days_supply.text())
        if problem:
            problems["days_supply"] = problem
        instructions = self.instructions.toPlainText().strip()
        if not instructions:
            problems["instructions"] = "Write the instructions for the patient."
        not_before: date = self.not_before.date().toPython()  # type: ignore[assignment]
        if not_before < date.today():
            problems["not_before"] = "The date cannot be in the past."
        codes, bad = parse_diagnoses(self.diagnoses.text())
        if bad:
            problems["diagnoses"] = (
                f"Not an ICD-10 code: {', '.join(bad)}. Codes look like E11.9 or I10."
            )
        self.show_problems(problems)
        if problems or treatment is None or quantity is None or not unit:
            return None
        return PrescriptionInput(
            patient_id=patient_id,
            treatment_id=treatment.id,
            dispense_quantity=quantity,
            dispense_unit=str(unit),
            fills_allowed=self.refills.value() + 1,
            instructions=instructions,
            days_supply=days,
            dispense_as_written=self.dispense_as_written.isChecked(),
            effective_date=not_before,
            notes=self.notes.toPlainText().strip() or None,
            diagnoses=codes,
            external_id=self.external_id,
        )

    def show_problems(self, problems: dict[str, str]) -> None:
        mark(self.fields, self.errors, problems)
        first = next((k for k in self.fields if k in problems), None)
        if first is not None:
            self.fields[first].setFocus(Qt.FocusReason.OtherFocusReason)

    def show_server_problems(self, problems: dict[str, str]) -> dict[str, str]:
        """Mark Photon's problems (argument names) on fields; returns those no field owns."""
        mine: dict[str, str] = {}
        rest: dict[str, str] = {}
        for name, message in problems.items():
            key = SERVER_FIELDS.get(re.sub(r"\[\d+\]$", "", name))
            if key is None:
                rest[name] = message
            else:
                mine[key] = f"{mine[key]} {message}" if key in mine else message
        self.show_problems(mine)
        return rest

    @property
    def problems(self) -> dict[str, str]:
        return {k: label.text() for k, label in self.errors.items() if label.text()}

    def cancel_tasks(self) -> None:
        self.search.cancel_tasks()

    def _changed(self, *_args: object) -> None:
        self.edited.emit()
