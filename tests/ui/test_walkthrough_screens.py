"""Every screen a clinic user walks through, at the default 1200x760 window, against the sandbox:
saved as screenshots (light and dark; ``PHOTON_SHOTS_DIR`` picks the folder) and checked for what
a user would notice — no horizontal scroll bar on the patient list, no cut headers or cells."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLineEdit, QTableView, QWidget
from ui_support import SCREENSHOTS, Connection, next_emission, settle, until

from photon_desktop.domain import NameInput, PatientInput, Sex
from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.orders.list import OrdersPage
from photon_desktop.ui.prescriptions.list import PrescriptionsPage
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]
SHOTS = Path(os.environ.get("PHOTON_SHOTS_DIR", str(SCREENSHOTS)))


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


def cut_headers(table: QTableView) -> list[str]:
    """Headers narrower than their text (a reader would see "reatmen")."""
    header = table.horizontalHeader()
    metrics = header.fontMetrics()
    model = table.model()
    cut = []
    for col in range(header.count()):
        if header.isSectionHidden(col):
            continue
        text = str(model.headerData(col, header.orientation()))
        if metrics.horizontalAdvance(text) + 12 > header.sectionSize(col):
            cut.append(text)
    return cut


def fills_its_width(table: QTableView) -> bool:
    """No blank band beside the columns while their text is cut."""
    header = table.horizontalHeader()
    used = sum(
        header.sectionSize(c) for c in range(header.count()) if not header.isSectionHidden(c)
    )
    return abs(used - table.viewport().width()) <= 2


def test_walkthrough_at_the_default_size(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any, theme: Theme
) -> None:
    scheme = "dark" if theme.dark else "light"

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            window = MainWindow(conn.workspace)
            theme.changed.connect(window.on_theme_changed)
            prescriptions = PrescriptionsPage(conn.workspace)
            orders = OrdersPage(conn.workspace)
            window.add_page("prescriptions", "Prescriptions", "prescriptions", prescriptions)
            window.add_page("orders", "Orders", "orders", orders)
            window.show()
            widgets.append(window)
            assert (window.width(), window.height()) == (1200, 760)
            await conn.as_m2m()
            await next_emission(window.patients_page_shown)
            await settle(0.2)
            shot(window, f"patients_{scheme}")
            patients = window.patients.list.table
            assert not patients.horizontalScrollBar().isVisible(), "the patient list scrolls"
            detail = window.patients.detail
            for row in range(30):
                patients.selectRow(row)
                await next_emission(detail.loaded)
                if detail.prescriptions_model.rowCount() and detail.orders_model.rowCount():
                    break
            await settle(0.2)
            shot(window, f"patient_detail_{scheme}")
            for table in (detail.prescriptions_table, detail.orders_table):
                assert cut_headers(table) == []
                assert fills_its_width(table)

            window.patients.new_patient()
            form = window.patients.form
            assert form is not None
            form.save_button.click()
            await settle(0.1)
            shot(form, f"patient_form_errors_{scheme}")
            for key, value in (
                ("first", "Ada\tMay"), ("last", "L" * 100), ("dob", "1850-01-01"),
                ("phone", "0123456789"), ("email", "adà@example.com"), ("street1", "1 Main"),
                ("zip", "٠٢١١٥"),
            ):  # fmt: skip
                editor = form.fields[key].editor
                assert isinstance(editor, QLineEdit)
                editor.setText(value)
            form.save_button.click()
            await settle(0.1)
            shot(form, f"patient_form_many_errors_{scheme}")
            form.cancel_tasks()
            form.done(0)

            # Names in other scripts and with emoji render as text, not boxes.
            assert QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
            assert "Noto Color Emoji" in QFontDatabase.families()
            created = await conn.services.patients.create(
                PatientInput(
                    name=NameInput("小明 🌟", "王" + "长" * 60),
                    date_of_birth=date(1990, 2, 3),
                    sex=Sex.MALE,
                    phone="+14155550123",
                    email="xiaoming.wang.with.a.rather.long.address@example.com",
                )
            )
            window.patients.list.set_search("小明")
            window.patients.list.select_when_loaded(created.id)
            await until(lambda: detail.record is not None and detail.record.id == created.id)
            await settle(0.2)
            shot(window, f"patient_cjk_emoji_long_{scheme}")
            assert window.width() == 1200
            assert detail.title.elided() and detail.title.toolTip() == created.name.full

            window.show_page("prescriptions")
            await until(
                lambda: prescriptions.list.model is not None and prescriptions.list.model.rowCount()
            )
            # The shared sandbox also holds prescriptions other tests wrote (no fills yet).
            model = prescriptions.list.model
            with_fills = next(rx for rx in model.items() if rx.fills_allowed > rx.fills_remaining)
            prescriptions.list.select_when_loaded(with_fills.id)
            await next_emission(prescriptions.detail.loaded)
            assert cut_headers(prescriptions.detail.fills_table) == []
            shot(window, f"prescriptions_{scheme}")
            assert fills_its_width(prescriptions.detail.fills_table)
            assert cut_headers(prescriptions.detail.fills_table) == []

            window.show_page("orders")
            await until(lambda: orders.list.model is not None and orders.list.model.rowCount())
            orders.list.table.selectRow(0)
            await next_emission(orders.detail.loaded)
            await settle(0.2)
            shot(window, f"orders_{scheme}")
            assert cut_headers(orders.detail.fills_table) == []
            assert fills_its_width(orders.detail.fills_table)
        finally:
            await conn.aclose()

    arun(scenario())
