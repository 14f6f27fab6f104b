"""The request log view against the running sandbox: calls appear live with status, retries and
error kind; the filter narrows them; the detail shows the query and redacted variables/answer; the
ticket export writes a redacted bundle and says what was removed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget
from ui_support import Connection, next_emission, signed_in

from photon_desktop.services import RequestLog
from photon_desktop.ui.support.request_log import COLUMNS, RequestLogModel, RequestLogView
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]


def cell(view: RequestLogView, row: int, title: str) -> str:
    return str(view.proxy.index(row, COLUMNS.index(title)).data())


def test_calls_appear_live_filter_and_show_redacted_detail(
    arun: Run, sandbox: Any, widgets: list[QWidget], tmp_path: Path, memory_keyring: Any
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            view = RequestLogView(conn.workspace)
            view.resize(1000, 700)
            view.show()
            widgets.append(view)
            before = view.model.rowCount()
            page = await conn.services.patients.search("a", first=3)
            assert page.items
            # One failed attempt then a success: two rows, the second a retry.
            sandbox.fail_next({"kind": "status", "status": 503})
            await conn.services.patients.search(None, first=2)
            assert view.model.rowCount() == before + 3
            last = view.proxy.rowCount() - 1
            assert cell(view, last, "Operation") == "SearchPatients"
            assert cell(view, last, "Status") == "200" and cell(view, last, "Retries") == "1"
            assert cell(view, last - 1, "Status") == "503"
            assert cell(view, last - 1, "Error") == "ServerError"

            view.failed_only.setChecked(True)
            assert view.proxy.rowCount() == 1 and cell(view, 0, "Status") == "503"
            view.failed_only.setChecked(False)
            view.filter.setText("no such operation")
            assert view.proxy.rowCount() == 0
            view.filter.setText("searchpatients")
            assert view.proxy.rowCount() >= 3

            # The first search's detail: its query, its name masked, the answer's names masked.
            row = view.proxy.rowCount() - 3
            view.table.selectRow(row)
            text = view.detail.toPlainText()
            assert "query SearchPatients" in text
            assert '"name": "***"' in text
            assert page.items[0].id in text  # ids stay readable for support
            assert page.items[0].name.last not in text
            assert page.items[0].date_of_birth.isoformat() not in text

            view.export_ticket(tmp_path / "calls.json")
            (bundle,) = await next_emission(view.exported, within=40)
            assert bundle is not None
            saved = json.loads((tmp_path / "calls.json").read_text())
            assert saved["app_version"] and saved["environment"] == conn.environment.name
            assert [c["operation"] for c in saved["calls"]] == ["SearchPatients"]
            assert saved["removed"]["answer values"] > 0
            assert "Removed before export" in view.result.text()
            assert "answer values" in view.result.text()

            # An export to a folder that does not exist says so and keeps going.
            view.export_ticket(tmp_path / "missing" / "x.json")
            assert await next_emission(view.exported, within=40) == (None,)
            assert view.result.text().startswith("Not saved")

    arun(scenario(), timeout=40)


def test_a_new_environment_shows_its_own_log(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        workspace = Workspace()
        view = RequestLogView(workspace)
        widgets.append(view)
        assert view.model.rowCount() == 0
        conn = Connection(sandbox, workspace)
        try:
            await conn.as_m2m()
            await conn.services.patients.search(None, first=1)
            assert view.model.rowCount() == len(conn.services.request_log.entries) >= 1
        finally:
            await conn.aclose()

    arun(scenario())


def test_the_table_keeps_as_many_calls_as_the_log(qapp: Any) -> None:
    log = RequestLog(capacity=3)
    model = RequestLogModel(capacity=log.capacity)
    unsubscribe = log.subscribe(model.append)
    for n in range(5):
        log.record(f"Op{n}", {}, status=200, duration_ms=1, size_bytes=1)
    unsubscribe()
    assert [e.operation for e in model.entries] == ["Op2", "Op3", "Op4"]
    assert [e.operation for e in log.entries] == ["Op2", "Op3", "Op4"]
