"""Open the sign-in page in the system browser and learn whether a browser really started.

``QDesktopServices.openUrl`` returns True as soon as a handler accepted the URL, even when no
browser window ever appears (a broken ``xdg-open``, a remote session). So the browser is sent to
a one-shot address on this computer that answers with a redirect to the sign-in page: a request
there proves a browser started. Nothing secret passes through it (the sign-in page's address
carries only the PKCE challenge), and it answers one request on an unguessable path, once.
"""

from __future__ import annotations

import logging
import secrets

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtNetwork import QHostAddress, QTcpServer, QTcpSocket

log = logging.getLogger(__name__)

_MAX_HEAD = 8192


class BrowserLauncher(QObject):
    """``open(url)`` like ``QDesktopServices.openUrl``; ``arrived`` when the browser came."""

    arrived = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server: QTcpServer | None = None
        self._target = ""
        self._path = ""
        self.seen = False

    def open(self, url: str) -> bool:
        self.close()
        self.seen = False
        server = QTcpServer(self)
        if not server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0):
            log.info("no local redirect for the browser: %s", server.errorString())
            return QDesktopServices.openUrl(QUrl(url))  # cannot tell, but still open it
        self._server, self._target = server, url
        self._path = "/sign-in/" + secrets.token_urlsafe(16)
        server.newConnection.connect(self._accept)
        return QDesktopServices.openUrl(QUrl(f"http://127.0.0.1:{server.serverPort()}{self._path}"))

    def close(self) -> None:
        """Stop listening (the sign-in ended, or a new one starts)."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
            server.deleteLater()

    def _accept(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            socket = server.nextPendingConnection()
            socket.setParent(self)  # outlives the server, which closes after one answer
            buffer = bytearray()
            socket.readyRead.connect(lambda s=socket, b=buffer: self._read(s, b))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QTcpSocket, buffer: bytearray) -> None:
        buffer += bytes(socket.readAll().data())
        if b"\r\n\r\n" not in buffer and len(buffer) < _MAX_HEAD:
            return
        parts = bytes(buffer).split(b"\r\n", 1)[0].split(b" ")
        if len(parts) == 3 and parts[0] == b"GET" and parts[1].decode("latin-1") == self._path:
            location = self._target.encode("latin-1")
            socket.write(
                b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n"
                b"Cache-Control: no-store\r\nConnection: close\r\n\r\n"
            )
            self.seen = True
            self.close()  # one request, once
            self.arrived.emit()
        else:
            socket.write(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
        socket.disconnectFromHost()
