"""Tab on the Prescriptions and Orders pages, built on their first visit as the app builds them:
from the navigation, the filters above the list, the list, then the detail, and back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from ui_support import m2m_window, settle, tab_walk, until

from photon_desktop.ui.common.records_page import RecordsPage
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.orders.list import OrdersPage
from photon_desktop.ui.prescriptions.list import PrescriptionsPage

Run = Callable[..., Any]


def round_trip(window: MainWindow, key: Qt.Key) -> list[QWidget]:
    """Tab (or Shift+Tab) from the navigation until it has the focus again."""
    walk = tab_walk(window.nav, 1, key)
    while walk[-1] is not window.nav:
        assert len(walk) < 40, walk
        walk += tab_walk(walk[-1], 1, key)[1:]
    return walk


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")
@pytest.mark.parametrize("key", ["prescriptions", "orders"])
def test_tab_from_the_navigation_reads_the_page_top_to_bottom_left_to_right(
    arun: Run, sandbox: Any, widgets: list[QWidget], key: str
) -> None:
    async def scenario() -> None:
        async with m2m_window(sandbox, widgets) as (conn, window):
            ws = conn.workspace
            window.add_lazy_page(
                "prescriptions", "Prescriptions", "prescriptions", lambda: PrescriptionsPage(ws)
            )
            window.add_lazy_page("orders", "Orders", "orders", lambda: OrdersPage(ws))
            window.show_page(key)  # built now, as a window of its own, then put in the stack
            page = window.page(key)
            assert isinstance(page, RecordsPage)
            await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
            page.list.table.selectRow(0)
            await until(lambda: page.detail.record is not None)
            await settle()
            window.activateWindow()
            window.nav.setFocus(Qt.FocusReason.TabFocusReason)
            await until(lambda: QApplication.focusWidget() is window.nav)

            filters = [page.state_combo, page.patient_edit]
            action = page.new_order if isinstance(page, OrdersPage) else page.prescribe.button
            if action.isVisible():
                filters.append(action)
            walk = round_trip(window, Qt.Key.Key_Tab)
            assert walk[: len(filters) + 2] == [window.nav, *filters, page.list.table]
            rest = walk[len(filters) + 2 : -1]
            assert rest and all(page.detail.isAncestorOf(w) for w in rest), rest
            actions = [w for w in rest if page.detail.header.isAncestorOf(w)]
            assert actions and rest[: len(actions)] == actions, rest  # then the contents
            assert round_trip(window, Qt.Key.Key_Backtab) == walk[::-1]

            # A patient picked elsewhere: its chip takes the name filter's place.
            page.set_patient("pat_somebody", "Somebody")
            window.nav.setFocus(Qt.FocusReason.TabFocusReason)
            chip = round_trip(window, Qt.Key.Key_Tab)
            assert chip[:3] == [window.nav, page.state_combo, page.patient_chip]

    arun(scenario(), timeout=60)
