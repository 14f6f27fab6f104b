"""Keep a parentless tool window (a form, a new order) alive until it is closed; bring a window
to the front.

A top-level ``QWidget`` made from Python without a parent is deleted when its last Python
reference goes; the keeper holds that reference, as a child of the workspace, until the window
is destroyed (``WA_DeleteOnClose``).
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


class WindowKeeper(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName("windowKeeper")
        self.windows: list[QWidget] = []

    def keep(self, window: QWidget) -> None:
        self.windows.append(window)
        window.destroyed.connect(lambda *_: self._drop(window))

    def _drop(self, window: QWidget) -> None:
        self.windows = [w for w in self.windows if w is not window]


def keep_open(owner: QObject, window: QWidget) -> None:
    """Hold ``window`` until it is destroyed (``owner``: usually the workspace)."""
    found = owner.findChild(WindowKeeper, "windowKeeper")
    keeper = found if isinstance(found, WindowKeeper) else WindowKeeper(owner)
    keeper.keep(window)


def kept(owner: QObject, kind: type[W]) -> list[W]:
    """The windows of ``kind`` that ``owner`` keeps open (``keep_open``)."""
    found = owner.findChild(WindowKeeper, "windowKeeper")
    if not isinstance(found, WindowKeeper):
        return []
    return [w for w in found.windows if isinstance(w, kind)]


def bring_to_front(window: QWidget) -> None:
    """Show ``window`` as it was before it was hidden (to the tray) or minimized, raised and
    active: a maximized window stays maximized."""
    state = window.windowState()
    if state & Qt.WindowState.WindowMinimized:
        window.setWindowState(state & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()
