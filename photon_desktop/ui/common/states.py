"""The one widget for "nothing to show yet": loading, empty, error and explanatory states.

Each state says what happened and, where the user can do something about it, offers the one
button that does it (Retry, Clear search, Sign in…). Lists and details put it in a stack next to
their content and switch to it whenever there are no rows to show.

"Stopped" is the state of every list and detail while the environment's server has stopped (the
bundled sandbox died): its rows are gone with it, and the one remedy is the bar above the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

#: The outage bar's button; the stopped state points at it by name.
RESTART_LABEL = "Restart the local sandbox"


def stopped_text(what: str) -> str:
    """``"no patients to show"`` → what a list or detail says while the sandbox is stopped."""
    return (
        f"The local sandbox stopped: {what}. Press “{RESTART_LABEL}” above to start a fresh one "
        "with new demo data."
    )


class State(Enum):
    LOADING = "loading"
    EMPTY = "empty"
    ERROR = "error"
    MESSAGE = "message"
    STOPPED = "stopped"


class SkeletonRows(QWidget):
    """Grey bars where rows will be: the list looks about to fill, not empty."""

    ROWS = 8

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Rows loading")
        self.setMinimumHeight(self.ROWS * 28)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        colour = self.palette().mid().color()
        colour.setAlpha(90)
        painter.setBrush(colour)
        width = self.width()
        for row in range(self.ROWS):
            y = row * 28 + 8
            for left, share in ((0.0, 0.34), (0.38, 0.22), (0.64, 0.3)):
                shorter = 0.7 + 0.3 * ((row * 7 + int(left * 10)) % 5) / 4  # uneven, like text
                bar = QRectF(left * width, y, share * width * shorter, 12)
                painter.drawRoundedRect(bar, 4, 4)
        painter.end()


class StateView(QWidget):
    """A centred message, an optional progress bar (loading) and an optional action button.

    ``state`` is the kind shown; ``label``, ``progress`` and ``button`` are public so tests and
    views can read what the user reads.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stateView")
        self.state = State.EMPTY
        self._action: Callable[[], object] | None = None

        self.label = QLabel(self)
        self.label.setObjectName("stateMessage")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: we never know how long a server takes
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(240)
        self.progress.setAccessibleName("Loading")

        self.skeleton = SkeletonRows(self)

        self.button = QPushButton(self)
        self.button.setObjectName("stateAction")
        self.button.clicked.connect(self._run_action)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 12, 24, 12)
        layout.addWidget(self.skeleton)
        layout.addStretch(1)
        # No alignment flag for the label: an aligned word-wrapped label gets its one-line height
        # and loses every line after the first. The text itself is centred.
        layout.addWidget(self.label)
        layout.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.show_empty("")

    # ------------------------------------------------------------------ states

    def show_loading(self, text: str = "Loading…", *, skeleton: bool = False) -> None:
        """Busy; ``skeleton``: grey placeholder rows instead of the progress bar."""
        self._show(State.LOADING, text, None, None)
        self.progress.setVisible(not skeleton)
        self.skeleton.setVisible(skeleton)

    def show_empty(
        self,
        text: str,
        action_text: str | None = None,
        action: Callable[[], object] | None = None,
    ) -> None:
        """Nothing matched; ``action`` (e.g. "Clear search") says how to see something."""
        self._show(State.EMPTY, text, action_text, action)

    def show_error(self, text: str, retry: Callable[[], object] | None = None) -> None:
        """Something failed; with ``retry`` a Retry button tries again."""
        self._show(State.ERROR, text, "Retry" if retry is not None else None, retry)

    def show_message(
        self,
        text: str,
        action_text: str | None = None,
        action: Callable[[], object] | None = None,
    ) -> None:
        """An explanation that is neither empty nor an error (e.g. a missing permission)."""
        self._show(State.MESSAGE, text, action_text, action)

    def show_stopped(self, text: str) -> None:
        """The server stopped (``stopped_text``): the remedy is the outage bar, not a Retry."""
        self._show(State.STOPPED, text, None, None)

    # ------------------------------------------------------------------ internals

    def _show(
        self,
        state: State,
        text: str,
        action_text: str | None,
        action: Callable[[], object] | None,
    ) -> None:
        self.state = state
        self.label.setText(text)
        self.label.setProperty("state", state.value)
        font = self.label.font()
        font.setBold(state is State.ERROR)  # an error reads differently from "nothing yet"
        self.label.setFont(font)
        self.label.setAccessibleName(text or "No content")
        self.setAccessibleName(text or "No content")
        self.progress.setVisible(state is State.LOADING)
        self.skeleton.setVisible(False)
        self._action = action
        has_action = action is not None and bool(action_text)
        self.button.setVisible(has_action)
        self.button.setText(action_text or "")
        self.button.setAccessibleName(action_text or "")
        self.button.setDefault(has_action)

    def _run_action(self) -> None:
        if self._action is not None:
            self._action()
