"""Where a write form says what is wrong: a red line under each field, named for screen readers.

One look for every problem the app shows before or after sending (the field's own check, or
Photon's ``InvalidInput.fields`` mapped back to it).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from photon_desktop.errors import PhotonError, WriteOutcomeUnknown
from photon_desktop.ui.common.theme import show_error


def failed_write(error: PhotonError, not_done: str) -> str:
    """Why a write did not go through, led by ``not_done`` ("Not sent"); an unknown outcome is
    never called a failure: its message already says the write may have happened, and where to
    check before sending it again."""
    if isinstance(error, WriteOutcomeUnknown):
        return str(error)
    return f"{not_done}: {error}"


def error_label(parent: QWidget, name: str) -> QLabel:
    """A hidden red message line (shown with text by ``mark``)."""
    label = QLabel(parent)
    label.setObjectName("fieldError")
    show_error(label)
    label.setWordWrap(True)
    label.setAccessibleName(f"{name} problem")
    label.setVisible(False)
    return label


def with_problem_line(parent: QWidget, field: QWidget, name: str) -> tuple[QWidget, QLabel]:
    """``field`` with its problem line under it, as one widget for a form row."""
    box = QWidget(parent)
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(field)
    label = error_label(box, name)
    column.addWidget(label)
    return box, label


def mark(
    fields: Mapping[str, QWidget], lines: Mapping[str, QLabel], problems: Mapping[str, str]
) -> None:
    """Show each field's problem (and clear the others); the field's description says it too."""
    for key, label in lines.items():
        text = problems.get(key, "")
        label.setText(text)
        label.setVisible(bool(text))
        fields[key].setAccessibleDescription(text)
