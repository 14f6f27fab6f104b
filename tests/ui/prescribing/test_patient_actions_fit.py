"""A prescriber's patient page at the default 1200x760 and at 1024x640: the five chart buttons
(New prescription, New order, Add allergy / medication / preferred pharmacy) wrap instead of
widening the detail, so the patient list beside it keeps room for names and phone numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget
from ui_support import next_emission, save_screenshot, settle, until
from write_support import signed_in

from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.main_window import MainWindow

Run = Callable[..., Any]


def test_the_chart_buttons_wrap_and_leave_the_patient_list_its_room(
    arun: Run, sandbox: Any, widgets: list[QWidget], theme: Theme
) -> None:
    scheme = "dark" if theme.dark else "light"

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            window = MainWindow(conn.workspace)
            widgets.append(window)
            window.resize(1200, 760)
            window.show()
            await next_emission(window.patients.first_page_loaded)
            window.patients.list.table.selectRow(0)
            detail = window.patients.detail
            await until(lambda: detail.patient is not None)
            actions = detail.chart_actions
            buttons = [
                actions.prescribe_button,
                actions.order_button,
                actions.allergy_button,
                actions.medication_button,
                actions.pharmacy_button,
            ]
            assert all(b.isVisible() for b in buttons)
            patients = window.patients.list
            for size in ((1200, 760), (1024, 640)):
                window.resize(*size)
                await settle(0.3)
                save_screenshot(window, f"patients_prescriber_{size[0]}_{scheme}")
                table = patients.table
                assert not table.horizontalScrollBar().isVisible(), size
                # The list keeps a fair share; at 1200 a typical name ("Michael Anderson") fits
                # whole (the buttons on one line left it 70 px: "Michael A…").
                splitter = window.patients.splitter
                assert patients.width() >= 0.45 * splitter.width(), (size, patients.width())
                if size == (1200, 760):
                    wanted = table.fontMetrics().horizontalAdvance("Michael Anderson") + 12
                    assert table.columnWidth(0) >= wanted, (table.columnWidth(0), wanted)
                for button in buttons:  # each whole, inside the detail, none overlapping
                    assert button.width() >= button.sizeHint().width(), button.text()
                    right = button.mapTo(detail, button.rect().topRight()).x()
                    assert right < detail.width(), button.text()
                rects = [b.geometry() for b in buttons]
                assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])
                # What sits under the buttons starts below them.
                lowest = max(b.mapTo(detail, b.rect().bottomLeft()).y() for b in buttons)
                assert detail.stack.mapTo(detail, detail.stack.rect().topLeft()).y() > lowest

    arun(scenario(), timeout=90)
