"""Screenshots of the catalog and template screens, also kept under /tmp/shots-catalog."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget
from ui_support import save_screenshot

SHOTS = Path("/tmp/shots-catalog")


def shot(widget: QWidget, name: str) -> None:
    """Save under artifacts/screenshots and /tmp/shots-catalog (the non-blank check included)."""
    image = save_screenshot(widget, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert image.save(str(SHOTS / f"{name}.png"))
