"""The organization switcher on a real sign-in to the sandbox: shown by name to everyone, a
choice only for a person of several organizations, reachable from the keyboard, and a browser
sign-in that can be cancelled without changing anything. Screenshots in light and dark."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from ui_support import SCREENSHOTS, Connection, save_screenshot, settle, until

from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.organizations import switcher as organization_switcher
from photon_desktop.ui.organizations.switcher import OrganizationSwitcher
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]
SHOTS = Path(os.environ.get("ORGANIZATION_SHOTS", "/tmp/shots-orgs"))


def keep_shots(scheme: str) -> None:
    """A copy of the switcher's screenshots where they are looked at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for part in ("window", "toolbar", "menu"):
        name = f"organization-switcher-{part}-{scheme}.png"
        shutil.copy(SCREENSHOTS / name, SHOTS / name)


def window_with_switcher(
    widgets: list[QWidget], workspace: Workspace, open_url: Callable[[str], bool] | None = None
) -> tuple[MainWindow, OrganizationSwitcher]:
    window = MainWindow(workspace)
    if open_url is None:
        switcher = organization_switcher.install(window, workspace)
    else:
        switcher = organization_switcher.install(window, workspace, open_url=open_url)
    window.resize(1200, 760)
    window.show()
    widgets.append(window)
    return window, switcher


# The offscreen platform cannot raise a popup or grab the keyboard for it; it says so.
@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")
def test_a_person_of_two_practices_chooses_by_name_in_light_and_dark(
    arun: Run, sandbox: Any, widgets: list[QWidget], theme: Theme
) -> None:
    scheme = "dark" if theme.dark else "light"

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("prescriber")
            window, switcher = window_with_switcher(widgets, conn.workspace)
            combo = switcher.combo
            await until(lambda: combo.count() == 2)
            assert combo.isVisibleTo(window) and switcher.label.text() == "Organization:"
            assert [combo.itemText(i) for i in range(2)] == [
                "Sandbox Family Medicine",
                "Sandbox Pediatrics",
            ]
            assert combo.currentText() == "Sandbox Family Medicine"
            assert combo.accessibleName() == "Organization"
            assert switcher.menu.menuAction().isVisible()
            assert [a.text() for a in switcher.menu.actions() if a.isCheckable()] == [
                "Sandbox Family Medicine",
                "Sandbox Pediatrics",
            ]
            # The keyboard reaches it: Ctrl+Shift+G opens the list, in the tab order too.
            QTest.keySequence(window, organization_switcher.SHORTCUT)
            await until(lambda: combo.view().isVisible())
            assert combo.focusPolicy() & Qt.FocusPolicy.TabFocus
            combo.hidePopup()
            await settle(0.2)
            save_screenshot(window, f"organization-switcher-window-{scheme}")
            save_screenshot(window.toolbar, f"organization-switcher-toolbar-{scheme}")
            switcher.menu.popup(window.mapToGlobal(window.rect().center()))
            await settle(0.2)
            save_screenshot(switcher.menu, f"organization-switcher-menu-{scheme}")
            switcher.menu.hide()
            keep_shots(scheme)
        finally:
            await conn.aclose()

    arun(scenario())


def test_a_person_of_one_practice_sees_its_name_and_no_choice(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("staff")
            window, switcher = window_with_switcher(widgets, conn.workspace)
            await until(lambda: switcher.label.text() == "Organization: Sandbox Family Medicine")
            assert switcher.label.isVisibleTo(window)
            assert not switcher.combo.isVisibleTo(window)
            assert not switcher.menu.menuAction().isVisible()
            assert not switcher.choose_action.isEnabled()
            assert window.status.organization.text() == "Sandbox Family Medicine"
        finally:
            await conn.aclose()

    arun(scenario())


def test_cancelling_the_browser_sign_in_keeps_the_organization(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("prescriber")
            token = await conn.session.access_token()
            services = conn.workspace.services
            window, switcher = window_with_switcher(
                widgets,
                conn.workspace,
                open_url=lambda _url: False,  # no browser comes
            )
            await until(lambda: switcher.combo.count() == 2)
            first = conn.session.organization_id
            second = next(
                switcher.combo.itemData(i) for i in range(2) if switcher.combo.itemData(i) != first
            )
            task = switcher.switch_to(second)
            assert task is not None
            await until(lambda: switcher.cancel_button.isVisibleTo(window))
            await until(lambda: switcher.copy_button.isVisibleTo(window))
            assert not switcher.combo.isEnabled()
            await settle(0.1)
            save_screenshot(window.toolbar, "organization-switcher-waiting")
            SHOTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a local folder, once
            shutil.copy(SCREENSHOTS / "organization-switcher-waiting.png", SHOTS)
            switcher.copy_button.click()
            assert f"organization={second}" in QGuiApplication.clipboard().text()
            switcher.cancel_button.click()
            await until(lambda: not switcher.switching)
            assert conn.session.organization_id == first
            assert await conn.session.access_token() == token
            assert conn.workspace.services is services  # nothing was reloaded
            assert switcher.combo.currentData() == first and switcher.combo.isEnabled()
            assert not switcher.cancel_button.isVisibleTo(window)
            assert switcher.last_message == "Still working in Sandbox Family Medicine."
        finally:
            await conn.aclose()

    arun(scenario())
