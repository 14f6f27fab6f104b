"""Help → "Open log folder" and "Copy diagnostic summary" after real use of the app by a
signed-in prescriber (real tokens, a refresh token, patients read, a failing call): the summary
says what support needs and holds no token, secret or patient detail."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Callable
from pathlib import Path
from typing import Any

import PySide6
import pytest
from PySide6.QtCore import QObject, QUrl, Slot, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QWidget
from support_screens import SHOTS
from ui_support import Connection, next_emission, settle, until

from photon_desktop import __version__, logs
from photon_desktop.errors import ServerError
from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]
IGNORE = ("propagateSizeHints", "does not support raise", "grabbing the keyboard")


@pytest.fixture
def log_dir(tmp_path: Path, root_logging: logging.Logger) -> Path:
    """The app's logging set up as at start-up, in a temporary folder; undone afterwards."""
    folder = tmp_path / "logs"
    logs.configure(folder)
    return folder


class Opened(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.mark.qt_log_ignore(*IGNORE)
def test_summary_after_real_use_holds_no_secret_or_patient_detail(
    arun: Run, sandbox: Any, widgets: list[QWidget], log_dir: Path
) -> None:
    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            window = MainWindow(conn.workspace)
            widgets.append(window)
            await conn.as_user("prescriber")
            window.show()
            await next_emission(window.patients.first_page_loaded, within=20)
            services = conn.services
            seen = (await services.patients.search(None, first=25)).items
            detail = await services.patients.get(seen[0].id)
            sandbox.fail_next(*[{"kind": "status", "status": 500}] * 3)
            with pytest.raises(ServerError):
                await services.orders.list(first=5)
            token = conn.session.current_access_token()
            stored = list(conn.session._store.backend.entries.values())  # type: ignore[union-attr]
            assert token and stored
            # A careless message (as a library might log it) still reaches no one whole.
            logging.getLogger("photon_desktop.probe").error(
                "renewal failed: refresh_token=%s with Bearer %s", stored[0], token
            )

            titles = [a.text() for a in window.help_menu.actions()]
            assert titles == ["Open &log folder", "Copy &diagnostic summary"]
            window.diagnostics.copy_summary_action.trigger()
            text = QGuiApplication.clipboard().text()
            assert f"App version: {__version__}" in text
            assert f"Qt: {qVersion()}" in text and f"PySide6: {PySide6.__version__}" in text
            assert "Environment: Local sandbox (local)" in text
            assert "Sign-in: user (browser sign-in)" in text
            assert "Refresh token held: yes" in text
            assert "Keyring backend: MemoryKeyring" in text
            assert f"Log folder: {log_dir}" in text
            assert "renewal failed: refresh_token=*** with Bearer ***" in text
            assert "ListOrders attempt 3: HTTP 500 ServerError" in text
            for secret in (token, *stored, sandbox.m2m_client_secret):
                assert secret not in text
            for patient in (*seen, detail):
                for part in (patient.name.first, patient.name.last, patient.id):
                    assert part not in text, part
            assert str(detail.date_of_birth) not in text
            assert "copied" in window.statusBar().currentMessage()

            window.diagnostics.open_folder_action.trigger()
            await until(lambda: opened.urls)
            assert Path(opened.urls[0].toLocalFile()) == log_dir
            assert (log_dir / logs.LOG_FILE).exists()
        finally:
            QDesktopServices.unsetUrlHandler("file")
            QGuiApplication.clipboard().clear()
            await conn.aclose()

    arun(scenario())


@pytest.mark.qt_log_ignore(*IGNORE)
def test_help_menu_screenshots(
    arun: Run, sandbox: Any, widgets: list[QWidget], theme: Theme, log_dir: Path
) -> None:
    scheme = "dark" if theme.dark else "light"
    SHOTS.mkdir(parents=True, exist_ok=True)

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            window = MainWindow(conn.workspace)
            widgets.append(window)
            await conn.as_m2m()
            window.resize(1100, 700)
            window.show()
            assert window.show_page("support")
            window.diagnostics.copy_summary()
            assert "copied" in window.statusBar().currentMessage()
            await settle()
            assert window.grab().save(str(SHOTS / f"help-status-{scheme}.png"))
            menu = window.help_menu
            menu.popup(window.mapToGlobal(window.rect().center()))
            await until(menu.isVisible)
            assert menu.grab().save(str(SHOTS / f"help-menu-{scheme}.png"))
            menu.close()
        finally:
            await conn.aclose()

    arun(scenario())
