"""DNS-rebinding protection: serve only requests addressed to the loopback names we listen on.

A web page on ``evil.example`` can make its name resolve to 127.0.0.1 and then script requests to
the sandbox; the browser still sends ``Host: evil.example:<port>``. So only ``127.0.0.1:<port>``,
``localhost:<port>``, ``[::1]:<port>`` and the issuer's own host are answered (in the spirit of
RFC 8252 §8.3); anything else gets 421 Misdirected Request, a missing ``Host`` 400.

Starlette's ``TrustedHostMiddleware`` is not used: it ignores the port and splits an IPv6
literal such as ``[::1]:8080`` at its first colon.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def allowed_hosts(issuer: str) -> frozenset[str]:
    """The ``Host`` values a run at ``issuer`` (``http://<host>:<port>/``) answers."""
    parts = urlsplit(issuer)
    port = parts.port
    hosts = {f"{name}:{port}" for name in LOOPBACK_NAMES}
    hosts.add(parts.netloc.lower())
    return frozenset(hosts)


class LoopbackHostMiddleware:
    """Refuse HTTP requests whose ``Host`` header is not one of ``allowed``."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        values = [v for k, v in scope.get("headers", ()) if k == b"host"]
        if len(values) != 1:
            await _refuse(send, 400, b"A request needs exactly one Host header.")
            return
        host = values[0].decode("latin-1").strip().lower()
        if host not in self.allowed:
            await _refuse(send, 421, b"This sandbox answers only requests to its loopback address.")
            return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, message: bytes) -> None:
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(message)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": message})
