"""Shared by the Support tab tests: every visible text of a widget tree, and screenshots saved
both under artifacts/screenshots (checked non-blank) and in /tmp/shots-inspect for review."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QWidget
from ui_support import save_screenshot

SHOTS = Path("/tmp/shots-inspect")


def all_texts(root: QWidget) -> str:
    """Every text a user could see or select in ``root``'s widget tree (including tooltips)."""
    parts: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        parts.append(widget.toolTip())
        if isinstance(widget, QLabel | QLineEdit):
            parts.append(widget.text())
        elif isinstance(widget, QPlainTextEdit):
            parts.append(widget.toPlainText())
    return "\n".join(parts)


def shoot(widget: QWidget, name: str) -> None:
    """Save ``widget`` as ``name``.png in both places (call ``SHOTS.mkdir`` outside coroutines)."""
    image = save_screenshot(widget, f"support-{name}")
    assert image.save(str(SHOTS / f"{name}.png"))
