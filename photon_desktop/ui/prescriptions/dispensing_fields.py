"""The dispensing fields of a prescription card and of a template: one set of widgets, read into
``prescription_rules.DispensingText`` and checked by the same rules wherever they appear."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from photon_desktop.domain.prescription_rules import (
    MAX_REFILLS,
    DispensingText,
    refills_from_fills,
)
from photon_desktop.ui.common.formatting import fmt_quantity

#: Field key → form caption ("" for a checkbox that names itself).
TITLES = {
    "quantity": "Quantity *",
    "unit": "Dispense unit *",
    "refills": "Refills",
    "days_supply": "Days supply",
    "dispense_as_written": "",
    "instructions": "Instructions (sig) *",
    "notes": "Notes to pharmacist",
}


class DispensingFields:
    """Quantity, unit, refills, days supply, dispense as written, instructions and notes."""

    def __init__(self, parent: QWidget) -> None:
        self.quantity = QLineEdit(parent)
        self.quantity.setPlaceholderText("e.g. 30")
        self.quantity.setAccessibleName("Dispense quantity")
        self.unit = QComboBox(parent)
        self.unit.setAccessibleName("Dispense unit")
        self.refills = QSpinBox(parent)
        self.refills.setRange(0, MAX_REFILLS)
        self.refills.setAccessibleName("Refills")
        self.refills.setToolTip(f"0 to {MAX_REFILLS} refills after the first fill")
        self.days_supply = QLineEdit(parent)
        self.days_supply.setPlaceholderText("optional, e.g. 30")
        self.days_supply.setAccessibleName("Days supply")
        self.dispense_as_written = QCheckBox("Dispense as written (no substitution)", parent)
        self.dispense_as_written.setAccessibleName("Dispense as written")
        self.instructions = QPlainTextEdit(parent)
        self.instructions.setPlaceholderText("e.g. Take 1 tablet by mouth twice daily")
        self.instructions.setAccessibleName("Instructions")
        self.instructions.setTabChangesFocus(True)
        self.instructions.setFixedHeight(64)
        self.notes = QPlainTextEdit(parent)
        self.notes.setPlaceholderText("optional")
        self.notes.setAccessibleName("Notes to the pharmacist")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(48)

    def widgets(self) -> dict[str, QWidget]:
        """By field key, in form order (the keys of ``TITLES``)."""
        return {
            "quantity": self.quantity,
            "unit": self.unit,
            "refills": self.refills,
            "days_supply": self.days_supply,
            "dispense_as_written": self.dispense_as_written,
            "instructions": self.instructions,
            "notes": self.notes,
        }

    def on_change(self, slot: Callable[..., object]) -> None:
        for line in (self.quantity, self.days_supply):
            line.textChanged.connect(slot)
        for text in (self.instructions, self.notes):
            text.textChanged.connect(slot)
        self.unit.currentIndexChanged.connect(slot)
        self.refills.valueChanged.connect(slot)
        self.dispense_as_written.toggled.connect(slot)

    def set_units(self, units: list[str]) -> None:
        """Photon's dispense units, keeping the one chosen (or a prefilled one not listed)."""
        current = self.unit.currentData()
        self.unit.blockSignals(True)
        self.unit.clear()
        self.unit.addItem("Choose a unit…", None)
        for name in units:
            self.unit.addItem(name, name)
        self.unit.blockSignals(False)
        self.select_unit(current)

    def select_unit(self, name: str | None) -> None:
        if not name:
            return
        index = self.unit.findData(name, flags=Qt.MatchFlag.MatchFixedString)
        if index < 0:
            self.unit.addItem(name, name)  # a template's unit the list does not name: keep it
            index = self.unit.count() - 1
        self.unit.setCurrentIndex(index)

    def entered(self) -> DispensingText:
        return DispensingText(
            quantity=self.quantity.text(),
            unit=self.unit.currentData(),
            refills=self.refills.value(),
            days_supply=self.days_supply.text(),
            instructions=self.instructions.toPlainText(),
            notes=self.notes.toPlainText(),
            dispense_as_written=self.dispense_as_written.isChecked(),
        )

    def show(self, entered: DispensingText) -> None:
        self.quantity.setText(entered.quantity)
        self.select_unit(entered.unit)
        self.refills.setValue(entered.refills)
        self.days_supply.setText(entered.days_supply)
        self.dispense_as_written.setChecked(entered.dispense_as_written)
        self.instructions.setPlainText(entered.instructions)
        self.notes.setPlainText(entered.notes)


def stored_text(
    *,
    quantity: float | None,
    unit: str | None,
    fills_allowed: int | None,
    days_supply: int | None,
    instructions: str | None,
    notes: str | None,
    dispense_as_written: bool | None,
) -> DispensingText:
    """Stored values (a prescription's or a template's) as the fields show them."""
    return DispensingText(
        quantity="" if quantity is None else fmt_quantity(quantity),
        unit=unit,
        refills=refills_from_fills(fills_allowed),
        days_supply="" if days_supply is None else str(days_supply),
        instructions=instructions or "",
        notes=notes or "",
        dispense_as_written=bool(dispense_as_written),
    )
