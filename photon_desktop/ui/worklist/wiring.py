"""Wires order updates into the window: worklist page, notifications, tray, banner, patient rows.

Called once by the composition root with the window's ``OrderWatch``; everything it builds
hangs off the window, so it lives and dies with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QApplication, QGroupBox, QSystemTrayIcon, QVBoxLayout, QWidget

from photon_desktop.domain import Order, Page
from photon_desktop.services.notifications import NotificationPort
from photon_desktop.services.order_changes import (
    WatchUpdate,
)
from photon_desktop.ui.common import preferences
from photon_desktop.ui.common.rows_table import RowsModel
from photon_desktop.ui.common.windows import bring_to_front
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.notify import NoticeBanner, Notifications, default_ports
from photon_desktop.ui.order_watch import OrderWatch
from photon_desktop.ui.tray import OrderTray
from photon_desktop.ui.worklist.actions import connect_actions
from photon_desktop.ui.worklist.page import WorklistPage
from photon_desktop.ui.worklist.settings import OrderUpdatesSettings


@dataclass(slots=True)
class OrderUpdates:
    watch: OrderWatch
    worklist: WorklistPage
    banner: NoticeBanner
    tray: OrderTray
    notifications: Notifications


def keep_rows_current(model: RowsModel[Order], watch: OrderWatch) -> None:
    """Rows of orders shown elsewhere (the patient page) show and follow the watcher's state.

    Rows the page just loaded are offered to the watcher as a fresh reading (so a newer state
    reaches the list and detail too), then shown as the watcher knows them.
    """

    def rows() -> list[Order]:
        return [model.item(r) for r in range(model.rowCount())]

    def follow(update: WatchUpdate) -> None:
        fresh = {o.id: o for o in update.updated}
        shown = rows()
        if any(o.id in fresh for o in shown):
            model.set_rows([fresh.get(o.id, o) for o in shown])

    def loaded() -> None:
        shown = rows()
        if not shown:
            return
        page = watch.merge_page(
            Page(items=tuple(shown), cursor=None, has_more=False), watch.started()
        )
        if list(page.items) != shown:
            model.set_rows(list(page.items))

    watch.updated.connect(follow)
    model.modelReset.connect(loaded)


def install(
    window: MainWindow,
    watch: OrderWatch,
    show_order: Callable[[str], None],
    show_prescription: Callable[[str], None],
    *,
    ports: list[NotificationPort] | None = None,
    tray_available: bool | None = None,
) -> OrderUpdates:
    """Add the worklist page, the notice banner, the tray and notifications to ``window``."""
    workspace = window.workspace
    worklist = WorklistPage(workspace, watch)
    window.add_page("worklist", "Needs attention", "warning", worklist)
    connect_actions(worklist, watch, window)
    banner = NoticeBanner(window)
    window.add_notice_bar(banner)
    tray = OrderTray(window, window, available=tray_available)
    chain = ports if ports is not None else default_ports(tray.icon, banner)
    notifications = Notifications(watch, chain, window)
    watch.follow_window(window)
    watch.follow_screen_lock()
    keep_rows_current(window.patients.detail.orders_model, watch)
    add_to_settings_pane(window, watch, tray_available=tray.available)

    def show_worklist() -> None:
        reveal()
        window.show_page("worklist")

    def reveal() -> None:
        bring_to_front(window)

    def open_from_notice(order_id: object) -> None:
        reveal()
        if isinstance(order_id, str):
            show_order(order_id)
        else:
            window.show_page("worklist")

    def first_load(count: int) -> None:
        # The first page after a sign-in, unless the user has already gone somewhere.
        first = preferences.WORKLIST_FIRST.get()
        if count and first and not window.navigation.moved:
            window.land_on("worklist")

    def quit_app() -> None:
        visible = window.isVisible()
        window.close()
        app = QApplication.instance()
        if not visible and isinstance(app, QApplication):
            app.lastWindowClosed.emit()  # a window hidden in the tray never "closes last"

    worklist.open_order.connect(show_order)
    worklist.open_prescription.connect(show_prescription)
    worklist.count_changed.connect(tray.set_attention)
    worklist.first_load_done.connect(first_load)
    notifications.open_requested.connect(open_from_notice)
    tray.open_requested.connect(reveal)
    tray.worklist_requested.connect(show_worklist)
    tray.quit_requested.connect(quit_app)
    return OrderUpdates(watch, worklist, banner, tray, notifications)


def add_to_settings_pane(window: MainWindow, watch: OrderWatch, *, tray_available: bool) -> None:
    """The order-update settings in the Settings pane too, once it is built (the worklist's
    dialog shows the same declared keys)."""

    def add(pane: QWidget) -> None:
        from photon_desktop.ui.settings.pane import SettingsPane  # imported by its builder

        if isinstance(pane, SettingsPane):
            box = QGroupBox("Order updates", pane)
            box.setObjectName("orderUpdatesSettings")
            form = OrderUpdatesSettings(watch, box, tray_available=tray_available)
            QVBoxLayout(box).addWidget(form)
            pane.add_section(box)

    window.when_built("settings", add)


def tray_supported() -> bool:
    return QSystemTrayIcon.isSystemTrayAvailable()
