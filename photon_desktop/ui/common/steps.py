"""A write flow as a window in three steps: edit → review → done.

The prescription form and the new-order window share it: one title, a notice line, the three
pages, a message line and the buttons (Cancel/Close, Back, Review…, the one button that writes,
and the next step once done). Ctrl+Return moves forward; Esc, Cancel and the close button close,
asking first while ``unsent_changes`` (``confirm_leaving``; ``close_now`` when the question was
already asked, e.g. by an organization switch). While the write is in flight its button
is disabled, Back is refused and the window will not close, so an answer is never lost.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Qt, SignalInstance
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.errors import PhotonError, WriteOutcomeUnknown
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.followers import Followers
from photon_desktop.ui.common.followers import Slot as FollowerSlot
from photon_desktop.ui.common.outage import FormOutage, LookUp
from photon_desktop.ui.common.problems import failed_write
from photon_desktop.ui.common.questions import ask
from photon_desktop.ui.common.tab_order import tab_through
from photon_desktop.ui.common.theme import show_error
from photon_desktop.ui.workspace import Workspace

Slot = Callable[[], None]


class StepWindow(QWidget):
    """Subclasses build their pages, call ``set_pages`` and implement ``review``/``send``/
    ``after``; ``sending(coro)`` runs the write with the buttons locked."""

    def __init__(
        self, parent: QWidget | None, *, send_text: str, after_text: str, back_text: str
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self._send_text = send_text
        self._writes = tasks.Latest(owner=self)
        self.title = QLabel(self)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.title.setAccessibleName("Title")
        self.notice = QLabel(self)
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Notice")
        self.notice.setVisible(False)
        self.stack = QStackedWidget(self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self.close_button = QPushButton("Cancel", self)
        self.close_button.clicked.connect(self.close)
        self.back_button = QPushButton(back_text, self)
        self.back_button.clicked.connect(self.back_to_edit)
        self.review_button = QPushButton("Review…", self)
        self.review_button.setDefault(True)
        self.review_button.clicked.connect(self.review)
        self.send_button = QPushButton(send_text, self)
        self.send_button.clicked.connect(self.send)
        self.after_button = QPushButton(after_text, self)
        self.after_button.clicked.connect(self.after)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        for button in (
            self.close_button,
            self.back_button,
            self.review_button,
            self.send_button,
            self.after_button,
        ):
            button.setAccessibleName(button.text().rstrip("…"))
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, self._forward)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)  # asks if work is unsent
        self._steps: tuple[QWidget, QWidget, QWidget] | None = None
        self.outage: FormOutage | None = None
        self._followed: list[tuple[SignalInstance, Slot]] = []
        self._leave_anyway = False
        self._leave_question = tasks.Latest(owner=self)
        #: The last send's answer was lost and it was not found: Photon may still save it. What
        #: closing asks says so (never "not sent"), with the error's advice on where to check.
        self.maybe_sent: WriteOutcomeUnknown | None = None
        self._followers = Followers(self)

    def add_follower(self, follower: QObject, *pairs: tuple[SignalInstance, FollowerSlot]) -> None:
        """Connect each ``(signal, slot)`` for ``follower`` (a page, a form) once, however often
        the window is brought forward for it, and while it lives."""
        self._followers.add(follower, *pairs)

    def follow_server(self, workspace: Workspace, record: str, look_up: LookUp) -> None:
        """Follow the environment's server stopping and coming back (``outage``): a notice
        under the title, and the writing button off while it cannot send."""
        self.outage = FormOutage(
            workspace, self, [self.send_button], record=record, look_up=look_up
        )
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(2, self.outage.label)

    def tab_in_order(self, *parts: QWidget) -> None:
        """Tab through ``parts`` as they read, then the buttons (created first, they would
        otherwise come first); again whenever a part gains controls built later."""
        buttons = (self.close_button, self.back_button, self.review_button, self.send_button)
        tab_through(self, [*parts, *buttons, self.after_button])

    def follow_workspace(
        self, workspace: Workspace, on_session: Slot, on_environment: Slot
    ) -> None:
        """Hear sign-in and environment changes until the window closes (``stop_following``)."""
        self._followed = [
            (workspace.session_changed, on_session),
            (workspace.environment_changed, on_environment),
        ]
        for signal, slot in self._followed:
            signal.connect(slot)

    def stop_following(self) -> None:
        for signal, slot in self._followed:
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self._followed = []

    def refused(self) -> bool:
        """True (and why said) while the server cannot take the write."""
        if self.outage is not None and self.outage.blocked:
            self.say(self.outage.blocked, error=True)
            return True
        return False

    @property
    def holding(self) -> bool:
        """The server stopped under the window: sign-in and environment changes leave it open."""
        return self.outage is not None and self.outage.holding

    # -- subclass hooks

    def review(self) -> bool:
        raise NotImplementedError

    def send(self) -> None:
        raise NotImplementedError

    def after(self) -> None:
        """The done page's button (e.g. "Send to a pharmacy…", "Open order")."""

    def on_step(self, page: QWidget) -> None:
        """Called after each step change."""

    # -- steps

    def set_pages(self, edit: QWidget, review: QWidget, done: QWidget) -> None:
        self._steps = (edit, review, done)
        for page in self._steps:
            self.stack.addWidget(page)
        self.show_step(edit)

    def step(self) -> int:
        """0 editing, 1 reviewing, 2 done."""
        assert self._steps is not None
        return self._steps.index(self.stack.currentWidget())

    def show_step(self, page: QWidget) -> None:
        assert self._steps is not None
        self.stack.setCurrentWidget(page)
        index = self._steps.index(page)
        self.review_button.setVisible(index == 0)
        self.back_button.setVisible(index == 1)
        self.send_button.setVisible(index == 1)
        self.after_button.setVisible(index == 2)
        self.close_button.setText("Close" if index == 2 else "Cancel")
        self.on_step(page)

    def back_to_edit(self) -> None:
        if not self.busy and self._steps is not None:
            self.show_step(self._steps[0])

    def _forward(self) -> None:
        if self.step() == 0:
            self.review()
        elif self.step() == 1 and self.send_button.isEnabled():
            self.send()

    # -- the one write

    @property
    def busy(self) -> bool:
        return self._writes.busy

    def sending(self, coro: Coroutine[Any, Any, None], what: str) -> None:
        """Run the write; its button is disabled (and Back refused) until it ends."""
        if self.refused():
            coro.close()  # never started: nothing reaches a stopped server
            return
        self.send_button.setEnabled(False)
        self.back_button.setEnabled(False)
        self.send_button.setText("Sending…")
        self.say(f"Sending {what} to Photon…")
        self._writes.spawn(self._locked(coro), name=f"send-{what}")

    async def _locked(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            await coro
        finally:
            self.send_button.setText(self._send_text)
            self.send_button.setEnabled(True)
            self.back_button.setEnabled(True)

    def refuse_close_while_sending(self, event: QCloseEvent) -> bool:
        """True (and the close ignored) while the write is in flight."""
        if self.busy:
            event.ignore()
            self.say("Wait for Photon's answer before closing.", error=True)
            return True
        return False

    # -- closing

    @property
    def unsent_changes(self) -> bool:
        """Work that closing would throw away (subclasses say); closing asks first."""
        return False

    async def confirm_leaving(self) -> bool:
        """Ask whether to throw the unsent work away; True closes the window."""
        return await ask(
            self,
            "Discard changes?",
            "Nothing in this window has been sent. Discard your changes?",
            "Discard changes",
            cancel="Keep editing",
        )

    def close_now(self) -> None:
        """Close without asking (signed out, or a switch that asked already); never mid-write."""
        self._leave_anyway = True
        self.close()

    def on_close(self) -> None:
        """Stop what the window runs: it is closing."""

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.refuse_close_while_sending(event):
            return
        if self._leave_anyway or not self.unsent_changes or not tasks.loop_running():
            self.on_close()  # no loop left: the app is quitting and nobody can be asked
            event.accept()
            return
        event.ignore()
        if not self._leave_question.busy:
            self._leave_question.spawn(self._ask_to_leave(), name="ask-to-leave")

    async def _ask_to_leave(self) -> None:
        if await self.confirm_leaving():
            self.close_now()

    # -- messages

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        show_error(self.message, "color: {error};" if error else None)
        self.message.setAccessibleDescription(text)

    def say_failed(self, error: PhotonError) -> None:
        """Why the write did not go through; an unknown outcome is never called "not sent"."""
        if isinstance(error, WriteOutcomeUnknown):  # kept: a later refused resend proves
            self.maybe_sent = error  # nothing about the earlier send
        self.say(failed_write(error, "Not sent"), error=True)

    def unsent_text(self, unsent: str) -> str:
        """``unsent`` ("This order has not been sent."), or after an unknown outcome what is
        known instead: the last send may be saved, and where to check."""
        return unsent if self.maybe_sent is None else str(self.maybe_sent)

    def note(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
