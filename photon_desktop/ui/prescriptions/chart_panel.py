"""Beside the prescription form: the patient's allergies and active prescriptions, so the
prescriber sees them while writing (parts the token may not read say why)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from photon_desktop.domain import Patient, Prescription, PrescriptionState
from photon_desktop.ui.common.formatting import fmt_count

#: Wide enough for an allergy or a drug with its sig on two or three lines: at its size hint the
#: panel took ~150 px of a 1024 px form and a prescription wrapped to five lines of two words.
MIN_WIDTH = 260


def _label(parent: QWidget, name: str) -> QLabel:
    label = QLabel("Loading…", parent)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ChartPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(MIN_WIDTH)
        self.allergies = _label(self, "Patient allergies")
        self.active = _label(self, "Active prescriptions")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        for title, label in (("Allergies", self.allergies), ("Active prescriptions", self.active)):
            box = QGroupBox(title, self)
            QVBoxLayout(box).addWidget(label)
            layout.addWidget(box)
        layout.addStretch(1)

    def show_error(self, text: str) -> None:
        self.allergies.setText(text)
        self.active.setText("—")

    def show_patient(self, patient: Patient) -> None:
        if "allergies" in patient.unavailable:
            self.allergies.setText(patient.unavailable["allergies"])
        else:
            self.allergies.setText(
                "\n".join(
                    f"• {a.allergen.name}" + (f" — {a.comment}" if a.comment else "")
                    for a in patient.allergies
                )
                or "No known allergies recorded."
            )
        if "prescriptions" in patient.unavailable:
            self.active.setText(patient.unavailable["prescriptions"])

    def show_active(self, prescriptions: Sequence[Prescription]) -> None:
        active = [rx for rx in prescriptions if rx.state is PrescriptionState.ACTIVE]
        self.active.setText(
            "\n".join(
                f"• {rx.treatment.name} — {rx.instructions} "
                f"({fmt_count(rx.fills_remaining, 'fill')} left)"
                for rx in active
            )
            or "No active prescriptions."
        )
