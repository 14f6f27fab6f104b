"""Label/value rows of a record detail, with section headings: values wrap (a long id breaks
anywhere rather than widen the page or run past its edge), are selectable, copy as they read,
and carry their text for screen readers."""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QTextOption, QWheelEvent
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QSizePolicy, QTextEdit, QWidget

#: Wider than any caption, the same in every section, so values line up down the page.
LABEL_WIDTH = 140
#: A value's preferred width; the form gives it what the page has.
HINT_WIDTH = 360


def section(title: str, parent: QWidget) -> QLabel:
    label = QLabel(title, parent)
    label.setObjectName("detailSection")
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    label.setContentsMargins(0, 12, 0, 2)
    return label


class ValueText(QTextEdit):
    """A read-only value that reads like a label but wraps inside a word when it must.

    A ``QLabel`` wraps only between words, so an id ran past the page's edge; zero-width spaces
    let it wrap but went to the clipboard with a copied selection. Here the text stays as it is
    and the layout breaks it (``WrapAtWordBoundaryOrAnywhere``). Its height follows its width
    through ``heightForWidth``, measured afresh for the width asked: inside a scrolling page a
    height that lagged one resize behind once made Qt resize for ever (see ``scrolling``); with
    no scroll bars of its own its width never depends on its height.
    """

    def __init__(self, parent: QWidget, name: str, text: str = "—") -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.document().setDocumentMargin(0)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # as a selectable label: not a Tab stop
        self.setTabChangesFocus(True)
        self.viewport().setAutoFillBackground(False)  # the page's colour, as a label
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setAccessibleName(name)
        self._measured: tuple[tuple[str, str, int], int] | None = None
        self._natural: tuple[tuple[str, str], int] | None = None
        self.setText(text)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        if text != self.toPlainText():
            self.setPlainText(text)
            self.updateGeometry()
        self.setAccessibleDescription(text)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        asked = (self.toPlainText(), self.font().key(), width)
        if self._measured is None or self._measured[0] != asked:
            document = self.document().clone(self)
            document.setTextWidth(max(1, width))
            self._measured = (asked, math.ceil(document.size().height()))
            document.deleteLater()
        return self._measured[1]

    def sizeHint(self) -> QSize:
        """The text on one line, up to ``HINT_WIDTH``: from the text and font alone, not from
        the width the value has now (a hint that followed it went stale in every layout)."""
        asked = (self.toPlainText(), self.font().key())
        if self._natural is None or self._natural[0] != asked:
            document = self.document().clone(self)
            document.setTextWidth(-1)  # unwrapped
            self._natural = (asked, math.ceil(document.idealWidth()))
            document.deleteLater()
        width = min(HINT_WIDTH, self._natural[1] + 1)
        return QSize(width, self.heightForWidth(width))

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Left to the page: a value has nothing to scroll, and Ctrl+wheel would zoom this one
        value's text (``QTextEdit`` does when read-only) while the others stay as they were."""
        event.ignore()

    def minimumSizeHint(self) -> QSize:
        return QSize(1, self.fontMetrics().height())


class FieldGrid(QFormLayout):
    """Label/value rows whose values are set after each load (``set(label, text)``)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.values: dict[str, ValueText] = {}

    def add(self, parent: QWidget, label: str) -> ValueText:
        value = ValueText(parent, label)
        self.values[label] = value
        caption = QLabel(f"{label}:", parent)
        caption.setMinimumWidth(LABEL_WIDTH)
        caption.setBuddy(value)
        self.addRow(caption, value)
        return value

    def set(self, label: str, text: str) -> None:
        self.values[label].setText(text)

    def text(self, label: str) -> str:
        """What the user reads for ``label``."""
        return self.values[label].text()
