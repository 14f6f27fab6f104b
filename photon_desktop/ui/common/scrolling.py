"""A page that scrolls vertically and holds rows tables (a record's detail, the organization).

Its vertical scroll bar is always shown. A rows table sets its own height from its width (rows
wrap), and ``QScrollArea`` shows its scroll bar as needed: when the content's height sits within
what the scroll bar's width changes, the bar comes and goes, each time resizing the content and
its tables, whose heights lag one resize behind. Qt then resizes synchronously for ever until the
main thread's stack is gone (a crash seen in an order detail, 92,000 frames of
``QScrollArea::eventFilter`` → ``QWidget::resize``). With the bar always there the content's width
never depends on its height, and the loop cannot start. ``sideways``: a horizontal scroll bar
when the content cannot be narrower (it changes only the height, which widths do not follow).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QWidget


def scroll_page(
    body: QWidget, parent: QWidget | None = None, *, sideways: bool = False
) -> QScrollArea:
    scroll = QScrollArea(parent)
    scroll.setWidgetResizable(True)
    if not sideways:
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
    scroll.setWidget(body)
    return scroll
