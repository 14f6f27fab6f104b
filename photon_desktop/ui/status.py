"""The status bar: where am I connected, as whom, for how long, and is anything happening.

Every piece has its own label, including the keyring notice: nothing is drawn with
``showMessage`` over the environment and sign-in (a temporary message hides them).
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStatusBar,
    QWidget,
)

from photon_desktop.domain.durations import format_duration
from photon_desktop.ui.common.elided_label import ElidedLabel
from photon_desktop.ui.common.formatting import fmt_until
from photon_desktop.ui.common.states import RESTART_LABEL
from photon_desktop.ui.organizations.memberships import memberships_for
from photon_desktop.ui.workspace import Workspace

M2M_LABEL = "M2M (backend)"


def toolbar_sign_in(workspace: Workspace) -> str:
    """The toolbar's sign-in state, beside the environment's name (a ready workspace)."""
    session = workspace.session
    kind = getattr(session.kind, "value", "none")
    if workspace.unavailable:  # its sign-in died with the server, whatever the session says
        return "Not signed in: disconnected"
    if kind == "m2m":
        return f"Signed in: {M2M_LABEL}"
    if kind == "user":
        return f"Signed in: {session.identity or 'user'}"
    return "Not signed in"


def format_remaining(seconds: float) -> str:
    """``3725`` → "1 h 2 min"; under a minute → "45 s"; past → "expired"."""
    return "expired" if seconds <= 0 else format_duration(seconds)


class StatusBar(QStatusBar):
    """Environment · identity · organization · token expiry (ticking) · online · busy."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._wanted: dict[QWidget, bool] = {}  # each label's visibility, held through messages
        self.environment = self._label("Environment")
        self.identity = self._label("Signed in as")
        self.organization = self._label("Organization")
        self.expiry = self._label("Token expires in")
        self.connection = self._label("Connection")
        # Takes the room that is left (never widens the window) and ends in "…" when that is
        # too little; the tooltip has it all.
        self.notice = ElidedLabel(parent=self)
        self.notice.setAccessibleName("Notice")
        self.notice.setContentsMargins(6, 0, 6, 0)
        self._show(self.notice, False)
        self._notice_is_the_sessions = False
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(90)
        self.busy.setMaximumHeight(12)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Working")
        self.busy.setVisible(False)
        for widget in (self.environment, self.identity, self.organization, self.expiry):
            self.addWidget(widget)
        self.addWidget(self.notice, 1)
        self.addPermanentWidget(self.busy)
        self.addPermanentWidget(self.connection)

        self.messageChanged.connect(self._on_message)

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._update_expiry)
        workspace.environment_changed.connect(self.refresh)
        workspace.session_changed.connect(self.refresh)
        workspace.activity_changed.connect(self._update_activity)
        workspace.availability_changed.connect(self.refresh)
        memberships_for(workspace).changed.connect(self.refresh)
        self.refresh()

    def _show(self, widget: QWidget, shown: bool) -> None:
        """Show or hide one of the bar's own labels. While a temporary message is up, QStatusBar
        hides them and, when it ends, brings back those not hidden on purpose: one shown
        meanwhile was drawn over the message, so showing waits for the message to end."""
        self._wanted[widget] = shown
        if not shown or not self.currentMessage():
            widget.setVisible(shown)

    def _on_message(self, text: str) -> None:
        if not text:
            for widget, shown in self._wanted.items():
                widget.setVisible(shown)

    def _label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setAccessibleName(name)
        label.setContentsMargins(6, 0, 6, 0)
        return label

    def set_notice(self, text: str, detail: str = "") -> None:
        """A lasting notice (e.g. no secure keyring) in its own place; "" removes it."""
        self.notice.set_detail(detail or text)
        self.notice.setText(("⚠ " + text) if text else "")
        self._show(self.notice, bool(text))

    def refresh(self) -> None:
        if not self._workspace.ready:
            self.environment.setText("Not connected")
            for label in (self.identity, self.organization, self.expiry):
                label.clear()
                self._show(label, False)
            self._tick.stop()
            self._update_activity()
            return
        env = self._workspace.environment
        self.environment.setText(("⚠ " if env.is_production else "") + env.name)
        self.environment.setAccessibleDescription(
            "Production: real patients" if env.is_production else ""
        )
        session = self._workspace.session
        if self._workspace.unavailable:
            self._show_disconnected()
            return
        kind = getattr(session.kind, "value", "none")
        if kind == "m2m":
            who = M2M_LABEL
        elif kind == "user":
            who = session.identity or "Signed in"
        else:
            who = "Not signed in"
        self.identity.setText(who)
        self.identity.setToolTip(f"Signed in as {who} to {env.name}" if kind != "none" else who)
        self.identity.setAccessibleDescription(self.identity.toolTip())
        self._show(self.identity, True)
        org = memberships_for(self._workspace).current_name  # by name once known
        self.organization.setText(org)
        self.organization.setToolTip(f"Organization: {org} ({session.organization_id})")
        self._show(self.organization, bool(org))
        self._update_expiry()
        if session.expires_at is not None:
            self._tick.start()
        else:
            self._tick.stop()
        self._update_activity()
        self._session_notice(session.notice if session.signed_in else None)

    def _session_notice(self, text: str | None) -> None:
        """What a working sign-in has to say (the keyring stopped mid-session, a renewal
        failed), in the notice's place; gone when the session has nothing more to say."""
        if text:
            self.set_notice(text.split(". ")[0].rstrip(".") + ".", text)
            self._notice_is_the_sessions = True
        elif self._notice_is_the_sessions:
            self.set_notice("")
            self._notice_is_the_sessions = False

    def _show_disconnected(self) -> None:
        """Its server stopped: no sign-in, organization or token to speak of until it runs."""
        self.identity.setText("Not signed in")
        self.identity.setToolTip(self._workspace.unavailable)
        self.identity.setAccessibleDescription(self._workspace.unavailable)
        self._show(self.identity, True)
        for label in (self.organization, self.expiry):
            label.clear()
            self._show(label, False)
        self._tick.stop()
        self._update_activity()

    def _update_expiry(self) -> None:
        ws = self._workspace
        expires = ws.session.expires_at if ws.ready and not ws.unavailable else None
        if expires is None:
            self.expiry.clear()
            self._show(self.expiry, False)
            return
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        remaining = (expires - datetime.now(UTC)).total_seconds()
        self.expiry.setText(f"Token: {format_remaining(remaining)}")
        self.expiry.setToolTip(f"The access token expires at {fmt_until(expires)}.")
        self._show(self.expiry, True)

    def _update_activity(self) -> None:
        if not self._workspace.ready:
            self.busy.setVisible(False)
            self.connection.setText("Not connected")
            self.connection.setToolTip("No environment is connected yet.")
            return
        activity = self._workspace.services.activity
        self.busy.setVisible(activity.in_flight > 0)
        if self._workspace.unavailable:
            self.connection.setText("● Stopped")
            self.connection.setToolTip(self._workspace.unavailable)
        elif activity.online is False:
            self.connection.setText("● Offline")
            error = activity.last_error
            self.connection.setToolTip(str(error) if error else "Photon cannot be reached.")
        elif activity.online:
            self.connection.setText("● Online")
            self.connection.setToolTip("Photon answered the last request.")
        else:
            self.connection.setText("○ Not checked yet")
            self.connection.setToolTip("No request has been sent yet.")
        self.connection.setAccessibleDescription(self.connection.toolTip())


class OutageBar(QFrame):
    """A strip above every page while the environment's server has stopped: what happened and
    the one action that helps ("Restart the local sandbox"), instead of network advice."""

    restart_requested = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outageBar")
        self.setAccessibleName("Local sandbox stopped")
        self.setStyleSheet(
            "QFrame#outageBar { background: #fff3cd; border-bottom: 1px solid #d4a017; }"
            "QFrame#outageBar QLabel { color: #4d3800; }"
        )
        self._workspace = workspace
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Outage")
        self.restart_button = QPushButton(RESTART_LABEL, self)
        self.restart_button.setAccessibleDescription(
            "Starts a fresh local sandbox with new demo data and connects to it"
        )
        self.restart_button.clicked.connect(self._restart)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.restart_button)
        workspace.availability_changed.connect(self.refresh)
        self.refresh()

    def _restart(self) -> None:
        self.restart_button.setEnabled(False)
        self.message.setText("Restarting the local sandbox…")
        self.restart_requested.emit()

    def refresh(self) -> None:
        reason = self._workspace.unavailable
        self.message.setText(reason)
        self.restart_button.setEnabled(True)
        self.setVisible(bool(reason))
