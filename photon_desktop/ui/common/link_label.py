"""A label holding a link (``<a href>``) that keeps the link readable when the scheme changes.

Qt colours a rich-text label's links from the palette once, when it lays the text out: a label
shown in dark keeps the dark scheme's pale blue (1.7:1 on the light window) after a switch to
light, and setting the same text again changes nothing. This label lays its text out again
whenever its palette changes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QWidget


class LinkLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.text():
            text = self.text()
            self.clear()
            self.setText(text)
