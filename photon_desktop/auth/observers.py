"""A plain-Python change notification, so the auth layer needs no Qt (the UI bridges it).

``connect``/``disconnect``/``emit`` mirror a Qt signal's use, so a view can hold either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


class Observers:
    """Callbacks run, in order, on every ``emit``; a failing one is logged, never raised."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[], object]] = []

    def connect(self, callback: Callable[[], object]) -> None:
        self._callbacks.append(callback)

    def disconnect(self, callback: Callable[[], object]) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self) -> None:
        for callback in list(self._callbacks):
            try:
                callback()
            except Exception:  # a broken observer must not break the session
                log.exception("session observer failed")
