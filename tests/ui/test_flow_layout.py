"""The wrapping button row (``FlowLayout``): one line when there is room, more when there is not,
starting at the right in a right-to-left interface as a box layout does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from photon_desktop.ui.common.flow_layout import FlowLayout


def _row(direction: Qt.LayoutDirection, width: int) -> tuple[QWidget, list[QPushButton]]:
    holder = QWidget()
    holder.setLayoutDirection(direction)
    layout = FlowLayout(holder, spacing=6)
    buttons = []
    for text in ("New prescription…", "New order…", "Add allergy…"):
        button = QPushButton(text, holder)
        button.setFixedWidth(100)
        layout.addWidget(button)
        buttons.append(button)
    holder.resize(width, layout.heightForWidth(width))
    layout.setGeometry(holder.rect())
    return holder, buttons


@pytest.mark.parametrize("width", [400, 250])
def test_right_to_left_mirrors_the_left_to_right_rows(qapp: QApplication, width: int) -> None:
    ltr_holder, ltr = _row(Qt.LayoutDirection.LeftToRight, width)
    rtl_holder, rtl = _row(Qt.LayoutDirection.RightToLeft, width)
    assert ltr[0].geometry().left() == 0  # the first button at the start of the line
    assert rtl[0].geometry().right() == width - 1
    for left, right in zip(ltr, rtl, strict=True):
        mirrored = width - 1 - left.geometry().right()
        assert right.geometry().left() == mirrored
        assert right.geometry().top() == left.geometry().top()  # the same lines
    wrapped = ltr[2].geometry().top() > ltr[0].geometry().top()
    assert wrapped == (width < 3 * 100 + 2 * 6)
    ltr_holder.deleteLater()
    rtl_holder.deleteLater()
