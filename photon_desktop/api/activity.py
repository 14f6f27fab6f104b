"""Observable network activity for the status bar: requests in flight, online, last error."""

from __future__ import annotations

import logging
from collections.abc import Callable

from photon_desktop.errors import PhotonError

log = logging.getLogger(__name__)


class Activity:
    """``in_flight`` service requests, ``online`` (None until the first answer), ``last_error``.

    Plain Python (no Qt): the UI subscribes and turns notifications into a signal.
    """

    def __init__(self) -> None:
        self.in_flight = 0
        self.online: bool | None = None
        self.last_error: PhotonError | None = None
        self._subscribers: list[Callable[[Activity], None]] = []

    def subscribe(self, callback: Callable[[Activity], None]) -> Callable[[], None]:
        """Call ``callback(self)`` on every change; returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def started(self) -> None:
        self.in_flight += 1
        self._notify()

    def finished(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self._notify()

    def answered(self) -> None:
        """Photon answered (any HTTP status): we are online."""
        if self.online is not True:
            self.online = True
            self._notify()

    def failed(self, error: PhotonError, *, offline: bool) -> None:
        self.last_error = error
        if offline:
            self.online = False
        self._notify()

    def _notify(self) -> None:
        for callback in list(self._subscribers):
            try:
                callback(self)
            except Exception:  # a broken subscriber must not break requests
                log.exception("activity subscriber failed")
