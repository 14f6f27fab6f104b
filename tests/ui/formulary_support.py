"""Screenshots of the catalog and template screens (also kept under /tmp/shots-catalog), and
the templates they are tested with."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget
from ui_support import save_screenshot

from photon_desktop.domain.prescription_rules import Dispensing
from photon_desktop.services.catalogs import TemplateInput

SHOTS = Path("/tmp/shots-catalog")


def shot(widget: QWidget, name: str) -> None:
    """Save under artifacts/screenshots and /tmp/shots-catalog (the non-blank check included)."""
    image = save_screenshot(widget, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert image.save(str(SHOTS / f"{name}.png"))


def exact_quantity_template(name: str, treatment_id: str, unit: str) -> TemplateInput:
    """A private template of 12345.678 ``unit``: more digits than a short format shows."""
    return TemplateInput(
        name=name,
        treatment_id=treatment_id,
        is_private=True,
        dispensing=Dispensing(
            dispense_quantity=12345.678,
            dispense_unit=unit,
            fills_allowed=1,
            days_supply=None,
            instructions="As directed",
            notes=None,
            dispense_as_written=False,
        ),
    )
