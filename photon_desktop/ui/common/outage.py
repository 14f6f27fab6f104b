"""An open form follows the environment's server: while it is stopped, and after it came back.

The bundled sandbox can die while a form, a new order or an order dialog is open. Its Send button
would only fail with network advice, so instead the form says what happened in a notice, its
writing buttons are disabled with that reason as their tooltip, and everything typed stays.

A restart brings fresh demo data: what was created or changed in the stopped sandbox is gone,
while the seeded demo records come back as they first were. So once the app is signed in again, a
form about one record (``record`` = "this patient", ``look_up`` fetches it) checks whether it is
there: if not, the form says so and stays unable to send, keeping its text to copy; if it is, the
form may send again and says that earlier changes are gone. A form that creates something new
(no ``look_up``) may simply send again. Window-modal dialogs let go of the main window while the
server is stopped, so its "Restart the local sandbox" can be reached.

While ``holding`` the form ignores sign-in and environment changes that would otherwise close it:
they are the stopped server's consequences, and what the user typed must not vanish with them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from enum import Enum

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from photon_desktop import errors
from photon_desktop.services import Services
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.states import RESTART_LABEL
from photon_desktop.ui.workspace import Workspace

NOTICE_STYLE = (
    "QLabel#formOutage { background: #fff3cd; color: #4d3800; border: 1px solid #d4a017;"
    " border-radius: 4px; padding: 6px 8px; }"
)
LookUp = Callable[[Services], Awaitable[object]]


class Server(Enum):
    RUNNING = "running"
    STOPPED = "stopped"
    CHECKING = "checking"  # back with fresh data: is the form's record in it?
    GONE = "gone"  # the form's record did not come back


def stopped_notice() -> str:
    return (
        "The local sandbox stopped: nothing can be sent now. Restart it from the main window "
        f"(“{RESTART_LABEL}”); what you typed is kept."
    )


def checking_notice(record: str) -> str:
    return (
        "The local sandbox restarted with fresh demo data: checking whether "
        f"{record} is in it. What you typed is kept."
    )


def gone_notice(record: str, why: str = "") -> str:
    return (
        f"The local sandbox restarted with fresh demo data and {record} is not in it "
        f"{why or '(it was created or changed in the sandbox that stopped)'}, so this cannot be "
        "sent. Nothing was sent; what you typed is kept here to copy."
    )


def back_notice(record: str) -> str:
    if not record:
        return (
            "The local sandbox restarted with fresh demo data; nothing was sent to the one that "
            "stopped. Sending now sends to the new one. What you typed is kept."
        )
    return (
        f"The local sandbox restarted with fresh demo data: {record} is in it as the demo first "
        "had it (changes made before it stopped are gone). What you typed is kept; check it "
        "before sending."
    )


class FormOutage(QObject):
    """The notice (``label``, to put in the form's layout) and the gate on ``buttons``.

    The gate watches each button's enabled state: what the form asks while blocked is
    remembered and given back when the form may send again, so no form changes its enabling
    rules.
    """

    def __init__(
        self,
        workspace: Workspace,
        form: QWidget,
        buttons: Sequence[QWidget],
        *,
        record: str = "",
        look_up: LookUp | None = None,
    ) -> None:
        super().__init__(form)
        self._workspace = workspace
        self._form = form
        self._record = record
        self._look_up = look_up
        self._buttons = list(buttons)
        self._wanted = {id(b): b.isEnabled() for b in self._buttons}
        self._tips = {id(b): b.toolTip() for b in self._buttons}
        self._gating = False
        self._text = ""
        self._checks = tasks.Latest(owner=self)
        self.server = Server.STOPPED if self._stopped_now() else Server.RUNNING
        self.label = QLabel(form)
        self.label.setObjectName("formOutage")
        self.label.setWordWrap(True)
        self.label.setStyleSheet(NOTICE_STYLE)
        self.label.setAccessibleName("Local sandbox")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setVisible(False)
        for button in self._buttons:
            button.installEventFilter(self)
        workspace.availability_changed.connect(self._follow)
        workspace.session_changed.connect(self._follow)
        self._follow()

    # ------------------------------------------------------------------ state

    @property
    def holding(self) -> bool:
        """True from the stop until the form knows where it stands in the fresh data: it stays
        open, whatever sign-in or environment changes come with the stop and the restart."""
        return self.server is not Server.RUNNING

    @property
    def blocked(self) -> str:
        """Why the form cannot send now ("" when it can)."""
        return self._text if self.holding else ""

    def _stopped_now(self) -> bool:
        return self._workspace.ready and bool(self._workspace.unavailable)

    def _follow(self) -> None:
        ws = self._workspace
        if self._stopped_now():
            self._checks.cancel()
            self._show(Server.STOPPED, stopped_notice())
        elif self.server is Server.STOPPED:
            self._show(Server.CHECKING, checking_notice(self._record or "it"))
        if self.server is Server.CHECKING and ws.ready and ws.session.signed_in:
            if not self._checks.busy:
                self._checks.spawn(self._check(ws.services), name="form-record-check")

    async def _check(self, services: Services) -> None:
        """Signed in to the fresh sandbox: is the form's record there?"""
        if self._look_up is not None:
            try:
                await self._look_up(services)
            except errors.NotFound:
                self._show(Server.GONE, gone_notice(self._record))
                return
            except errors.PhotonError as exc:
                self._show(Server.GONE, gone_notice(self._record, f"(checking failed: {exc})"))
                return
        if self.server is Server.CHECKING:
            self._show(Server.RUNNING, back_notice(self._record if self._look_up else ""))

    def _show(self, server: Server, text: str) -> None:
        self.server, self._text = server, text
        self.label.setText(text)
        self.label.setAccessibleDescription(text)
        self.label.setVisible(bool(text))
        for button in self._buttons:
            self._gate(button)
        if server is Server.STOPPED:
            self._release_modality()

    def _gate(self, button: QWidget) -> None:
        self._gating = True
        try:
            button.setEnabled(self._wanted[id(button)] and not self.blocked)
            button.setToolTip(self.blocked or self._tips[id(button)])
            button.setAccessibleDescription(self.blocked)
        finally:
            self._gating = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The form enabled or disabled a gated button: remember it; keep it off while blocked."""
        if event.type() == QEvent.Type.EnabledChange and not self._gating:
            if isinstance(watched, QWidget) and id(watched) in self._wanted:
                self._wanted[id(watched)] = watched.isEnabled()
                if self.blocked and watched.isEnabled():
                    self._gate(watched)
        return False

    def _release_modality(self) -> None:
        """A window-modal dialog would keep the main window, and its restart button, out of
        reach: it becomes modeless (shown again, as Qt applies modality when shown)."""
        form = self._form
        if isinstance(form, QDialog) and form.windowModality() != Qt.WindowModality.NonModal:
            visible = form.isVisible()
            form.hide()  # hidden first: Qt drops a modal window from its list as it hides
            form.setWindowModality(Qt.WindowModality.NonModal)
            if visible:
                form.show()
