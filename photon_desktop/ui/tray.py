"""The system-tray icon, where the desktop has a tray: open, orders and prescriptions needing
attention, pause notifications, quit.

Closing the window keeps the app running in the tray only when the user turned that on
(``preferences.CLOSE_TO_TRAY``, off by default) and a tray is really there; otherwise closing
the window quits as before. The icon carries the attention count as a badge.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from photon_desktop.ui.common import icons, preferences
from photon_desktop.ui.common.formatting import fmt_count

ICON_SIZE = 64
BADGE = QColor("#d32f2f")


def badge_icon(base: QIcon, count: int) -> QIcon:
    """``base`` with a red count in its corner (nothing drawn for 0)."""
    canvas = QPixmap(ICON_SIZE, ICON_SIZE)
    canvas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(canvas)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    base.paint(painter, QRect(0, 0, ICON_SIZE, ICON_SIZE))
    if count > 0:
        diameter = ICON_SIZE * 0.6
        rect = QRectF(ICON_SIZE - diameter, 0, diameter, diameter)
        painter.setBrush(BADGE)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(rect)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(diameter * (0.62 if count < 10 else 0.45)))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        text = str(count) if count < 100 else "99+"
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(canvas)


def attention_text(orders: int, prescriptions: int) -> str:
    """ "10 orders and 22 prescriptions need attention", "1 order needs attention"."""
    parts = [
        fmt_count(n, noun) for n, noun in ((orders, "order"), (prescriptions, "prescription")) if n
    ]
    if not parts:
        return "Nothing needs your attention"
    verb = "needs" if orders + prescriptions == 1 else "need"
    return f"{' and '.join(parts)} {verb} attention"


class OrderTray(QObject):
    """``open_requested``, ``worklist_requested``, ``quit_requested`` for the composition root."""

    open_requested = Signal()
    worklist_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self, window: QWidget, parent: QObject | None = None, *, available: bool | None = None
    ) -> None:
        super().__init__(parent)
        self._window = window
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        self._quitting = False
        self._counts = (0, 0)
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu()
        self.menu.setAccessibleName("Tray menu")
        self.open_action = QAction("Open Photon Desktop", self.menu)
        self.attention_action = QAction("", self.menu)
        self.pause_action = QAction("Pause notifications", self.menu)
        self.pause_action.setCheckable(True)
        self.quit_action = QAction("Quit", self.menu)
        self.menu.addAction(self.open_action)
        self.menu.addAction(self.attention_action)
        self.menu.addSeparator()
        self.menu.addAction(self.pause_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)

        self.open_action.triggered.connect(self.open_requested)
        self.attention_action.triggered.connect(self.worklist_requested)
        self.pause_action.toggled.connect(self._pause_toggled)
        self.quit_action.triggered.connect(self.quit)
        self.icon.activated.connect(self._activated)
        window.installEventFilter(self)
        self.refresh()
        if self.available:
            self.icon.show()

    # ------------------------------------------------------------------ state

    def set_attention(self, orders: int, prescriptions: int) -> None:
        """The worklist's rows: orders and (expiring) prescriptions, each named for what it is."""
        self._counts = (orders, prescriptions)
        self.refresh()

    @property
    def attention_count(self) -> int:
        return sum(self._counts)

    def refresh(self) -> None:
        """Icon, tooltip and menu texts from the count and the settings (also on theme change)."""
        count = self.attention_count
        text = attention_text(*self._counts)
        self.attention_action.setText(text)
        self.attention_action.setEnabled(count > 0)
        self.icon.setIcon(badge_icon(icons.icon("orders"), count))
        self.icon.setToolTip(f"Photon Desktop — {text.lower()}")
        paused = preferences.NOTIFICATIONS_PAUSED.get()
        if self.pause_action.isChecked() != paused:
            self.pause_action.setChecked(paused)

    def _pause_toggled(self, paused: bool) -> None:
        preferences.NOTIFICATIONS_PAUSED.set(paused)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_requested.emit()

    # ------------------------------------------------------------------ closing

    @property
    def keeps_running(self) -> bool:
        """True when closing the window hides it to the tray instead of quitting."""
        return self.available and self.icon.isVisible() and preferences.CLOSE_TO_TRAY.get()

    def quit(self) -> None:
        self._quitting = True
        self.quit_requested.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self._window
            and event.type() == QEvent.Type.Close
            and not self._quitting
            and self.keeps_running
        ):
            event.ignore()
            self._window.hide()
            return True
        return False

    def hide(self) -> None:
        self.icon.hide()
