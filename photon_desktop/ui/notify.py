"""Where order notifications show up in the UI: the tray's message, then an in-app banner.

``Notifications`` wires the chain for the app: the platform's notification service
(``services.notifications.DesktopNotifierPort``), falling back to the tray's balloon message
when the platform has none, then to ``NoticeBanner`` in the window. A click on any of them
emits ``open_requested(order_id or None)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSystemTrayIcon, QWidget

from photon_desktop.services.notifications import (
    DesktopNotifierPort,
    Notice,
    NotificationPort,
    NotifyPrefs,
    OrderNotifier,
)
from photon_desktop.services.order_changes import (
    WatchUpdate,
)
from photon_desktop.ui.common import preferences, tasks
from photon_desktop.ui.order_watch import OrderWatch

TRAY_MESSAGE_MS = 8000
CRITICAL_EDGE = "#d32f2f"  # the order detail's "Problems" red


class TrayPort:
    """A balloon from the tray icon (when the desktop has a tray that shows messages)."""

    name = "tray"

    def __init__(self, tray: QSystemTrayIcon) -> None:
        self._tray = tray
        self._click: Callable[[], None] | None = None
        tray.messageClicked.connect(self._clicked)

    async def show(self, notice: Notice, on_click: Callable[[], None]) -> bool:
        usable = (
            QSystemTrayIcon.isSystemTrayAvailable()
            and QSystemTrayIcon.supportsMessages()
            and self._tray.isVisible()
        )
        if not usable:
            return False
        icon = (
            QSystemTrayIcon.MessageIcon.Warning
            if notice.critical
            else QSystemTrayIcon.MessageIcon.Information
        )
        self._click = on_click  # Qt reports a click on the latest message only
        self._tray.showMessage(notice.title, notice.body, icon, TRAY_MESSAGE_MS)
        return True

    def _clicked(self) -> None:
        if self._click is not None:
            self._click()


class NoticeBanner(QFrame):
    """An in-app strip under the toolbar: the latest notice, "Open" and "Dismiss"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBanner")
        self.setAccessibleName("Order notification")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._accent(critical=False)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setAccessibleName("Notification text")
        self.open_button = QPushButton("Open", self)
        self.dismiss_button = QPushButton("Dismiss", self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.dismiss_button)
        self.open_button.clicked.connect(self._open)
        self.dismiss_button.clicked.connect(self.dismiss)
        self._pending: list[tuple[Notice, Callable[[], None]]] = []
        self.setVisible(False)

    def add(self, notice: Notice, on_click: Callable[[], None]) -> None:
        self._pending.append((notice, on_click))
        self._show_latest()

    @property
    def notices(self) -> list[Notice]:
        return [n for n, _ in self._pending]

    def _show_latest(self) -> None:
        if not self._pending:
            self.setVisible(False)
            return
        notice, _ = self._pending[-1]
        self._accent(critical=notice.critical)
        more = len(self._pending) - 1
        suffix = f"   (+{more} more)" if more else ""
        self.text.setText(f"{notice.title} — {notice.body}{suffix}")
        self.setAccessibleDescription(self.text.text())
        self.setVisible(True)

    def _accent(self, *, critical: bool) -> None:
        edge = CRITICAL_EDGE if critical else "palette(highlight)"
        self.setStyleSheet(
            "QFrame#noticeBanner { background: palette(alternate-base);"
            f" border-left: 4px solid {edge}; }}"
        )

    def _open(self) -> None:
        if self._pending:
            _, on_click = self._pending.pop()
            self._show_latest()
            on_click()

    def dismiss(self) -> None:
        self._pending.clear()
        self._show_latest()


class BannerPort:
    name = "banner"

    def __init__(self, banner: NoticeBanner) -> None:
        self.banner = banner

    async def show(self, notice: Notice, on_click: Callable[[], None]) -> bool:
        self.banner.add(notice, on_click)
        return True


class Notifications(QObject):
    """Announces each watcher round's changes through the first port that works."""

    open_requested = Signal(object)  # an order id, or None for "several: open the worklist"

    def __init__(
        self,
        watch: OrderWatch,
        ports: Sequence[NotificationPort],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.notifier = OrderNotifier(ports, notify_prefs, self.open_requested.emit)
        watch.updated.connect(self._on_update)
        watch.replaced.connect(self._forget)

    def _on_update(self, update: WatchUpdate) -> None:
        if update.changes:
            tasks.spawn(self.notifier.announce(update.changes), owner=self, name="notify")

    def _forget(self) -> None:
        tasks.cancel_all(self)


def notify_prefs() -> NotifyPrefs:
    """The notifier's preferences, read fresh (a change in Settings applies to the next round)."""
    kinds = frozenset(kind for kind, switch in preferences.NOTIFY_KINDS.items() if switch.get())
    return NotifyPrefs(
        kinds=kinds,
        privacy=preferences.NOTIFY_PRIVACY.get(),
        paused=preferences.NOTIFICATIONS_PAUSED.get(),
    )


def default_ports(tray: QSystemTrayIcon | None, banner: NoticeBanner) -> list[NotificationPort]:
    """Platform service, then the tray (if any), then the banner."""
    ports: list[NotificationPort] = [DesktopNotifierPort()]
    if tray is not None:
        ports.append(TrayPort(tray))
    ports.append(BannerPort(banner))
    return ports
