"""The order-update settings: each control saves its declared key at once and the watcher and
notifier follow (interval, kinds, privacy); close-to-tray is off by default and greyed out when
the desktop has no tray."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

from PySide6.QtWidgets import QWidget
from test_records_sandbox import connected, show
from ui_support import until
from watch_fakes import FakePhoton, FakeTime, order
from watch_support import fake_time_watch

from photon_desktop.services.notifications import Privacy
from photon_desktop.services.order_changes import (
    ChangeKind,
)
from photon_desktop.ui.common import preferences as prefs
from photon_desktop.ui.notify import notify_prefs
from photon_desktop.ui.worklist.page import WorklistPage
from photon_desktop.ui.worklist.settings import OrderUpdatesSettings


def test_settings_save_at_once_and_the_watcher_follows(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            watch = fake_time_watch(workspace, FakeTime(), FakePhoton([order(1)]))
            stack.callback(watch.stop)
            form = OrderUpdatesSettings(watch, tray_available=False)
            show(widgets, form)
            assert form.interval.value() == 30 and not form.close_to_tray.isChecked()
            assert not form.close_to_tray.isEnabled()
            form.interval.setValue(120)
            assert prefs.ORDERS_POLL_INTERVAL_S.get() == 120
            assert watch.watcher is not None and watch.watcher.settings.interval == 120
            form.kinds[ChangeKind.READY].setChecked(False)
            assert ChangeKind.READY not in notify_prefs().kinds
            assert notify_prefs().privacy is Privacy.INITIALS  # the default
            form.privacy.setCurrentIndex(form.privacy.findData("full"))
            assert notify_prefs().privacy is Privacy.FULL
            form.ready_days.setValue(7)
            assert prefs.WORKLIST_READY_DAYS.get() == 7

            page = WorklistPage(workspace, watch)
            show(widgets, page)
            dialog = page.open_settings()
            await until(dialog.isVisible)
            assert dialog.form.interval.value() == 120  # read back from the saved settings
            dialog.reject()

    arun(scenario(), timeout=30)


def test_a_bad_stored_value_falls_back_to_the_default() -> None:
    from PySide6.QtCore import QSettings

    QSettings().setValue(prefs.ORDERS_POLL_INTERVAL_S.key, "soon")
    QSettings().setValue(prefs.NOTIFY_PRIVACY.key, "everything")
    assert prefs.ORDERS_POLL_INTERVAL_S.get() == 30
    assert prefs.NOTIFY_PRIVACY.get() is Privacy.INITIALS
    QSettings().setValue(prefs.ORDERS_POLL_INTERVAL_S.key, "1")
    assert prefs.ORDERS_POLL_INTERVAL_S.get() == 10  # clamped to the shortest allowed


def test_a_form_shows_what_another_form_saved_when_shown_again(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            watch = fake_time_watch(workspace, FakeTime(), FakePhoton([order(1)]))
            stack.callback(watch.stop)
            pane_form = OrderUpdatesSettings(watch, tray_available=True)  # as in Settings
            show(widgets, pane_form)
            pane_form.hide()
            dialog_form = OrderUpdatesSettings(watch, tray_available=True)  # the worklist's
            show(widgets, dialog_form)
            dialog_form.expiry_days.setValue(45)
            dialog_form.kinds[ChangeKind.SHIPPED].setChecked(False)
            dialog_form.privacy.setCurrentIndex(dialog_form.privacy.findData("none"))
            pane_form.show()
            assert pane_form.expiry_days.value() == 45
            assert not pane_form.kinds[ChangeKind.SHIPPED].isChecked()
            assert pane_form.privacy.currentData() == "none"
            assert prefs.WORKLIST_EXPIRY_DAYS.get() == 45  # showing wrote nothing else

    arun(scenario(), timeout=30)
