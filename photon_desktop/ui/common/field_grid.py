"""Label/value rows of a record detail, with section headings: values wrap (long ones break
anywhere rather than widen the page), are selectable, and carry their text for screen readers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

#: Wider than any caption, the same in every section, so values line up down the page.
LABEL_WIDTH = 140


def section(title: str, parent: QWidget) -> QLabel:
    label = QLabel(title, parent)
    label.setObjectName("detailSection")
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    label.setContentsMargins(0, 12, 0, 2)
    return label


def value_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel("—", parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name)
    label.setMinimumWidth(1)
    return label


def breakable(text: str) -> str:
    """Let a long unbroken run (an id, a pasted name) wrap: zero-width spaces every 40 chars."""
    words = []
    for word in text.split(" "):
        if len(word) > 40:
            word = "\u200b".join(word[i : i + 40] for i in range(0, len(word), 40))
        words.append(word)
    return " ".join(words)


class FieldGrid(QFormLayout):
    """Label/value rows whose values are set after each load (``set(label, text)``)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.values: dict[str, QLabel] = {}

    def add(self, parent: QWidget, label: str) -> QLabel:
        value = value_label(parent, label)
        self.values[label] = value
        caption = QLabel(f"{label}:", parent)
        caption.setMinimumWidth(LABEL_WIDTH)
        caption.setBuddy(value)
        self.addRow(caption, value)
        return value

    def set(self, label: str, text: str) -> None:
        self.values[label].setText(breakable(text))
        self.values[label].setAccessibleDescription(text)

    def text(self, label: str) -> str:
        """What the user reads for ``label`` (without the wrapping marks)."""
        return self.values[label].text().replace("\u200b", "")
