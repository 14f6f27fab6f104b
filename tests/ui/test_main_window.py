"""The main window against the running sandbox: pages and shortcuts, production marking, the
status bar, permission gating that follows the session live, and state remembered across starts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QWidget,
)
from ui_support import Connection, next_emission, until

from photon_desktop.auth.environments import EnvironmentKind
from photon_desktop.services import Services
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.states import State
from photon_desktop.ui.main_window import PRODUCTION_BANNER, MainWindow
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]


class Page(QLabel):
    """A stand-in for a page the composition root adds (it counts refreshes)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.refreshes = 0
        self.cancelled = False

    def refresh(self) -> None:
        self.refreshes += 1

    def can_refresh(self) -> bool:
        return True

    def focus_search(self) -> bool:
        return False  # no search here: Ctrl+F goes to the patient search

    def refresh_icons(self) -> None:
        pass

    def cancel_tasks(self) -> None:
        self.cancelled = True


def make_window(widgets: list[QWidget], workspace: Workspace) -> MainWindow:
    window = MainWindow(workspace)
    window.patients.list.page_size = 25
    for key, title, icon in (
        ("prescriptions", "Prescriptions", "prescriptions"),
        ("orders", "Orders", "orders"),
        ("settings", "Settings", "settings"),
        ("sign-in", "Sign in", "sign-in"),
    ):
        window.add_page(key, title, icon, Page(title))
    window.show()
    widgets.append(window)
    return window


def test_pages_shortcuts_and_first_page_signal(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any, qapp: QApplication
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            window = make_window(widgets, conn.workspace)
            assert "Not connected" in window.patients.list.state.label.text()
            await conn.as_m2m()
            await next_emission(window.patients_page_shown)
            assert window.current_key == "patients"
            assert window.windowTitle() == "Patients — Local sandbox — Photon Desktop"
            assert not window.banner.isVisible()
            assert window.status.identity.text() == "M2M (backend)"
            assert window.status.environment.text() == "Local sandbox"
            assert window.status.expiry.text().startswith("Token: ")
            assert window.sign_in_label.text() == "Signed in: M2M (backend)"
            await until(lambda: window.status.connection.text() == "● Online")
            # A message over the bar (a switch says "Now working in …") keeps the labels it
            # covers hidden while a session change refreshes them; they come back after it.
            bar = window.status
            bar.showMessage("Connecting…")
            assert not bar.identity.isVisible()
            conn.workspace.session_changed.emit()
            assert not bar.identity.isVisible() and not bar.organization.isVisible()
            bar.clearMessage()
            assert bar.identity.isVisible() and bar.identity.text() == "M2M (backend)"

            QTest.keySequence(window, "Ctrl+,")
            assert window.current_key == "settings"
            QTest.keySequence(window, "F5")
            settings_page = window.page("settings")
            assert isinstance(settings_page, Page) and settings_page.refreshes == 1
            QTest.keySequence(window, "Ctrl+F")  # from any page: back to the patient search
            assert window.current_key == "patients"
            assert window.patients.list.search.hasFocus()
            # Tab leaves the list for the detail, and Shift+Tab goes back to the search: a
            # read-only table is one stop, its rows reached with the arrow keys.
            table = window.patients.list.table
            table.selectRow(0)
            await until(lambda: window.patients.detail.edit_button.isVisible())
            window.activateWindow()
            table.setFocus(Qt.FocusReason.TabFocusReason)
            await until(lambda: qapp.focusWidget() is table)
            QTest.keyClick(table, Qt.Key.Key_Tab)
            assert qapp.focusWidget() is not table
            assert window.patients.detail.isAncestorOf(qapp.focusWidget())
            table.setFocus(Qt.FocusReason.TabFocusReason)
            QTest.keyClick(table, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
            assert qapp.focusWidget() is not table
            QTest.keySequence(window, "Ctrl+N")
            form = window.patients.form
            assert form is not None and form.isVisible()
            QTest.keyClick(form, Qt.Key.Key_Escape)
            assert not form.isVisible()

            window.nav.setCurrentRow(2)
            assert window.current_key == "orders"
            assert window.windowTitle().startswith("Orders — ")
        finally:
            await conn.aclose()

    arun(scenario())


def test_production_is_unmistakable(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        # The sandbox's endpoints under the production kind: what a production connection shows.
        conn.environment = replace(
            conn.environment, kind=EnvironmentKind.PRODUCTION, name="Photon Production"
        )
        try:
            window = make_window(widgets, conn.workspace)
            await conn.as_m2m()
            assert window.banner.isVisible() and window.banner.text() == PRODUCTION_BANNER
            assert window.windowTitle().startswith("[PRODUCTION] ")
            assert window.status.environment.text() == "⚠ Photon Production"
            assert "B3261E" in window.environment_label.styleSheet().upper()
        finally:
            await conn.aclose()

    arun(scenario())


def test_permission_gating_follows_the_session_without_restart(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            window = make_window(widgets, conn.workspace)
            patients = window.patients
            await conn.as_m2m()
            await next_emission(window.patients_page_shown)
            patients.list.table.selectRow(0)
            await next_emission(patients.detail.loaded)
            assert window.new_patient_action.isEnabled() and patients.new_button.isEnabled()
            assert patients.detail.edit_button.isEnabled()
            assert not patients.detail.remove_allergy_button.parentWidget().isHidden()

            await conn.as_user("support")  # read-only: writing patients goes away
            assert conn.session.identity and "support" in conn.session.identity.lower()
            assert window.sign_in_label.text() == f"Signed in: {conn.session.identity}"
            assert window.status.identity.text() == conn.session.identity
            assert not window.new_patient_action.isEnabled()
            assert not patients.new_button.isEnabled()
            assert "Ask your Photon administrator" in patients.new_button.toolTip()
            assert not patients.detail.edit_button.isEnabled()
            assert patients.detail.remove_allergy_button.parentWidget().isHidden()
            QTest.keySequence(window, "Ctrl+N")
            assert patients.form is None  # the shortcut does nothing without write:patient
            await until(lambda: patients.list.table.model().rowCount() > 0)  # may still read

            await conn.as_user("staff")  # staff may write patients again
            assert window.new_patient_action.isEnabled() and patients.new_button.isEnabled()
            assert patients.detail.edit_button.isEnabled()
            assert not patients.detail.remove_allergy_button.parentWidget().isHidden()
        finally:
            await conn.aclose()

    arun(scenario(), timeout=40)


def test_window_state_is_remembered_and_close_cancels_work(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any, qapp: QApplication
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            window = make_window(widgets, conn.workspace)
            await next_emission(window.patients_page_shown)
            window.resize(790, 500)  # inside the 800x600 offscreen screen
            window.show_page("orders")
            window.splitter.setSizes([230, 770])
            window.patients.splitter.setSizes([260, 540])  # far from the default 3:2 split
            window.patients.splitter.splitterMoved.emit(260, 1)
            list_width = window.patients.splitter.sizes()[0]
            nav_width = window.splitter.sizes()[0]
            size = (window.width(), window.height())
            assert size[1] == 500
            window.patients.list.set_search("a")  # work in flight when the window closes
            qapp.setQuitOnLastWindowClosed(False)  # as the app runs (stack guide §1)
            window.close()
            assert all(p.cancelled for p in (window.page("orders"), window.page("settings")))
            await asyncio.sleep(0)
            assert not tasks.running(window.patients.list.model)
            assert QSettings().value("window/page") == "orders"

            again = make_window(widgets, conn.workspace)
            await asyncio.sleep(0)
            assert again.current_key == "orders"
            assert (again.width(), again.height()) == size
            assert again.splitter.sizes()[0] == nav_width
            again.show_page("patients")
            await asyncio.sleep(0.05)
            # Restored before the page is laid out, so within a few pixels of where it was left.
            assert abs(again.patients.splitter.sizes()[0] - list_width) < 30
        finally:
            await conn.aclose()  # the widgets fixture restores quitOnLastWindowClosed

    arun(scenario())


def unnamed_controls(root: QWidget) -> list[str]:
    """Visible controls a screen reader would announce without a name."""
    kinds = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QProgressBar)
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, kinds) or not widget.isVisible():
            continue
        if widget.objectName().startswith(("qt_", "_q_")) or isinstance(widget, QHeaderView):
            continue  # Qt's own parts (scroll area corners, header views, clear buttons)
        if isinstance(widget.parent(), (QComboBox, QAbstractItemView, QLineEdit)):
            continue  # their internal parts (popup views, the line edit's icon buttons)
        if not widget.accessibleName():
            missing.append(
                f"{type(widget).__name__} {widget.objectName()!r} "
                f"{getattr(widget, 'text', lambda: '')()!r}"
            )
    return missing


def test_every_control_has_an_accessible_name(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            window = make_window(widgets, conn.workspace)
            await conn.as_m2m()
            await next_emission(window.patients_page_shown)
            window.patients.list.table.selectRow(0)
            await next_emission(window.patients.detail.loaded)
            missing = unnamed_controls(window)
            assert missing == [], "\n".join(missing)
            window.patients.new_patient()
            assert window.patients.form is not None
            assert unnamed_controls(window.patients.form) == []
            window.patients.form.reject()
        finally:
            await conn.aclose()

    arun(scenario())


def test_offline_shows_in_the_status_bar_and_the_list_offers_retry(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.session.use_m2m(
                sandbox.m2m_client_id, sandbox.m2m_client_secret, remember=False
            )
            # Photon's API unreachable (nothing listens on port 9), sign-in still fine.
            conn.services = Services(conn.http, "http://127.0.0.1:9/graphql", conn.session)
            conn.workspace.set(conn.environment, conn.session, conn.services)
            window = make_window(widgets, conn.workspace)
            state = window.patients.list.state
            await until(lambda: state.state is State.ERROR, within=20)
            assert "could not be reached" in state.label.text().lower()
            assert state.button.text() == "Retry"
            assert window.status.connection.text() == "● Offline"
            # Every request gives up (the organization's name is read too): the spinner stops.
            await until(lambda: not window.status.busy.isVisible(), within=20)
        finally:
            await conn.aclose()

    arun(scenario(), timeout=40)


def test_a_long_status_notice_ends_in_an_ellipsis_and_keeps_its_detail(
    widgets: list[QWidget], ui_settings: Any
) -> None:
    """In a narrow window the no-keyring notice is longer than its room: it ends in "…" (it was
    cut mid-word before), the tooltip and accessible description keep the whole explanation."""
    window = make_window(widgets, Workspace())
    window.resize(700, 500)
    text = (
        "No secure keyring on this computer: enter the client secret again in Settings, "
        "or sign in with Photon, and it will be kept for this session only."
    )
    detail = text + " Install a Secret Service (GNOME Keyring, KWallet) to keep it."
    window.status.set_notice(text, detail)
    QApplication.processEvents()
    notice = window.status.notice
    assert notice.text() == "⚠ " + text and notice.elided()
    shown = notice.grab()  # painted: the elided line, not the whole text
    assert not shown.isNull()
    metrics = notice.fontMetrics()
    drawn = metrics.elidedText(notice.text(), Qt.TextElideMode.ElideRight, notice.width())
    assert drawn.endswith("…") and drawn != notice.text()
    assert notice.toolTip() == detail and notice.accessibleDescription() == detail
    window.status.set_notice("")
    assert not notice.isVisible()


def test_a_page_whose_build_failed_is_built_on_the_next_visit(widgets: list[QWidget]) -> None:
    """A lazy page's builder is dropped only once it has built the page: one that raised left a
    blank page for the rest of the session."""
    window = MainWindow(Workspace())
    widgets.append(window)
    attempts: list[int] = []

    def build() -> QWidget:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("not yet")
        return Page("Catalog")

    window.add_lazy_page("catalog", "Catalog", "catalog", build)
    try:
        window.page("catalog")
    except RuntimeError:
        pass
    else:
        raise AssertionError("the first build was to fail")
    page = window.page("catalog")
    assert isinstance(page, Page) and window.page("catalog") is page and len(attempts) == 2
