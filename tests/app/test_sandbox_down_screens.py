"""Every screen follows the bundled sandbox: its REAL child process is killed under the running
app, and each list, detail, the worklist, Refresh, the status bar, the toolbar's account, the
Sign-in page and Settings say it stopped (nothing keeps "Loading…", blames the network or still
says "Signed in"). "Restart the local sandbox" then brings every one of them back with data.
Screenshots of the patients page with the sandbox stopped and of the worklist the app lands on
afterwards, in light and dark, go to /tmp/shots-shell3."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app_support import on_the_bundled_sandbox, sign_in_window
from auth_fakes import MemoryKeyring
from PySide6.QtWidgets import QWidget
from ui_support import settle, until

from photon_desktop.ui.catalog.page import CatalogPage
from photon_desktop.ui.common.paged_list import PagedList
from photon_desktop.ui.common.record_detail import RecordDetail
from photon_desktop.ui.common.states import RESTART_LABEL, State
from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.orders.list import OrdersPage
from photon_desktop.ui.prescriptions.list import PrescriptionsPage
from photon_desktop.ui.settings.pane import SettingsPane
from photon_desktop.ui.status import OutageBar
from photon_desktop.ui.templates.page import TemplatesPage
from photon_desktop.ui.worklist.page import WorklistPage

Run = Callable[..., Any]
SHOTS = Path("/tmp/shots-shell3")
NETWORK_ADVICE = "network"


def _page(window: MainWindow, key: str, kind: type[QWidget]) -> Any:
    page = window.page(key)
    assert isinstance(page, kind)
    return page


def _stopped(widget: PagedList[Any] | RecordDetail[Any], what: str) -> None:
    state = widget.state
    assert widget.stack.currentWidget() is state, what
    assert state.state is State.STOPPED, what
    text = state.label.text()
    assert text.startswith("The local sandbox stopped"), text
    assert RESTART_LABEL in text and NETWORK_ADVICE not in text.lower()
    assert not state.progress.isVisible() and not state.button.isVisible()


async def _shoot(window: MainWindow, name: str) -> None:
    for scheme in ("light", "dark"):
        window.set_theme(scheme)
        await settle(0.2)  # the new palette reaches every widget through posted events
        image = window.grab().toImage()
        assert image.save(str(SHOTS / f"{name}-{scheme}.png"))
        dark = image.pixelColor(image.width() // 2, image.height() - 60).lightness() < 128
        assert dark == (scheme == "dark"), scheme
    window.set_theme("system")
    await settle(0.2)


def test_every_screen_says_the_sandbox_stopped_and_comes_back_after_restart(
    isolated: MemoryKeyring, arun: Run, theme: Theme
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)

    async def scenario() -> None:
        async with on_the_bundled_sandbox(patients=40) as (desktop, window):
            theme.changed.connect(window.on_theme_changed)
            workspace = desktop.workspace
            patients = window.patients
            prescriptions = _page(window, "prescriptions", PrescriptionsPage)
            orders = _page(window, "orders", OrdersPage)
            worklist = _page(window, "worklist", WorklistPage)
            catalog = _page(window, "catalog", CatalogPage)
            templates = _page(window, "templates", TemplatesPage)
            settings = _page(window, "settings", SettingsPane)
            bar = window.findChild(OutageBar)
            assert bar is not None
            await until(lambda: patients.list.proxy.rowCount() > 0, within=30)
            await until(lambda: prescriptions.list.proxy.rowCount() > 0, within=30)
            await until(lambda: orders.list.proxy.rowCount() > 0, within=30)
            await until(lambda: window.current_key == "worklist", within=30)  # signed in, idle
            window.show_page("patients")
            assert patients.list.model is not None
            patients.open(patients.list.model.item(0).id)
            await until(lambda: patients.detail.record is not None, within=20)
            prescriptions.open(prescriptions.list.model.item(0).id)  # type: ignore[union-attr]
            orders.open(orders.list.model.item(0).id)  # type: ignore[union-attr]
            await until(lambda: prescriptions.detail.record and orders.detail.record, within=20)
            assert window.refresh_action.isEnabled()
            assert window.sign_in_label.text() == "Signed in: M2M (backend)"
            session = workspace.session

            assert desktop.sandbox is not None and desktop.sandbox.pid is not None
            os.kill(desktop.sandbox.pid, signal.SIGKILL)
            await until(lambda: workspace.unavailable, within=10)

            # Lists and details: one "stopped" state pointing at the bar's button.
            _stopped(patients.list, "patient list")
            _stopped(patients.detail, "patient detail")
            _stopped(prescriptions.list, "prescription list")
            _stopped(prescriptions.detail, "prescription detail")
            _stopped(orders.list, "order list")
            _stopped(orders.detail, "order detail")
            assert worklist.stack.currentWidget() is worklist.state
            assert worklist.state.state is State.STOPPED
            assert not worklist.refresh_button.isEnabled()
            assert worklist.count == 0 and worklist.summary.text() == ""
            for message in (catalog.message.text(), templates.message.text()):
                assert message.startswith("The local sandbox stopped"), message
            assert catalog.model.rowCount() == 0 and templates.model.rowCount() == 0

            # Refresh: off, and says why; F5 sends nothing.
            for key in ("patients", "prescriptions", "orders", "catalog", "templates"):
                window.show_page(key)
                assert not window.refresh_action.isEnabled(), key
                assert "local sandbox stopped" in window.refresh_action.toolTip()
            window.show_page("patients")
            assert not patients.list.refresh_button.isEnabled()
            in_flight = workspace.services.activity.in_flight
            window.refresh_action.trigger()
            assert workspace.services.activity.in_flight == in_flight
            _stopped(patients.list, "patient list after F5")

            # Signed out: the status bar, the toolbar's account, the Sign-in page, Settings.
            await until(lambda: not session.signed_in, within=10)
            status = window.status
            assert status.identity.text() == "Not signed in"
            assert "has stopped" in status.identity.toolTip()
            assert not status.expiry.isVisible() and not status.organization.isVisible()
            assert status.connection.text() == "● Stopped"
            assert window.sign_in_label.text() == "Not signed in: disconnected"
            assert "has stopped" in window.sign_in_label.toolTip()
            sign_in = sign_in_window(window)
            assert sign_in.account.text() == "Not signed in: disconnected."
            assert not sign_in.sign_in_button.isEnabled()
            assert not sign_in.sign_out_button.isVisible()
            assert "has stopped" in sign_in.error.text()
            settings.environment_combo.setCurrentIndex(settings.environment_combo.findData("local"))
            assert "has stopped" in settings.endpoints_label.text()
            assert not window.new_patient_action.isEnabled()

            await until(lambda: bar.isVisible())
            for key in ("sign-in", "worklist", "orders"):
                window.show_page(key)
                await _shoot(window, f"{key}-sandbox-stopped")
            window.show_page("patients")
            await _shoot(window, "patients-sandbox-stopped")

            # Restart: a fresh sandbox, signed in again, every screen loads.
            bar.restart_button.click()
            await until(lambda: not workspace.unavailable, within=60)
            await until(lambda: workspace.session.signed_in, within=30)
            assert workspace.session is not session
            await until(lambda: patients.list.proxy.rowCount() > 0, within=30)
            await until(lambda: prescriptions.list.proxy.rowCount() > 0, within=30)
            await until(lambda: orders.list.proxy.rowCount() > 0, within=30)
            assert patients.list.state.state is not State.STOPPED
            assert patients.list.refresh_button.isEnabled()
            assert status.identity.text() == "M2M (backend)"
            assert status.connection.text() != "● Stopped"
            assert window.sign_in_label.text() == "Signed in: M2M (backend)"
            sign_in = sign_in_window(window)
            assert sign_in.sign_in_button.isEnabled() and not sign_in.error.text()
            assert sign_in.account.text().startswith("Signed in as")
            assert "is running at" in settings.endpoints_label.text()
            await until(lambda: catalog.model.rowCount() > 0 or catalog.chooser.count() > 0, 30)
            assert not catalog.message.text().startswith("The local sandbox stopped")

            # A new sign-in, the user idle: the app lands on the worklist once it has rows.
            await until(lambda: window.current_key == "worklist", within=30)
            assert worklist.stack.currentWidget() is worklist.table and worklist.count > 0
            assert worklist.refresh_button.isEnabled() and window.refresh_action.isEnabled()
            assert not bar.isVisible()
            await _shoot(window, "worklist-landing")

    arun(scenario(), timeout=180)


def test_a_list_loading_when_the_sandbox_dies_says_it_stopped(
    isolated: MemoryKeyring, arun: Run
) -> None:
    async def scenario() -> None:
        async with on_the_bundled_sandbox() as (desktop, window):
            services = desktop.workspace.services
            patients = window.patients.list
            await until(lambda: patients.proxy.rowCount() > 0, within=30)
            assert desktop.sandbox is not None and desktop.sandbox.pid is not None
            pid = desktop.sandbox.pid

            os.kill(pid, signal.SIGSTOP)  # it answers nothing: the new search keeps loading
            patients.set_search("Smith")
            await until(lambda: services.activity.in_flight > 0)
            assert patients.state.state is State.LOADING

            os.kill(pid, signal.SIGKILL)
            await until(lambda: desktop.workspace.unavailable, within=10)
            _stopped(patients, "patient list that was loading")
            await until(lambda: services.activity.in_flight == 0, within=10)
            _stopped(patients, "patient list after its request ended")

    arun(scenario(), timeout=90)
