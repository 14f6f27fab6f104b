"""The review step: exactly what "Sign and send" will send, laid out as a prescriber reads a
prescription (drug, Disp, Refills, Sig, substitution, date), with the patient's allergies."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from photon_desktop.domain import Patient, Prescription, PrescriptionInput, Treatment
from photon_desktop.ui.common.formatting import fmt_count, fmt_day, fmt_quantity
from photon_desktop.ui.prescriptions.treatment_search import describe


def fmt_day_or_today(value: date | None) -> str:
    return fmt_day(value) if value else "today"


def review_rows(item: PrescriptionInput, treatment: Treatment) -> list[tuple[str, str]]:
    """(label, value) lines of one prescription, every value as it will be sent."""
    refills = item.fills_allowed - 1
    rows = [
        ("Rx", describe(treatment)),
        ("Disp", f"{fmt_quantity(item.dispense_quantity)} {item.dispense_unit}"),
        (
            "Refills",
            f"{refills} ({fmt_count(item.fills_allowed, 'fill')} in total)",
        ),
        ("Days supply", "not given" if item.days_supply is None else f"{item.days_supply} days"),
        ("Sig", item.instructions),
        (
            "Substitution",
            "Dispense as written — no substitution"
            if item.dispense_as_written
            else "Generic substitution permitted",
        ),
        ("Do not fill before", fmt_day_or_today(item.effective_date)),
        ("Diagnoses", ", ".join(item.diagnoses) if item.diagnoses else "none"),
        ("Notes to pharmacist", item.notes or "none"),
    ]
    return rows


def review_html(
    patient: Patient | None,
    patient_name: str,
    items: Sequence[tuple[PrescriptionInput, Treatment]],
    prescriber: str,
) -> str:
    esc = html.escape
    parts = []
    who = esc(patient_name)
    if patient is not None:
        who += f" — born {fmt_day(patient.date_of_birth)}"
    parts.append(f"<p><b>Patient:</b> {who}<br><b>Prescriber:</b> {esc(prescriber)}</p>")
    if patient is not None:
        allergies = ", ".join(a.allergen.name for a in patient.allergies) or "none recorded"
        if "allergies" in patient.unavailable:
            allergies = "not available to you"
        parts.append(f"<p><b>Allergies:</b> {esc(allergies)}</p>")
    for n, (item, treatment) in enumerate(items, start=1):
        rows = "".join(
            f"<tr><td style='padding:2px 12px 2px 0'><b>{esc(label)}</b></td>"
            f"<td style='padding:2px 0'>{esc(value)}</td></tr>"
            for label, value in review_rows(item, treatment)
        )
        parts.append(f"<h3>Prescription {n} of {len(items)}</h3><table>{rows}</table>")
    return "".join(parts)


class ReviewPage(QWidget):
    """Read-only; the form owns the buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("Review before signing", self)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)
        self.hint = QLabel(
            "This is exactly what will be sent to Photon. Go back to change anything.", self
        )
        self.hint.setWordWrap(True)
        self.text = QTextBrowser(self)
        self.text.setAccessibleName("Prescriptions to sign")
        self.text.setOpenLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addWidget(self.text, 1)

    def show_items(
        self,
        patient: Patient | None,
        patient_name: str,
        items: Sequence[tuple[PrescriptionInput, Treatment]],
        prescriber: str,
    ) -> None:
        self.text.setHtml(review_html(patient, patient_name, items, prescriber))


def sent_html(
    created: Sequence[Prescription], patient_name: str, order_id: str | None = None
) -> str:
    """What the form says once Photon has the prescriptions (and once ``order_id``, sent from
    here, fills them)."""
    esc = html.escape
    lines = "".join(
        f"<li><b>{esc(rx.treatment.name)}</b> — {fmt_quantity(rx.dispense_quantity)} "
        f"{esc(rx.dispense_unit)}, {fmt_count(rx.fills_allowed - 1, 'refill')} ({esc(rx.id)})</li>"
        for rx in created
    )
    count = len(created)
    them = "them" if count > 1 else "it"
    after = (  # "sent" alone would read as sent to a pharmacy: that is the next step
        f"<p>Photon has {them}. No pharmacy has {them} yet: send {them} to one now, or later "
        "from the patient's page.</p>"
        if order_id is None
        else f"<p><b>Sent to a pharmacy (order {esc(order_id)}).</b></p>"
    )
    return (
        f"<h3>{fmt_count(count, 'prescription')} signed for {esc(patient_name)}.</h3>"
        f"<ul>{lines}</ul>{after}"
    )
