"""The "Patient:" link of a prescription's and an order's detail stays readable after the scheme
changes while it is shown (Qt colours a label's links once, when it lays the text out)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget
from records_fakes import make_orders, make_prescriptions

from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.orders.detail import OrderDetail
from photon_desktop.ui.prescriptions.detail import PrescriptionDetail
from photon_desktop.ui.workspace import Workspace


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def link_ink(label: QWidget, background: QColor) -> QColor:
    """The colour of the label's text that stands out most from ``background``, among the
    pixels of the link (the right part of "Patient: <name>")."""
    image = label.grab().toImage()
    start = label.fontMetrics().horizontalAdvance("Patient: ") + 2
    pixels = [
        image.pixelColor(x, y) for x in range(start, image.width()) for y in range(image.height())
    ]
    return max(pixels, key=lambda c: contrast(c, background))


@pytest.mark.parametrize("kind", ["prescription", "order"])
def test_the_patient_link_follows_a_switch_from_dark_to_light(
    kind: str, qapp: QApplication, workspace: Workspace, widgets: list[QWidget]
) -> None:
    style, palette = qapp.style().name(), qapp.palette()
    theme = Theme(qapp, forced="dark")
    try:
        detail: Any
        if kind == "prescription":
            detail = PrescriptionDetail(workspace)
            record: Any = make_prescriptions(1)[0]
        else:
            detail = OrderDetail(workspace)
            record = make_orders(1)[0]
        widgets.append(detail)
        detail.resize(700, 600)
        detail.show()
        detail.show_record(record)
        qapp.processEvents()
        link = detail.patient_link
        window = qapp.palette().color(QPalette.ColorRole.Window)
        assert contrast(link_ink(link, window), window) >= 4.5  # dark: readable

        theme.force("light")
        qapp.processEvents()
        window = qapp.palette().color(QPalette.ColorRole.Window)
        ink = link_ink(link, window)
        # The dark scheme's #93C5FD on the light window measured 1.7:1.
        assert contrast(ink, window) >= 4.5, ink.name()
    finally:
        theme.setParent(None)
        qapp.setPalette(palette)
        qapp.setStyle(style)
