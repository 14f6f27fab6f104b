"""The prescribing screens at the main window's default size (1200 x 760) in the app's light and
dark themes: the form, the review step, the new-order window and the worklist. Saved under
/tmp/shots-rx2; the fill list's unticked boxes must stand out from the list behind them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QListWidget, QWidget

sys.path.append(str(Path(__file__).resolve().parents[1] / "worklist"))
sys.path.append(str(Path(__file__).resolve().parents[2] / "services"))

from order_support import patient_with_new_rx
from test_prescription_form import choose, fill, ready_form
from ui_support import save_screenshot, settle, until
from watch_fakes import FakeTime
from watch_support import fake_time_watch
from write_support import signed_in

from photon_desktop.services.worklist import Attention
from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.orders.launch import open_new_order
from photon_desktop.ui.orders.new_order import NewOrderWindow
from photon_desktop.ui.worklist.actions import connect_actions
from photon_desktop.ui.worklist.page import WorklistPage

Run = Callable[..., Any]
SHOTS = Path("/tmp/shots-rx2")
SIZE = (1200, 760)


def save(widget: QWidget, name: str) -> None:
    widget.resize(*SIZE)
    image = save_screenshot(widget, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(str(SHOTS / f"{name}.png"))


def indicator_contrast(view: QListWidget, row: int) -> int:
    """How far the check box area at the start of ``row`` stands out from the list's base."""
    rect = view.visualItemRect(view.item(row))
    image = view.viewport().grab(QRect(rect.left(), rect.top(), 24, rect.height())).toImage()
    base = view.palette().color(QPalette.ColorRole.Base).lightness()
    return max(
        abs(QColor(image.pixel(x, y)).lightness() - base)
        for x in range(image.width())
        for y in range(image.height())
    )


def test_prescribing_screens(arun: Run, sandbox: Any, widgets: list[QWidget], theme: Theme) -> None:
    scheme = "dark" if theme.dark else "light"

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn, AsyncExitStack() as stack:
            form, editor = await ready_form(conn, widgets, offset=3)
            form.resize(*SIZE)
            await choose(editor, "atorva")
            fill(editor)
            await settle(0.1)
            save(form, f"rx-form-{scheme}")
            assert form.review()
            await settle(0.1)
            save(form, f"rx-review-{scheme}")
            form.close()

            patient, first = await patient_with_new_rx(conn, offset=12)
            await patient_with_new_rx(conn, offset=12, drug="amlodipine")  # one left unticked
            window = open_new_order(conn.workspace, patient.id, [first.id])
            assert isinstance(window, NewOrderWindow)
            widgets.append(window)
            window.resize(*SIZE)
            await until(lambda: window.picker is not None and window.fills.count() >= 2)
            window.pickup_radio.setChecked(True)
            await settle(0.3)
            save(window, f"order-new-{scheme}")
            fills = window.fills
            unticked = [
                r for r in range(fills.count())
                if fills.item(r).checkState() == Qt.CheckState.Unchecked
            ]  # fmt: skip
            assert unticked and all(indicator_contrast(fills, r) >= 60 for r in unticked)
            window.close()

            watch = fake_time_watch(conn.workspace, FakeTime())
            stack.callback(watch.stop)
            page = WorklistPage(conn.workspace, watch)
            connect_actions(page, watch, page)
            widgets.append(page)
            page.resize(*SIZE)
            page.show()
            expiring = Attention.EXPIRING
            await until(lambda: any(i.kind is expiring for i in page.items), 20)
            page.table.selectRow(0)
            assert page.reroute_button.isVisible() and page.reroute_button.isEnabled()
            await settle(0.1)
            save(page, f"worklist-{scheme}")
            metrics = page.table.fontMetrics()
            widest = max(metrics.horizontalAdvance(i.reason) for i in page.items)
            assert page.table.columnWidth(2) >= widest  # what to do is never cut short

    arun(scenario(), timeout=90)
