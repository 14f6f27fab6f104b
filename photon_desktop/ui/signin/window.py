"""The login window: "Sign in with Photon" in the system browser, a waiting state with Cancel,
"Copy sign-in link" when the browser does not open, errors a person can act on, and the result.

The flow itself is ``SignInService.sign_in_with_browser``; this window starts it with
``tasks.spawn`` (never ``exec()`` inside a coroutine) and cancels that task for Cancel, Esc or
closing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.services.signin import SignInService
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.theme import show_error

if TYPE_CHECKING:
    from photon_desktop.ui.signin.browser import BrowserLauncher

log = logging.getLogger(__name__)

_STYLE = """
QLabel#environmentBanner { padding: 8px; border-radius: 4px; font-weight: bold;
  background: palette(alternate-base); }
QLabel#environmentBanner[production="true"] { background: #b71c1c; color: white; }
QLabel#keyringNotice { color: palette(placeholder-text); }
"""


class SignInWindow(QWidget):
    """Signs one environment's session in with the browser.

    With the default opener the window learns whether a browser really came (``BrowserLauncher``);
    if none did within ``BROWSER_START_S`` seconds, it says so and puts "Copy sign-in link" first.
    """

    signed_in = Signal()
    BROWSER_START_S = 5.0

    def __init__(
        self,
        service: SignInService,
        *,
        open_url: Callable[[str], bool] | None = None,
        blocked: Callable[[], str] = lambda: "",
        parent: QWidget | None = None,
    ) -> None:
        """``blocked()``: why a sign-in cannot start now (e.g. its server stopped), or ""."""
        super().__init__(parent)
        self.service = service
        self._blocked = blocked
        self._stopped_reason = ""
        self._launcher: BrowserLauncher | None = None  # the default opener's, made when used
        self._open_url = open_url or self._launch
        self._browser_check = QTimer(self)
        self._browser_check.setSingleShot(True)
        self._browser_check.timeout.connect(self._browser_may_not_have_opened)
        self._link = ""
        self._task: asyncio.Task[None] | None = None
        env = service.environment
        self.setWindowTitle(
            f"Sign in — {env.name}" + (" — PRODUCTION" if env.is_production else "")
        )
        self.setStyleSheet(_STYLE)

        self.banner = QLabel(
            f"PRODUCTION: {env.name}. Real patients and real prescriptions."
            if env.is_production
            else f"Environment: {env.name}"
        )
        self.banner.setObjectName("environmentBanner")
        self.banner.setProperty("production", env.is_production)
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Environment")

        self.sign_in_button = QPushButton("Sign in with Photon")
        self.sign_in_button.setAccessibleName("Sign in with Photon")
        self.sign_in_button.setAccessibleDescription("Opens your web browser to sign in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.start)

        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel sign-in")
        self.cancel_button.clicked.connect(self.cancel)

        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Sign-in status")
        self.error = QLabel("")
        self.error.setObjectName("signInError")
        show_error(self.error)  # readable on dark too, and after the scheme changes
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Sign-in error")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.link_field = QLineEdit()
        self.link_field.setReadOnly(True)
        self.link_field.setAccessibleName("Sign-in link")
        self.copy_button = QPushButton("Copy sign-in link")
        self.copy_button.setAccessibleName("Copy sign-in link")
        self.copy_button.clicked.connect(self.copy_link)

        self.account = QLabel("")
        self.account.setWordWrap(True)
        self.account.setAccessibleName("Current sign-in")
        self.account.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.setAccessibleName("Sign out")
        self.sign_out_button.setAccessibleDescription(
            "Revokes the sign-in and removes it from this computer's keyring"
        )
        self.sign_out_button.clicked.connect(self.sign_out)

        self.notice = QLabel("")
        self.notice.setObjectName("keyringNotice")
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Notice")

        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)  # buttons keep their natural width on a wide page
        link_row = QHBoxLayout()
        link_row.addWidget(self.link_field, 1)
        link_row.addWidget(self.copy_button)
        account_row = QHBoxLayout()
        account_row.addWidget(self.account, 1)
        account_row.addWidget(self.sign_out_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(account_row)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addLayout(link_row)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addStretch(1)

        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.activated.connect(self._escape)
        self._unsubscribe = service.subscribe(self._on_changed)
        self.destroyed.connect(lambda _obj=None, off=self._unsubscribe: off())
        self._show_idle()
        self._refresh_account()

    # ------------------------------------------------------------------ states

    @property
    def waiting(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def link(self) -> str:
        return self._link

    def _set_link_visible(self, visible: bool) -> None:
        self.link_field.setVisible(visible)
        self.copy_button.setVisible(visible)

    def _show_idle(self) -> None:
        self._browser_check.stop()
        if self._launcher is not None:
            self._launcher.close()
        self.copy_button.setDefault(False)
        self.sign_in_button.setEnabled(not self._blocked())
        self.cancel_button.setVisible(False)
        self._set_link_visible(False)
        self._refresh_notice()

    def _on_changed(self) -> None:
        self._refresh_notice()
        self._refresh_account()

    def _refresh_notice(self) -> None:
        text = self.service.notice or ""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _refresh_account(self) -> None:
        service = self.service
        blocked = bool(self._blocked())
        if blocked:  # the sign-in died with its server, whatever the session still says
            self.account.setText("Not signed in: disconnected.")
        elif service.signed_in:
            if service.permissions_known:
                granted = ", ".join(sorted(service.permissions)) or "none"
            else:
                granted = "could not be read from the sign-in; Photon decides what you may do"
            self.account.setText(
                f"Signed in as {service.identity or 'an unnamed user'} to "
                f"{service.environment.name}.\nPermissions: {granted}"
            )
        else:
            self.account.setText("Not signed in.")
        self.sign_out_button.setVisible(service.signed_in and not blocked)

    # ------------------------------------------------------------------ actions

    def sign_out(self) -> None:
        """Revoke and forget this environment's sign-in (works offline: secrets still deleted)."""
        self.cancel()
        self.sign_out_button.setEnabled(False)
        tasks.spawn(self._sign_out(), owner=self, name="sign-out")

    async def _sign_out(self) -> None:
        try:
            self.status.setText(await self.service.sign_out())
        finally:
            self.sign_out_button.setEnabled(True)
            self._refresh_account()

    def start(self) -> None:
        """Begin the browser sign-in (no-op while one is waiting)."""
        if self.waiting:
            return
        if reason := self._blocked():
            self.status.clear()
            self.error.setText(reason)
            return
        self.error.clear()
        self._link = ""
        self.link_field.clear()
        self.sign_in_button.setEnabled(False)
        self.cancel_button.setVisible(True)
        self.status.setText("Starting sign-in…")
        self._task = tasks.spawn(self._run(), owner=self, name="browser-sign-in")

    def cancel(self) -> None:
        if self.waiting:
            assert self._task is not None
            self._task.cancel()

    def stop_for(self, reason: str) -> None:
        """End a waiting sign-in because its server cannot answer, and say why."""
        if self.waiting:
            self.cancel()
            self._stopped_reason = reason

    def follow_server(self) -> None:
        """Its server stopped (``blocked()`` says why) or runs again: the page says so at once,
        with "Sign in with Photon" off while nothing could answer it."""
        reason = self._blocked()
        if reason:
            self.stop_for(reason)
            self.status.clear()
            self.error.setText(reason)
        elif self.error.text() and not self.waiting:
            self.error.clear()
        self.sign_in_button.setEnabled(not reason and not self.waiting)
        self.sign_in_button.setToolTip(reason)
        self._refresh_account()

    def copy_link(self) -> None:
        if self._link:
            QGuiApplication.clipboard().setText(self._link)
            self.status.setText(
                "Sign-in link copied. Paste it into your web browser and finish signing in there."
            )

    def _escape(self) -> None:
        """Esc cancels a waiting sign-in; a stand-alone login window then closes on Esc."""
        if self.waiting:
            self.cancel()
        elif self.isWindow():
            self.close()

    def _on_link(self, url: str) -> None:
        self._link = url
        self.link_field.setText(url)
        self.link_field.setCursorPosition(0)

    def _launch(self, url: str) -> bool:
        # Imported here: QtNetwork (~2 MB) is not needed until someone signs in.
        from photon_desktop.ui.signin.browser import BrowserLauncher

        if self._launcher is None:
            self._launcher = BrowserLauncher(self)
        return self._launcher.open(url)

    def _open(self, url: str) -> bool:
        opened = bool(self._open_url(url))
        if opened:
            self.status.setText(
                "Finish signing in in your web browser. This window updates when you are done."
            )
            self.copy_button.setVisible(True)  # if nothing arrives, the link still works
            if self._launcher is not None:
                self._browser_check.start(int(self.BROWSER_START_S * 1000))
        else:
            self.status.setText(
                "Your web browser could not be opened. Copy the sign-in link below, paste it "
                "into a browser on this computer and finish signing in there."
            )
            self._set_link_visible(True)
            self.link_field.setFocus()
        return opened

    def _browser_may_not_have_opened(self) -> None:
        """The system accepted the link but no browser asked for it: say so, link first."""
        if not self.waiting or (self._launcher is not None and self._launcher.seen):
            return
        self.status.setText(
            "Your web browser may not have opened. Copy the sign-in link, paste it into a "
            "browser on this computer and finish signing in there; this page updates when you "
            "are done."
        )
        self._set_link_visible(True)
        self.copy_button.setDefault(True)
        self.copy_button.setFocus()

    async def _run(self) -> None:
        try:
            await self.service.sign_in_with_browser(self._open, on_link=self._on_link)
        except asyncio.CancelledError:
            reason, self._stopped_reason = self._stopped_reason, ""
            self.status.setText("" if reason else "Sign-in cancelled.")
            self.error.setText(reason)
            self._show_idle()
            raise
        except errors.PhotonError as error:
            self.status.clear()
            self.error.setText(str(error))
            self._show_idle()
            return
        self._show_idle()
        # "Signed in as …" is the account line's: the status does not say it a second time.
        self.status.setText("Sign-in complete.")
        self.signed_in.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        tasks.cancel_all(self)
        super().closeEvent(event)
