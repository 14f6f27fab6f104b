"""One Photon Desktop per login session: launching it again brings the running window forward.

A workstation keeps the app open all day, often closed to the tray. Launching it again from the
menu used to start a second copy: two tray icons, two order watchers (each update notified
twice), two sessions refreshing tokens on their own. Now the first launch holds a lock
(``QLockFile``; Qt takes over a lock whose process has died) in the user's runtime folder, one
per display, and once started up listens on a local socket beside it (``QLocalServer``). A
later launch finds the lock held, asks the running app to show its window, and ends
(``hand_over``).

Where no private runtime folder exists (``XDG_RUNTIME_DIR`` unset and the fallback folder not
safely ours), or the lock cannot be written, the app runs without the check, as before. A
running app that never answers (hung, or a stale lock Qt could not tell from a live one) does
not keep the user out either: after ``HAND_OVER_TIMEOUT_S`` this launch starts on its own.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLockFile, QStandardPaths
from PySide6.QtWidgets import QWidget

from photon_desktop.ui.common.windows import bring_to_front

log = logging.getLogger(__name__)

NAME = "photon-desktop"
ACTIVATE = b"activate"  # then " TOKEN" when the launch has one, then a newline
ACTIVATED = b"activated\n"
#: A launcher gives the process it starts a token that lets its window take the focus: on
#: Wayland (xdg-activation) and in X11 startup notification. The launch that hands over passes
#: its token on, and the running one puts it where Qt looks for it before raising its window;
#: without it a compositor may only mark the window as wanting attention.
TOKEN_VARIABLES = ("XDG_ACTIVATION_TOKEN", "DESKTOP_STARTUP_ID")
_TOKEN_MAX = 512
#: How long a second launch waits for the running app: its socket opens once it has started up
#: (about half a second after its launch), and an answer takes one turn of its event loop.
HAND_OVER_TIMEOUT_S = 5.0
_RETRY_S = 0.05


def runtime_folder() -> Path | None:
    """This user's private folder for the session: ``XDG_RUNTIME_DIR`` on Linux (made by the
    login, mode 0700, emptied at logout), else Qt's runtime location (macOS, Windows), else a
    ``photon-desktop-<uid>`` folder in the temp folder, used only if it is this user's alone.
    None when there is no such folder."""
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isdir(xdg):
        return Path(xdg)
    if sys.platform in ("darwin", "win32"):
        found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.RuntimeLocation)
        return Path(found) if found else None
    folder = Path(tempfile.gettempdir()) / f"photon-desktop-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    # In a shared temp folder, another user could have made it first to answer in our place.
    private = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
    return folder if private and not info.st_mode & 0o077 else None


def session_name() -> str:
    """``photon-desktop``, plus the display this launch shows on (``WAYLAND_DISPLAY``, else
    ``DISPLAY``) where there is one: one user may be logged in twice at once (at the screen and
    remotely), with one runtime folder for both, and a launch in one session must not hand over
    to a window on another's display."""
    display = os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY") or ""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in display)
    return f"{NAME}-{safe}" if safe else NAME


def lock_path(folder: Path) -> Path:
    return folder / f"{session_name()}.lock"


def socket_name(folder: Path) -> str:
    """The local socket's name: a file in ``folder``; on Windows a named pipe, whose name cannot
    hold a path, named for the user instead."""
    if sys.platform == "win32":
        return f"{session_name()}-{os.environ.get('USERNAME', 'user')}"
    return str(folder / f"{session_name()}.socket")


class Instance:
    """This launch as the one that runs: it holds the lock until ``release``; ``listen`` answers
    later launches. ``Instance(None, None)``: running without the check."""

    def __init__(self, lock: QLockFile | None, folder: Path | None) -> None:
        self._lock = lock
        self._folder = folder
        self._server: Any = None  # a QLocalServer once listening
        self._window: QWidget | None = None

    @property
    def checked(self) -> bool:
        """Whether this launch holds the lock (False: running without the check)."""
        return self._lock is not None

    def listen(self, window: QWidget) -> None:
        """Bring ``window`` to the front whenever a later launch asks for it (called once started
        up: QtNetwork is not on the way to the first page)."""
        if self._lock is None or self._folder is None or self._server is not None:
            return
        from PySide6.QtNetwork import QLocalServer

        path = socket_name(self._folder)
        server = QLocalServer()
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(path)  # a dead launch's socket: this one holds the lock
        if not server.listen(path):
            log.warning("later launches cannot reach this one: %s", server.errorString())
            return
        self._server = server
        self._window = window
        server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            connection = server.nextPendingConnection()
            connection.disconnected.connect(connection.deleteLater)
            connection.readyRead.connect(lambda c=connection: self._answer(c))
            if connection.canReadLine():  # the request came with the connection
                self._answer(connection)

    def _answer(self, connection: Any) -> None:
        if not connection.canReadLine():
            return
        request, _, token = bytes(connection.readLine().data()).rstrip(b"\n").partition(b" ")
        if request == ACTIVATE:
            log.info("a second launch asked for the window")
            if _token_usable(token):
                for name in TOKEN_VARIABLES:
                    os.environ[name] = token.decode("ascii")
            if self._window is not None:
                bring_to_front(self._window)
            connection.write(ACTIVATED)
            connection.flush()
        connection.disconnectFromServer()

    def release(self) -> None:
        """Stop answering and free the lock (the next launch runs on its own)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


def claim() -> Instance | None:
    """This launch as the one that runs, or None when another launch already runs."""
    folder = runtime_folder()
    if folder is None:
        log.info("no private runtime folder: more than one launch may run at once")
        return Instance(None, None)
    lock = QLockFile(str(lock_path(folder)))
    lock.setStaleLockTime(0)  # only a dead holder makes it stale, never its age
    if lock.tryLock(0):
        return Instance(lock, folder)
    if lock.error() is QLockFile.LockError.LockFailedError:
        return None
    log.warning("could not take the single-launch lock in %s (%s)", folder, lock.error().name)
    return Instance(None, None)


def claim_or_hand_over(*, changes: bool) -> Instance | None:
    """This launch as the one that runs, or None once the launch already running has been asked
    for its window (said on stdout; ``changes``: this launch asked for another environment, which
    the running one does not take). A launch that does not answer keeps no one out."""
    instance = claim()
    if instance is not None:
        return instance
    if hand_over():
        note = " (its environment is unchanged: switch in Settings, or quit it first)"
        print(f"Photon Desktop is already running: its window is in front now{note * changes}.")
        return None
    log.warning("Photon Desktop seems to be running already but did not answer: starting anyway")
    return Instance(None, None)


def hand_over(timeout_s: float = HAND_OVER_TIMEOUT_S) -> bool:
    """Ask the running launch for its window; whether it answered within ``timeout_s``."""
    from PySide6.QtNetwork import QLocalSocket

    folder = runtime_folder()
    if folder is None:
        return False
    path = socket_name(folder)
    deadline = time.monotonic() + timeout_s
    socket = QLocalSocket()
    while True:
        socket.connectToServer(path)
        if socket.waitForConnected(_ms_left(deadline)):
            break
        socket.abort()
        if time.monotonic() + _RETRY_S >= deadline:
            return False
        time.sleep(_RETRY_S)  # it holds the lock but is still starting up
    token = next((os.environ[n] for n in TOKEN_VARIABLES if os.environ.get(n)), "").encode()
    socket.write(ACTIVATE + (b" " + token if _token_usable(token) else b"") + b"\n")
    socket.flush()
    answer = b""
    while not answer.endswith(b"\n") and socket.waitForReadyRead(_ms_left(deadline)):
        answer += bytes(socket.readAll().data())
    socket.abort()
    return answer == ACTIVATED


def _token_usable(token: bytes) -> bool:
    """A launcher's token as the protocols make them: printable ASCII, no spaces, bounded."""
    return 0 < len(token) <= _TOKEN_MAX and all(0x21 <= byte <= 0x7E for byte in token)


def _ms_left(deadline: float) -> int:
    return max(1, int((deadline - time.monotonic()) * 1000))
