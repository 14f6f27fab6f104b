"""Who follows a window's outcome (a page, a form): each follower connected once, however often
the window is brought forward for it, and for no longer than the follower lives.

A page asks to follow the same prescription form or order window each time the user presses
"Prescribe" or "Send to a pharmacy" while it is open; connecting again each time would refresh the
page once per press. A follower's slot may be a lambda (Qt cannot tell whom it belongs to), so the
connections are dropped when the follower is destroyed rather than left to call into a deleted
page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QMetaObject, QObject, SignalInstance

Slot = Callable[..., object] | SignalInstance


class Followers:
    """The connections made for each follower of one window (``owner``): when it goes, so does
    what each follower's ``destroyed`` was connected to (a page outlives many windows)."""

    def __init__(self, owner: QObject | None = None) -> None:
        self._connections: dict[int, list[QMetaObject.Connection]] = {}
        self._watching: dict[int, QMetaObject.Connection] = {}
        if owner is not None:
            owner.destroyed.connect(partial(Followers._forget, self))

    def add(self, follower: QObject, *pairs: tuple[SignalInstance, Slot]) -> bool:
        """Connect each ``(signal, slot)`` for ``follower`` unless it already follows; whether
        it was connected now."""
        key = id(follower)
        if key in self._connections:
            return False
        self._connections[key] = [signal.connect(slot) for signal, slot in pairs]
        self._watching[key] = follower.destroyed.connect(partial(self._drop, key))
        return True

    def follows(self, follower: QObject) -> bool:
        return id(follower) in self._connections

    def _drop(self, key: int, *_destroyed: Any) -> None:
        self._watching.pop(key, None)
        for connection in self._connections.pop(key, []):
            QObject.disconnect(connection)  # False if the window went first: nothing to drop

    def _forget(self, *_destroyed: Any) -> None:
        """The window is gone, and its signals' connections with it: stop watching followers."""
        for connection in self._watching.values():
            QObject.disconnect(connection)
        self._watching.clear()
        self._connections.clear()
