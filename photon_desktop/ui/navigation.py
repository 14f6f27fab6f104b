"""Whether the user has moved since the current sign-in finished.

The window reports the user's moves (a page chosen, a record opened) and wraps its own choices of
page in ``choosing()``; automatic moves (the worklist after a sign-in) ask ``moved`` first so they
never take the screen away from someone who is already working.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject

from photon_desktop.ui.workspace import Workspace


class UserNavigation(QObject):
    """``note()`` a move by the user; ``moved`` since the last sign-in (not a renewed token)."""

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._choosing = 0  # > 0 while the app itself picks the page
        self._moved = False
        self._signed_in_as: tuple[int, int] | None = None
        workspace.session_changed.connect(self._on_session)
        self._on_session()

    @property
    def moved(self) -> bool:
        return self._moved

    def note(self) -> None:
        """The user moved (ignored inside ``choosing``: that move is the app's)."""
        if not self._choosing:
            self._moved = True

    @contextmanager
    def choosing(self) -> Iterator[None]:
        """The app changes the page: moves meanwhile are not the user's."""
        self._choosing += 1
        try:
            yield
        finally:
            self._choosing -= 1

    def _on_session(self) -> None:
        ws = self._workspace
        signed_in = ws.ready and ws.session.signed_in
        now = (id(ws.session), ws.session.generation) if signed_in else None
        if now != self._signed_in_as:
            self._signed_in_as = now
            if now is not None:
                self._moved = False  # a new sign-in: the user has not moved yet
