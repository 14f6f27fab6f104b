"""CSV export against a sandbox: 10,000 patients paged through the API with progress and a row
count; filters apply; nothing found still gives a CSV with its header; cancelling leaves no
file; the save dialog says CSVs are patient data; an export the token may not read is disabled
and says why."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget
from ui_support import next_emission, signed_in, until

from photon_desktop.auth.environments import LOCAL_SANDBOX
from photon_desktop.services import Services
from photon_desktop.ui.common import preferences, tasks
from photon_desktop.ui.support.export import PATIENT_DATA_NOTE, ExportView
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]


def make(conn: Any, widgets: list[QWidget]) -> ExportView:
    view = ExportView(conn.workspace)
    view.resize(700, 400)
    view.show()
    widgets.append(view)
    return view


def choose(view: ExportView, kind: str) -> None:
    view.kind.setCurrentIndex(view.kind.findData(kind))


def test_ten_thousand_patients_export_with_a_count(
    arun: Run, fresh_sandbox: Callable[..., Any], widgets: list[QWidget], tmp_path: Path
) -> None:
    big = fresh_sandbox(patients=10_000)

    async def scenario() -> None:
        async with signed_in(big) as conn:
            view = make(conn, widgets)
            path = tmp_path / "patients.csv"
            view.export(path)
            assert view.progress.isVisible() and view.cancel_button.isEnabled()
            (count,) = await next_emission(view.finished, within=120)
            assert count == 10_000
            assert view.result.text() == f"Exported 10,000 patients to {path}."
            with path.open(newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
            assert len(rows) == 10_000
            assert len({r["id"] for r in rows}) == 10_000
            assert {"name.first", "name.last", "date_of_birth", "phone"} <= set(rows[0])
            assert not view.progress.isVisible() and view.export_button.isEnabled()
            pages = [
                e for e in conn.services.request_log.entries if e.operation == "SearchPatients"
            ]
            assert len(pages) == 101  # 100 full pages, then the empty one that ends it

    arun(scenario(), timeout=150)


def test_filters_cancel_and_the_patient_data_warning(
    arun: Run, sandbox: Any, widgets: list[QWidget], tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            view = make(conn, widgets)
            dialog = view.choose_file()
            notes = [w.text() for w in dialog.findChildren(QLabel)]
            assert PATIENT_DATA_NOTE in notes
            assert "patient data" in dialog.windowTitle()
            dialog.reject()

            # Orders in one state only: the state the orders list is filtered by.
            state = (await conn.services.orders.list(first=1)).items[0].state.value
            preferences.list_state_filter("orders").set(state)
            choose(view, "orders")
            assert view.state.currentData() == state
            path = tmp_path / "orders.csv"
            view.export(path)
            (count,) = await next_emission(view.finished, within=30)
            with path.open(newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
            assert len(rows) == count > 0
            assert {r["state"] for r in rows} == {state}

            # A slow export cancelled: no file, and it says so.
            choose(view, "patients")
            sandbox.set_faults(latency_ms=300)
            path = tmp_path / "cancelled.csv"
            view.export(path)
            await until(lambda: view.progress.format() == "100 rows")  # mid-way: 200 patients
            assert (tmp_path / "cancelled.csv.part").exists()
            view.cancel_button.click()
            assert view.result.text() == "Export cancelled; no file was saved."
            await until(lambda: not tasks.running(view))
            assert not path.exists() and not list(tmp_path.glob("*.part"))  # noqa: ASYNC240
            assert view.export_button.isEnabled()

    arun(scenario(), timeout=60)


def test_a_name_that_matches_nobody_exports_the_header_alone(
    arun: Run, sandbox: Any, widgets: list[QWidget], tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            view = make(conn, widgets)
            for kind in ("patients", "prescriptions", "orders"):
                choose(view, kind)
                view.name.setText("Nobody Zzzqqq")
                path = tmp_path / f"{kind}.csv"
                view.export(path)
                assert await next_emission(view.finished, within=30) == (0,)
                assert view.result.text() == f"Exported 0 {kind} to {path}."
                with path.open(newline="", encoding="utf-8") as f:
                    reader = csv.DictReader(f)
                    assert list(reader) == []
                    assert reader.fieldnames is not None and "id" in reader.fieldnames

    arun(scenario(), timeout=60)


class NoOrders(QObject):
    """A session (one-layer fake) holding every read permission but read:order."""

    changed = Signal()

    def has(self, permission: str) -> bool:
        return permission != "read:order"

    def why_not(self, permission: str) -> str:
        return f"Your account does not have the {permission} permission."


def test_an_export_the_session_may_not_read_is_disabled_and_says_why(
    qapp: Any, widgets: list[QWidget]
) -> None:
    workspace = Workspace()
    session = NoOrders()
    http = httpx.AsyncClient()
    services = Services(http, "http://127.0.0.1:9/graphql", session)  # type: ignore[arg-type]
    workspace.set(LOCAL_SANDBOX, session, services)  # type: ignore[arg-type]
    view = ExportView(workspace)
    widgets.append(view)
    choose(view, "patients")
    assert view.export_button.isEnabled()
    choose(view, "orders")
    assert not view.export_button.isEnabled()
    assert view.export_button.toolTip() == "Your account does not have the read:order permission."
