"""The bundled sandbox dies under the app (its REAL child process is killed): the app says so at
once everywhere, refuses to wait on it, and "Restart the local sandbox" brings it back."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any

import pytest
from app_support import sign_in_window, signed_out_on_the_bundled_sandbox
from auth_fakes import MemoryKeyring
from ui_support import until

from photon_desktop.auth.session import TokenKind
from photon_desktop.desktop import Desktop, SessionPage, build_window
from photon_desktop.ui.settings.pane import SettingsPane
from photon_desktop.ui.status import OutageBar

Run = Callable[..., Any]


def _kill_child(desktop: Desktop) -> None:
    assert desktop.sandbox is not None and desktop.sandbox.pid is not None
    os.kill(desktop.sandbox.pid, signal.SIGKILL)


def test_a_killed_sandbox_is_said_everywhere_and_restart_reconnects(
    isolated: MemoryKeyring, arun: Run, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        desktop = Desktop(demo_patients=30)
        window = build_window(desktop)
        try:
            await desktop.connect_demo()
            window.show()
            window.show_page("patients")
            old_url = desktop.workspace.environment.graphql_url
            bar = window.findChild(OutageBar)
            assert bar is not None and not bar.isVisible()

            _kill_child(desktop)
            await until(lambda: desktop.workspace.unavailable, within=10)
            assert "stopped: another program ended it." in desktop.workspace.unavailable
            assert "local sandbox stopped (stopped by SIGKILL)" in caplog.text  # for support
            assert bar.isVisible() and "has stopped" in bar.message.text()
            assert window.status.connection.text() == "● Stopped"
            settings = window.page("settings")
            assert isinstance(settings, SettingsPane)
            settings.environment_combo.setCurrentIndex(settings.environment_combo.findData("local"))
            assert "has stopped" in settings.endpoints_label.text()
            assert "is running at" not in settings.endpoints_label.text()
            page = window.page("sign-in")
            assert isinstance(page, SessionPage) and page.sign_in is not None
            page.sign_in.start()
            assert not page.sign_in.waiting
            assert "has stopped" in page.sign_in.error.text()
            window.grab().save("/tmp/shots-shell/sandbox-stopped.png")

            bar.restart_button.click()
            await until(lambda: not desktop.workspace.unavailable, within=60)
            await until(lambda: desktop.workspace.session.signed_in, within=30)
            assert desktop.workspace.session.kind is TokenKind.M2M
            assert desktop.workspace.environment.graphql_url != old_url
            assert not bar.isVisible()
            assert "is running at" in settings.endpoints_label.text()
            await until(lambda: window.patients.list.proxy.rowCount() > 0, within=30)
        finally:
            window.close()
            await desktop.aclose()

    arun(scenario(), timeout=120)


@pytest.mark.qt_log_ignore("propagateSizeHints", "openUrl")
def test_a_waiting_sign_in_ends_when_the_sandbox_dies(isolated: MemoryKeyring, arun: Run) -> None:
    async def scenario() -> None:
        async with signed_out_on_the_bundled_sandbox() as (desktop, window):
            window.show_page("sign-in")
            sign_in = sign_in_window(window)
            sign_in.start()
            await until(lambda: sign_in.link, within=15)
            assert sign_in.waiting

            _kill_child(desktop)
            await until(lambda: not sign_in.waiting, within=10)
            assert "has stopped" in sign_in.error.text()

    arun(scenario(), timeout=90)


def test_save_and_connect_restarts_a_stopped_sandbox_without_asking_for_a_secret(
    isolated: MemoryKeyring, arun: Run
) -> None:
    async def scenario() -> None:
        desktop = Desktop(demo_patients=10)
        window = build_window(desktop)
        try:
            await desktop.connect_demo()
            window.show()
            _kill_child(desktop)
            await until(lambda: desktop.workspace.unavailable, within=10)
            settings = window.page("settings")
            assert isinstance(settings, SettingsPane)
            window.show_page("settings")
            settings.environment_combo.setCurrentIndex(settings.environment_combo.findData("local"))
            settings.connect_button.click()
            await until(lambda: not desktop.workspace.unavailable, within=60)
            await until(lambda: desktop.workspace.session.signed_in, within=30)
            assert desktop.sandbox is not None and desktop.sandbox.running
        finally:
            window.close()
            await desktop.aclose()

    arun(scenario(), timeout=120)
