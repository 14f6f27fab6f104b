"""The loopback redirect receiver (RFC 8252 §7.3) on the running asyncio (qasync) loop.

Bound to ``127.0.0.1`` only, without ``SO_REUSEADDR`` (asyncio enables it by default on POSIX),
on an ephemeral port or the first free port of a fixed list. Only a ``GET`` on the exact callback
path with the right ``state`` ends the flow; everything else is answered and the flow keeps waiting:

    other path / favicon        404        method other than GET    405 (Allow: GET)
    missing or wrong state      400        duplicated/oversized     400
    Host not 127.0.0.1:<port>   400        (DNS rebinding: another site's page cannot call us)
    after the one valid answer  410        (no second token request can follow)

A code is answered only once the app has finished with it (``finish``): the tab says "Signed in"
after the code exchange succeeded, else what failed. The landing page echoes nothing from the
request (an ``error_description`` may carry ``<script>``); the app's own message is escaped.
Nothing here logs a query string: it carries the authorization code.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import html
import logging
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from photon_desktop import errors
from photon_desktop.auth.pkce import same_secret

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
CALLBACK_PATH = "/callback"
MAX_REQUEST_LINE = 4096
MAX_HEADER_BYTES = 16384
READ_TIMEOUT = 10.0
OUTCOME_TIMEOUT = 90.0  # longest the tab waits for the code exchange before being told to check

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Photon Desktop</title>
<style>body{{font-family:sans-serif;max-width:32em;margin:4em auto;line-height:1.5}}</style>
</head><body><h1>{title}</h1><p>{text}</p></body></html>
"""
SUCCESS_PAGE = _PAGE.format(
    title="Signed in", text="You can close this tab and return to Photon Desktop."
)
FAILED_PAGE = _PAGE.format(
    title="Sign-in did not complete",
    text="You can close this tab and return to Photon Desktop to see what happened.",
)


def failed_page(message: str) -> str:
    """The tab's answer when the app could not complete the sign-in (``message`` is escaped)."""
    return _PAGE.format(
        title="Sign-in did not complete",
        text=html.escape(message) + " You can close this tab and return to Photon Desktop.",
    )


_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    410: "Gone",
    414: "URI Too Long",
}
_SHORT = {
    400: "This is not a valid sign-in answer for Photon Desktop.",
    404: "Not found.",
    405: "Only GET is allowed.",
    410: "This sign-in answer was already used. Return to Photon Desktop.",
}


@dataclass(frozen=True, slots=True)
class Callback:
    """The one accepted answer: a code, or the authorization server's error code."""

    code: str | None = field(default=None, repr=False)
    error: str | None = None
    iss: str | None = None  # RFC 9207: who sent the answer, when the provider says


def _response(status: int, body: str, extra: dict[str, str] | None = None) -> bytes:
    data = body.encode("utf-8")
    headers = {
        "Content-Type": "text/html; charset=utf-8"
        if status == 200
        else "text/plain; charset=utf-8",
        "Content-Length": str(len(data)),
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        "X-Content-Type-Options": "nosniff",
        "Connection": "close",
        **(extra or {}),
    }
    head = f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()
    )
    return head.encode("latin-1") + b"\r\n" + data


class LoopbackReceiver:
    """Waits for exactly one valid redirect; ``start`` before opening the browser."""

    def __init__(self, state: str, *, ports: Sequence[int] = ()) -> None:
        self._state = state
        self._ports = tuple(ports)
        self._server: asyncio.base_events.Server | None = None
        self._result: asyncio.Future[Callback] | None = None
        self._consumed = False
        self._outcome: asyncio.Future[str | None] | None = None
        self._unanswered: set[asyncio.StreamWriter] = set()  # connected, no request read yet
        self.port: int | None = None

    @property
    def redirect_uri(self) -> str:
        if self.port is None:
            raise RuntimeError("the receiver is not started")
        return f"http://{HOST}:{self.port}{CALLBACK_PATH}"

    @property
    def listening(self) -> bool:
        return self._server is not None and self._server.is_serving()

    async def start(self) -> None:
        """Listen on an ephemeral port, or the first free port of the fixed list."""
        loop = asyncio.get_running_loop()
        self._result = loop.create_future()
        self._outcome = loop.create_future()
        candidates = self._ports or (0,)
        taken: list[int] = []
        for port in candidates:
            try:
                sock = self._bind(port)
            except OSError as error:
                if error.errno in (errno.EADDRINUSE, errno.EACCES):
                    taken.append(port)
                    continue
                raise errors.SignInError(
                    f"Could not listen for the sign-in answer on this computer ({error.strerror})."
                ) from None
            self._server = await asyncio.start_server(
                self._handle, sock=sock, limit=MAX_HEADER_BYTES
            )
            self.port = sock.getsockname()[1]
            return
        raise errors.SignInError(
            "Every sign-in port is in use by another program ("
            + ", ".join(str(p) for p in taken)
            + "). Close it, or add another port in Settings, then try again."
        )

    @staticmethod
    def _bind(port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if sys.platform == "win32":  # pragma: no cover - Windows only
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)  # type: ignore[attr-defined]
            sock.bind((HOST, port))
            sock.listen(8)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        return sock

    async def wait(self, give_up_after: float) -> Callback:
        """The accepted callback; SignInError when the browser never comes back in time."""
        if self._result is None:
            raise RuntimeError("the receiver is not started")
        try:
            return await asyncio.wait_for(asyncio.shield(self._result), give_up_after)
        except TimeoutError:
            minutes = max(1, round(give_up_after / 60))
            raise errors.SignInError(
                f"No answer came back from the browser within {minutes} minute"
                f"{'s' if minutes != 1 else ''}. Try signing in again."
            ) from None

    def finish(self, failure: str | None = None) -> None:
        """What the waiting browser tab says: signed in (None), or ``failure``."""
        if self._outcome is not None and not self._outcome.done():
            self._outcome.set_result(failure)

    async def close(self) -> None:
        """Stop listening and free the port (idempotent)."""
        self.finish("The sign-in was cancelled or did not finish.")
        server, self._server = self._server, None
        if self._result is not None and not self._result.done():
            self._result.cancel()
        if server is not None:
            server.close()
            # Python 3.11's server.close() leaves accepted connections open: a browser's spare
            # connection that never sent a request would outlive the sign-in, unclosed. (A tab
            # waiting for its answer is answered: ``finish`` above said what to tell it.)
            for writer in list(self._unanswered):
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2.0)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._answer(reader, writer)
        finally:  # also when cancelled, or closed by ``close`` while it waited for a request
            self._unanswered.discard(writer)
            writer.close()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._unanswered.add(writer)
        try:
            status, body, extra = await asyncio.wait_for(self._respond(reader), READ_TIMEOUT)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            status, body, extra = 400, _SHORT[400], None
        except ConnectionError:
            return
        finally:
            self._unanswered.discard(writer)
        if status == 200 and body is SUCCESS_PAGE:
            body = await self._outcome_page()
        log.debug("Loopback receiver answered HTTP %s", status)
        try:
            writer.write(_response(status, body, extra))
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _outcome_page(self) -> str:
        """Hold the tab's answer until the app finished with the code."""
        assert self._outcome is not None
        try:
            failure = await asyncio.wait_for(asyncio.shield(self._outcome), OUTCOME_TIMEOUT)
        except TimeoutError:
            return FAILED_PAGE
        return SUCCESS_PAGE if failure is None else failed_page(failure)

    def _host_ok(self, head: bytes) -> bool:
        hosts = [
            line.split(b":", 1)[1].strip()
            for line in head.split(b"\r\n")[1:]
            if line.lower().startswith(b"host:")
        ]
        return hosts == [f"{HOST}:{self.port}".encode()]

    async def _respond(
        self, reader: asyncio.StreamReader
    ) -> tuple[int, str, dict[str, str] | None]:
        head = await reader.readuntil(b"\r\n\r\n")
        line = head.split(b"\r\n", 1)[0]
        if len(line) > MAX_REQUEST_LINE:
            return 400, _SHORT[400], None
        parts = line.decode("latin-1").split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            return 400, _SHORT[400], None
        method, target, _version = parts
        if not self._host_ok(head):
            return 400, _SHORT[400], None
        url = urlsplit(target)
        if url.path != CALLBACK_PATH:
            return 404, _SHORT[404], None
        if method != "GET":
            return 405, _SHORT[405], {"Allow": "GET"}
        if self._consumed:
            return 410, _SHORT[410], None
        try:
            pairs = parse_qsl(url.query, keep_blank_values=True, strict_parsing=bool(url.query))
        except ValueError:
            return 400, _SHORT[400], None
        names = [name for name, _ in pairs]
        if len(names) != len(set(names)):
            return 400, _SHORT[400], None
        query = dict(pairs)
        if not same_secret(self._state, query.get("state")):
            return 400, _SHORT[400], None
        code, error, iss = query.get("code"), query.get("error"), query.get("iss")
        if error:
            result = Callback(
                error=error if error.replace("_", "").isalnum() else "invalid", iss=iss
            )
        elif code:
            result = Callback(code=code, iss=iss)
        else:
            return 400, _SHORT[400], None
        self._consumed = True
        if self._result is not None and not self._result.done():
            self._result.set_result(result)
        return 200, (SUCCESS_PAGE if result.code else FAILED_PAGE), None
