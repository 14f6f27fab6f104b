"""The record pages at a narrow 1024x640 window against the sandbox, saved as screenshots
(``PHOTON_SHOTS_DIR`` picks the folder): the key column reads whole, long ids wrap, a list too
narrow for its states and dates scrolls sideways rather than cut them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from ui_support import SCREENSHOTS, Connection, next_emission, settle, until

from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.orders.list import OrdersPage
from photon_desktop.ui.prescriptions.list import PrescriptionsPage
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]
SHOTS = Path(os.environ.get("PHOTON_SHOTS_DIR", str(SCREENSHOTS)))


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


def test_record_pages_at_1024(arun: Run, sandbox: Any, widgets: list[QWidget]) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            window = MainWindow(conn.workspace)
            prescriptions = PrescriptionsPage(conn.workspace)
            orders = OrdersPage(conn.workspace)
            window.add_page("prescriptions", "Prescriptions", "prescriptions", prescriptions)
            window.add_page("orders", "Orders", "orders", orders)
            window.resize(1024, 640)
            window.show()
            widgets.append(window)
            await conn.as_m2m()
            await next_emission(window.patients_page_shown)
            await settle(0.2)
            table = window.patients.list.table
            header = table.horizontalHeader()
            # A name as long as "Michael Anderson" reads whole; the email gives way (not below
            # its header) and elides, its tooltip whole.
            needed = table.fontMetrics().horizontalAdvance("Michael Anderson") + 14
            assert header.sectionSize(0) >= needed
            email = header.fontMetrics().horizontalAdvance("Email") + 20
            assert header.sectionSize(4) >= email
            assert not table.horizontalScrollBar().isVisible()
            table.selectRow(0)
            await next_emission(window.patients.detail.loaded)
            await settle(0.2)
            shot(window, "narrow_patients")
            # The patient's id wraps inside the detail rather than run past its edge.
            photon_id = window.patients.detail.fields.values["Photon ID"]
            text = photon_id.document().documentLayout().documentSize()
            assert text.width() <= photon_id.viewport().width()
            assert text.height() <= photon_id.height()
            window.show_page("prescriptions")
            await until(
                lambda: prescriptions.list.model is not None and prescriptions.list.model.rowCount()
            )
            prescriptions.list.table.selectRow(0)
            await next_emission(prescriptions.detail.loaded)
            await settle(0.2)
            shot(window, "narrow_prescriptions")
            # Seven columns cannot all fit whole here: states and dates stay whole and the list
            # scrolls sideways (the treatment and the patient elide, whole in their tooltips).
            table = prescriptions.list.table
            metrics, model = table.fontMetrics(), table.model()
            for title in ("State", "Written", "Expires"):
                col = next(
                    c
                    for c in range(model.columnCount())
                    if model.headerData(c, Qt.Orientation.Horizontal) == title
                )
                texts = [str(model.index(r, col).data()) for r in range(model.rowCount())]
                widest = max(metrics.horizontalAdvance(t) for t in texts)
                assert table.columnWidth(col) >= widest, title
            window.show_page("orders")
            await until(lambda: orders.list.model is not None and orders.list.model.rowCount())
            orders.list.table.selectRow(0)
            await next_emission(orders.detail.loaded)
            await settle(0.2)
            shot(window, "narrow_orders")
        finally:
            await conn.aclose()

    arun(scenario())
