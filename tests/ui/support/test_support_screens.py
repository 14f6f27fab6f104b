"""Screenshots of each support tool in light and dark, in the main window against the sandbox
(saved under artifacts/screenshots/ and checked non-blank)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget
from ui_support import m2m_window, save_screenshot, screenshot, settle, until

from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.support.page import SupportPage

Run = Callable[..., Any]


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")
def test_support_screenshots(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any, theme: Theme
) -> None:
    scheme = "dark" if theme.dark else "light"

    async def scenario() -> None:
        async with m2m_window(sandbox, widgets, theme) as (conn, window):
            assert window.show_page("support")
            support = window.page("support")
            assert isinstance(support, SupportPage)
            await conn.services.patients.get(window.patients.list.model.item(0).id)  # type: ignore[union-attr]
            sandbox.fail_next({"kind": "status", "status": 503})
            await conn.services.orders.list(first=5)
            log = support.request_log
            log.table.selectRow(1)
            await settle()
            save_screenshot(window, f"support-request-log-{scheme}")

            console = support.console
            support.tabs.setCurrentWidget(console)
            console.editor.setPlainText(
                "query Recent($name: String) {\n  patients(filter: {name: $name}, first: 3) {\n"
                "    id\n    name { full }\n    dateOfBirth\n  }\n}\n"
            )
            console.variables.setPlainText(json.dumps({"name": "a"}))
            console.run()
            await until(lambda: console.status.text() == "Done.")
            console.editor.setPlainText(
                "query {\n  orders(first: 2) {\n    id\n    stat\n    nope\n  }\n}\n"
            )
            console.check()
            cursor = console.editor.textCursor()
            cursor.setPosition(console.editor.toPlainText().index("stat") + 4)
            console.editor.setTextCursor(cursor)
            console.editor.setFocus()
            console.editor.complete()
            await settle(0.2)
            save_screenshot(window, f"support-console-{scheme}")
            popup = console.editor.completer.popup()
            assert popup is not None and popup.isVisible()
            assert popup.model().index(0, 0).data() == "state"
            screenshot(popup, f"support-console-completion-{scheme}")
            popup.hide()

            export = support.export
            support.tabs.setCurrentWidget(export)
            export.kind.setCurrentIndex(export.kind.findData("prescriptions"))
            export.name.setText("smith")
            export.progress.setVisible(True)
            export.progress.setFormat("1,200 rows")
            export.progress.setTextVisible(True)
            export.result.setText("Exported 1,200 prescriptions to /home/clinic/prescriptions.csv.")
            await settle()
            save_screenshot(window, f"support-export-{scheme}")
            export.progress.setVisible(False)
            dialog = export.choose_file()
            dialog.resize(900, 560)
            await settle(0.2)
            save_screenshot(dialog, f"support-export-dialog-{scheme}")
            dialog.reject()
            console.editor.moveCursor(QTextCursor.MoveOperation.End)

    arun(scenario(), timeout=60)
