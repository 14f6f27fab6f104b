"""One prescription card of the form: every field, checked before anything is sent.

The rules live in ``domain.prescription_rules`` (the template editor follows the same ones).
Each problem shows under its field; server problems (``InvalidInput.fields``) land on the same
fields.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.domain import Prescription, PrescriptionInput, Treatment
from photon_desktop.domain.prescription_rules import (
    MAX_REFILLS,
    TREATMENT_MISSING,
    DispensingText,
    check_dispensing,
    check_not_before,
    diagnoses_problem,
    parse_diagnoses,
    refills_from_fills,
    server_field,
)
from photon_desktop.services.treatment_search import TreatmentMatch
from photon_desktop.ui.common.formatting import DAY_PATTERN, fmt_quantity
from photon_desktop.ui.common.problems import mark, with_problem_line
from photon_desktop.ui.prescriptions.dispensing_fields import TITLES, DispensingFields, stored_text
from photon_desktop.ui.prescriptions.drafts import ItemDraft
from photon_desktop.ui.prescriptions.treatment_search import TreatmentSearch
from photon_desktop.ui.workspace import Workspace

# Re-exported: callers and tests know them from here.
__all__ = ["MAX_REFILLS", "RxEditor", "parse_diagnoses"]


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

        self.dispensing = DispensingFields(self)
        self.dispensing.set_units(units)
        d = self.dispensing
        self.quantity, self.unit, self.refills, self.days_supply = (
            d.quantity,
            d.unit,
            d.refills,
            d.days_supply,
        )
        self.dispense_as_written, self.instructions, self.notes = (
            d.dispense_as_written,
            d.instructions,
            d.notes,
        )
        self.not_before = QDateEdit(self)
        self.not_before.setCalendarPopup(True)
        self.not_before.setDisplayFormat(DAY_PATTERN)
        self.not_before.setMinimumDate(QDate.currentDate())
        self.not_before.setDate(QDate.currentDate())
        self.not_before.setAccessibleName("Do not fill before")
        self.diagnoses = QLineEdit(self)
        self.diagnoses.setPlaceholderText("optional ICD-10 codes, e.g. E11.9, I10")
        self.diagnoses.setAccessibleName("Diagnoses")

        self.fields: dict[str, QWidget] = {
            "treatment": self.search,
            **d.widgets(),
            "not_before": self.not_before,
            "diagnoses": self.diagnoses,
        }
        titles = {
            "treatment": "Treatment *",
            **TITLES,
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

        d.on_change(self._changed)
        self.diagnoses.textChanged.connect(self._changed)
        self.not_before.dateChanged.connect(self._changed)

    # -- units and prefill

    def set_units(self, units: list[str]) -> None:
        self.dispensing.set_units(units)

    def _select_unit(self, name: str | None) -> None:
        self.dispensing.select_unit(name)

    def _on_picked(self, match: TreatmentMatch | None) -> None:
        template = match.template if match else None
        if template is not None:
            if template.dispense_quantity is not None:
                self.quantity.setText(fmt_quantity(template.dispense_quantity))
            self._select_unit(template.dispense_unit)
            if template.fills_allowed:
                self.refills.setValue(refills_from_fills(template.fills_allowed))
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
        self.dispensing.show(
            stored_text(
                quantity=rx.dispense_quantity,
                unit=rx.dispense_unit,
                fills_allowed=rx.fills_allowed,
                days_supply=rx.days_supply,
                instructions=rx.instructions,
                notes=rx.notes,
                dispense_as_written=rx.dispense_as_written,
            )
        )

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

    def dispensing_text(self) -> DispensingText:
        return self.dispensing.entered()

    def validate(self, patient_id: str) -> PrescriptionInput | None:
        """The input to send, or None after marking every problem under its field."""
        treatment = self.search.treatment
        values, problems = check_dispensing(self.dispensing_text())
        if treatment is None:
            problems["treatment"] = TREATMENT_MISSING
        not_before: date = self.not_before.date().toPython()  # type: ignore[assignment]
        if (past := check_not_before(not_before, date.today())) is not None:
            problems["not_before"] = past
        codes, bad = parse_diagnoses(self.diagnoses.text())
        if bad:
            problems["diagnoses"] = diagnoses_problem(bad)
        self.show_problems(problems)
        if problems or treatment is None or values is None:
            return None
        return PrescriptionInput(
            patient_id=patient_id,
            treatment_id=treatment.id,
            dispense_quantity=values.dispense_quantity,
            dispense_unit=values.dispense_unit,
            fills_allowed=values.fills_allowed,
            instructions=values.instructions,
            days_supply=values.days_supply,
            dispense_as_written=values.dispense_as_written,
            effective_date=not_before,
            notes=values.notes,
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
            key = server_field(name)
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
