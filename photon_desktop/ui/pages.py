"""What the main window asks of its pages, and how pages report short outcomes.

Pages implement ``Page`` (F5, Ctrl+F, icons, stopping their requests); a status tip from any
page ("Copied patient ID …") shows in the window's status bar for a while.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QStatusTipEvent
from PySide6.QtWidgets import QMainWindow

STATUS_MESSAGE_MS = 4000

#: What the frame's sidebar lists before the pages exist (the pages replace these rows).
FRAME_PAGES = (
    ("Patients", "patients"),
    ("Prescriptions", "prescriptions"),
    ("Orders", "orders"),
    ("Catalog", "catalog"),
    ("Templates", "templates"),
    ("Settings", "settings"),
    ("Sign in", "sign-in"),
    ("Support", "support"),
)


@runtime_checkable
class TaskOwner(Protocol):
    """A page with requests of its own to stop when the window closes."""

    def cancel_tasks(self) -> None: ...


@runtime_checkable
class Page(TaskOwner, Protocol):
    """What the window asks of a feature page (patients, prescriptions, orders)."""

    def refresh(self) -> None:
        """F5: reload what is shown."""

    def can_refresh(self) -> bool:
        """Whether F5 means anything now (connected and allowed to read)."""

    def focus_search(self) -> bool:
        """Ctrl+F: put the keyboard in the page's search; False if it has none."""

    def refresh_icons(self) -> None:
        """Recolour icons after a light/dark switch."""

    def cancel_tasks(self) -> None:
        """Stop every request (the window is closing)."""


class StatusTips(QObject):
    """Pages report short outcomes ("Copied patient ID …") as status tips: shown for a while."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.StatusTip and isinstance(event, QStatusTipEvent):
            if event.tip():
                self._window.statusBar().showMessage(event.tip(), STATUS_MESSAGE_MS)
                return True
        return False


__all__ = ["STATUS_MESSAGE_MS", "Page", "StatusTips", "TaskOwner"]
