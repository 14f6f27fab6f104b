"""The allergies and active prescriptions beside the prescription form stay readable in a small
window (a 1024x640 screen): the panel keeps room for a drug and its sig on a few lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget
from test_prescription_form import ready_form
from ui_support import settle
from write_support import signed_in

from photon_desktop.ui.prescriptions.chart_panel import MIN_WIDTH

Run = Callable[..., Any]


def test_the_chart_beside_the_form_keeps_its_room_at_1024(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, _editor = await ready_form(conn, widgets, offset=5)
            form.resize(1024, 640)
            await settle(0.1)
            assert form.chart.width() >= MIN_WIDTH >= 260
            editor_side = form.edit_page.widget(0)
            assert editor_side.width() >= 600  # the form itself still has the room it needs

    arun(scenario(), timeout=60)
