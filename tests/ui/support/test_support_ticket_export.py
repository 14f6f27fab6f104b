"""Export for a ticket against the running sandbox: the environment check runs in the background
with its step shown, the window keeps working meanwhile, and the bundle carries the check's report
(passing, or failed by code) next to the calls chosen when the export began; Cancel saves nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from auth_fakes import MemoryKeyring
from PySide6.QtWidgets import QWidget
from ui_support import (
    Connection,
    m2m_window,
    next_emission,
    save_screenshot,
    settle,
    signed_in,
    until,
)

from photon_desktop.auth.secret_store import m2m_secret_user, service_name
from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.support.page import SupportPage
from photon_desktop.ui.support.request_log import RequestLogView

Run = Callable[..., Any]
SLOW_TOKEN_MS = 3_000  # the check waits this long at its M2M step


def save_m2m_secret(keyring: MemoryKeyring, conn: Connection) -> None:
    user = m2m_secret_user(conn.sandbox.m2m_client_id)
    keyring.set_password(service_name(conn.environment.key), user, conn.sandbox.m2m_client_secret)


def request_log(conn: Connection, widgets: list[QWidget]) -> RequestLogView:
    view = RequestLogView(conn.workspace)
    view.resize(1000, 700)
    view.show()
    widgets.append(view)
    return view


def test_the_check_runs_in_the_background_and_lands_in_the_bundle(
    arun: Run, sandbox: Any, widgets: list[QWidget], tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            save_m2m_secret(memory_keyring, conn)
            view = request_log(conn, widgets)
            await conn.services.patients.search("a", first=3)
            chosen = view.model.rowCount()
            sandbox.set_faults(scope="token", latency_ms=SLOW_TOKEN_MS)
            path = tmp_path / "ticket.json"

            view.export_ticket(path)
            assert view.progress.isVisible() and not view.export_button.isEnabled()
            await until(lambda: "M2M token" in view.progress_text.text())
            # The window keeps working while the check waits for its token.
            await conn.services.patients.search(None, first=1)
            assert view.model.rowCount() > chosen and view.busy
            (bundle,) = await next_emission(view.exported, within=40)

            assert bundle is not None and not view.progress.isVisible()
            assert view.export_button.isEnabled()
            saved = json.loads(path.read_text(encoding="utf-8"))
            assert len(saved["calls"]) == chosen  # the calls chosen when the export began
            check = saved["check"]
            assert check["ok"] is True and list(check["steps"]) == ["discovery", "m2m", "api"]
            assert check["steps"]["discovery"]["details"]["issuer"] == sandbox.issuer
            assert check["steps"]["api"]["details"]["organization"]
            assert "read:patient" in check["steps"]["m2m"]["details"]["permissions"]
            text = path.read_text(encoding="utf-8")
            assert sandbox.m2m_client_secret not in text and "eyJ" not in text
            assert "and a passing environment check" in view.result.text()
            assert "Removed before export" in view.result.text()
            assert memory_keyring.entries == {  # read, nothing written
                (service_name(conn.environment.key), m2m_secret_user(sandbox.m2m_client_id)): (
                    sandbox.m2m_client_secret
                )
            }

    arun(scenario(), timeout=60)


def test_a_failing_check_is_recorded_by_code_and_cancel_saves_nothing(
    arun: Run, sandbox: Any, widgets: list[QWidget], tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            view = request_log(conn, widgets)
            await conn.services.patients.search(None, first=2)
            # No secret in the keyring: the check says so by code; nothing is asked for.
            view.export_ticket(tmp_path / "ticket.json")
            (bundle,) = await next_emission(view.exported, within=40)
            assert bundle is not None
            check = json.loads((tmp_path / "ticket.json").read_text())["check"]
            assert check["ok"] is False and check["steps"]["m2m"]["code"] == "configuration"
            assert check["steps"]["discovery"]["ok"] is True
            assert "environment check (failed at m2m: configuration)" in view.result.text()

            save_m2m_secret(memory_keyring, conn)
            sandbox.set_faults(scope="token", latency_ms=SLOW_TOKEN_MS)
            view.export_ticket(tmp_path / "cancelled.json")
            await until(lambda: "M2M token" in view.progress_text.text())
            emitted: list[object] = []
            view.exported.connect(emitted.append)
            view.cancel_button.click()
            assert emitted == [None]
            assert view.result.text() == "Ticket export cancelled; no file was saved."
            assert not view.progress.isVisible() and view.export_button.isEnabled()
            await settle(0.2)
            assert not (tmp_path / "cancelled.json").exists()

    arun(scenario(), timeout=60)


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")
def test_ticket_export_screenshots(
    arun: Run,
    sandbox: Any,
    widgets: list[QWidget],
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    theme: Theme,
) -> None:
    scheme = "dark" if theme.dark else "light"

    async def scenario() -> None:
        async with m2m_window(sandbox, widgets, theme) as (conn, window):
            save_m2m_secret(memory_keyring, conn)
            assert window.show_page("support")
            support = window.page("support")
            assert isinstance(support, SupportPage)
            view = support.request_log
            sandbox.fail_next({"kind": "status", "status": 503})
            await conn.services.orders.list(first=5)
            view.table.selectRow(0)
            sandbox.set_faults(scope="token", latency_ms=SLOW_TOKEN_MS)
            view.export_ticket(tmp_path / "photon-desktop-calls.json")
            await until(lambda: "M2M token" in view.progress_text.text())
            await settle()
            save_screenshot(window, f"support-ticket-export-progress-{scheme}")
            (bundle,) = await next_emission(view.exported, within=40)
            assert bundle is not None
            await settle()
            save_screenshot(window, f"support-ticket-export-saved-{scheme}")

    arun(scenario(), timeout=60)
