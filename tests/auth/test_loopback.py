"""The loopback receiver's attack and fault matrix, over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import warnings
from collections.abc import Callable
from typing import Any

import pytest

from photon_desktop import errors
from photon_desktop.auth.loopback import LoopbackReceiver

STATE = "s" * 43
Run = Callable[..., Any]


async def send(port: int, raw: bytes) -> tuple[int, dict[str, str], str]:
    """Send raw bytes (with the receiver's own Host), return (status, headers, body)."""
    raw = raw.replace(b"Host: 127.0.0.1\r\n", f"Host: 127.0.0.1:{port}\r\n".encode())
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
    return status, headers, body.decode("utf-8")


def get(target: str, method: str = "GET") -> bytes:
    return f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


async def started(ports: tuple[int, ...] = (), *, app: bool = True) -> LoopbackReceiver:
    """A listening receiver; ``app``: something plays the app and reports the exchange done."""
    receiver = LoopbackReceiver(STATE, ports=ports)
    await receiver.start()
    if app:

        async def exchange_done() -> None:
            await receiver.wait(30)
            receiver.finish(None)

        _app_tasks.add(asyncio.ensure_future(exchange_done()))
    return receiver


_app_tasks: set[asyncio.Future[None]] = set()


def test_binds_127_0_0_1_on_an_ephemeral_port_without_reuseaddr(arun: Run) -> None:
    async def go() -> None:
        r = await started()
        try:
            assert r.redirect_uri == f"http://127.0.0.1:{r.port}/callback"
            assert r._server is not None
            (sock,) = r._server.sockets
            assert sock.getsockname() == ("127.0.0.1", r.port)
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 0
        finally:
            await r.close()

    arun(go())


def test_valid_callback_ends_the_flow_with_a_static_no_store_page(arun: Run) -> None:
    async def go() -> None:
        r = await started()
        try:
            status, headers, body = await send(r.port, get(f"/callback?code=abc123&state={STATE}"))
            assert status == 200
            assert headers["cache-control"] == "no-store"
            assert headers["referrer-policy"] == "no-referrer"
            assert "You can close this tab and return to Photon Desktop" in body
            assert "abc123" not in body
            result = await r.wait(5)
            assert result.code == "abc123" and result.error is None
            assert "abc123" not in repr(result)
        finally:
            await r.close()

    arun(go())


@pytest.mark.parametrize("query", ["code=abc", "code=abc&state=wrong", "code=abc&state="])
def test_missing_or_wrong_state_is_400_and_the_flow_keeps_waiting(arun: Run, query: str) -> None:
    async def go() -> None:
        r = await started()
        try:
            status, _, _ = await send(r.port, get(f"/callback?{query}"))
            assert status == 400
            with pytest.raises(errors.SignInError):
                await r.wait(0.2)
            status, _, _ = await send(r.port, get(f"/callback?code=good&state={STATE}"))
            assert status == 200
            assert (await r.wait(5)).code == "good"
        finally:
            await r.close()

    arun(go())


def test_access_denied_without_valid_state_is_ignored(arun: Run) -> None:
    async def go() -> None:
        r = await started()
        try:
            status, _, _ = await send(r.port, get("/callback?error=access_denied&state=x"))
            assert status == 400
            with pytest.raises(errors.SignInError):
                await r.wait(0.2)
        finally:
            await r.close()

    arun(go())


def test_access_denied_with_valid_state_ends_the_flow_as_an_error(arun: Run) -> None:
    async def go() -> None:
        r = await started()
        try:
            status, _, body = await send(
                r.port, get(f"/callback?error=access_denied&state={STATE}")
            )
            assert status == 200 and "return to Photon Desktop" in body
            result = await r.wait(5)
            assert result.error == "access_denied" and result.code is None
        finally:
            await r.close()

    arun(go())


def test_script_in_error_description_is_never_echoed(arun: Run) -> None:
    async def go() -> None:
        r = await started()
        try:
            target = (
                f"/callback?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state={STATE}"
                "&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
            )
            status, headers, body = await send(r.port, get(target))
            assert status == 200
            assert "<script" not in body.lower() and "alert(1)" not in body
            assert "default-src 'none'" in headers["content-security-policy"]
            assert (await r.wait(5)).error == "invalid"
        finally:
            await r.close()

    arun(go())


def test_replay_gets_410(arun: Run) -> None:
    async def go() -> None:
        r = await started()
        try:
            target = f"/callback?code=once&state={STATE}"
            assert (await send(r.port, get(target)))[0] == 200
            assert (await send(r.port, get(target)))[0] == 410
            assert (await r.wait(5)).code == "once"
        finally:
            await r.close()

    arun(go())


@pytest.mark.parametrize(
    "target",
    [
        f"/callback?code=a&code=b&state={STATE}",
        f"/callback?code=a&state={STATE}&state={STATE}",
        f"/callback?code={'x' * 5000}&state={STATE}",
        f"/callback?state={STATE}",
    ],
    ids=["duplicated-code", "duplicated-state", "oversized", "no-code-no-error"],
)
def test_malformed_queries_are_400(arun: Run, target: str) -> None:
    async def go() -> None:
        r = await started()
        try:
            assert (await send(r.port, get(target)))[0] == 400
            with pytest.raises(errors.SignInError):
                await r.wait(0.2)
        finally:
            await r.close()

    arun(go())


def test_oversized_headers_are_refused(arun: Run) -> None:
    async def go() -> None:
        r = await started()
        try:
            raw = (
                f"GET /callback?code=a&state={STATE} HTTP/1.1\r\nX-Big: {'y' * 40000}\r\n\r\n"
            ).encode()
            status, _, _ = await send(r.port, raw)
            assert status == 400
            with pytest.raises(errors.SignInError):
                await r.wait(0.2)
        finally:
            await r.close()

    arun(go())


@pytest.mark.parametrize(
    ("method", "target", "expected"),
    [
        ("OPTIONS", f"/callback?code=a&state={STATE}", 405),
        ("HEAD", f"/callback?code=a&state={STATE}", 405),
        ("POST", f"/callback?code=a&state={STATE}", 405),
        ("GET", "/favicon.ico", 404),
        ("GET", f"/callback/?code=a&state={STATE}", 404),
        ("GET", f"/other?code=a&state={STATE}", 404),
    ],
)
def test_other_methods_and_paths_do_not_end_the_flow(
    arun: Run, method: str, target: str, expected: int
) -> None:
    async def go() -> None:
        r = await started()
        try:
            status, headers, _ = await send(r.port, get(target, method))
            assert status == expected
            if expected == 405:
                assert headers["allow"] == "GET"
            with pytest.raises(errors.SignInError):
                await r.wait(0.2)
            assert (await send(r.port, get(f"/callback?code=real&state={STATE}")))[0] == 200
        finally:
            await r.close()

    arun(go())


def test_fixed_port_list_skips_a_taken_port(arun: Run) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    taken = blocker.getsockname()[1]
    free_probe = socket.socket()
    free_probe.bind(("127.0.0.1", 0))
    free = free_probe.getsockname()[1]
    free_probe.close()

    async def go() -> None:
        r = await started((taken, free))
        try:
            assert r.port == free
        finally:
            await r.close()

    try:
        arun(go())
    finally:
        blocker.close()


def test_all_fixed_ports_taken_is_a_clear_error(arun: Run) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    taken = blocker.getsockname()[1]

    async def go() -> None:
        with pytest.raises(errors.SignInError, match=str(taken)):
            await started((taken,))

    try:
        arun(go())
    finally:
        blocker.close()


def test_timeout_says_so_and_close_frees_the_port(arun: Run) -> None:
    async def go() -> int:
        r = await started()
        try:
            with pytest.raises(errors.SignInError, match="No answer came back"):
                await r.wait(0.2)
        finally:
            await r.close()
        assert not r.listening
        assert r.port is not None
        return r.port

    port = arun(go())
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))  # the port is free again
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 1):
        pass


@pytest.mark.parametrize(
    "host",
    ["evil.example:80", "localhost:{port}", "127.0.0.1", "127.0.0.1:1", None, "dup"],
    ids=["other-site", "localhost", "no-port", "other-port", "missing", "duplicated"],
)
def test_only_our_own_host_is_answered(arun: Run, host: str | None) -> None:
    """DNS rebinding: a page on another site that resolves to 127.0.0.1 cannot finish the flow."""

    async def go() -> None:
        r = await started()
        try:
            target = f"/callback?code=abc&state={STATE}"
            if host is None:
                raw = f"GET {target} HTTP/1.1\r\n\r\n"
            elif host == "dup":
                own = f"127.0.0.1:{r.port}"
                raw = f"GET {target} HTTP/1.1\r\nHost: {own}\r\nHost: {own}\r\n\r\n"
            else:
                raw = f"GET {target} HTTP/1.1\r\nHost: {host.format(port=r.port)}\r\n\r\n"
            reader, writer = await asyncio.open_connection("127.0.0.1", r.port)
            writer.write(raw.encode())
            await writer.drain()
            assert (await asyncio.wait_for(reader.read(), 5)).startswith(b"HTTP/1.1 400")
            writer.close()
            with pytest.raises(errors.SignInError):
                await r.wait(0.2)  # still waiting for the real answer
            assert (await send(r.port, get(target)))[0] == 200
        finally:
            await r.close()

    arun(go())


def test_the_tab_says_signed_in_only_after_the_exchange(arun: Run) -> None:
    async def go() -> None:
        r = await started(app=False)
        try:
            answer = asyncio.ensure_future(send(r.port, get(f"/callback?code=c&state={STATE}")))
            assert (await r.wait(5)).code == "c"
            await asyncio.sleep(0.05)
            assert not answer.done()  # the exchange is still running: no verdict yet
            r.finish(None)
            status, _, body = await answer
            assert status == 200 and "<h1>Signed in</h1>" in body
        finally:
            await r.close()

    arun(go())


def test_a_failed_exchange_is_what_the_tab_says(arun: Run) -> None:
    async def go() -> None:
        r = await started(app=False)
        try:
            answer = asyncio.ensure_future(send(r.port, get(f"/callback?code=c&state={STATE}")))
            await r.wait(5)
            r.finish("Photon refused <the> sign-in (HTTP 403).")
            status, _, body = await answer
            assert status == 200 and "Signed in<" not in body
            assert "did not complete" in body and "refused &lt;the&gt; sign-in" in body
        finally:
            await r.close()

    arun(go())


def test_closing_while_the_tab_waits_tells_it(arun: Run) -> None:
    async def go() -> None:
        r = await started(app=False)
        answer = asyncio.ensure_future(send(r.port, get(f"/callback?code=c&state={STATE}")))
        await r.wait(5)
        await r.close()  # cancelled during the exchange
        _, _, body = await answer
        assert "cancelled or did not finish" in body

    arun(go())


def test_close_ends_connections_the_browser_opened_and_never_used(arun: Run) -> None:
    """Browsers open spare connections (pre-connects) that never send a request. Closing the
    receiver must end them too: left open, their sockets outlived the sign-in, unclosed, until
    the garbage collector found them."""
    import gc

    async def go() -> bytes:
        r = await started()
        idle_reader, idle_writer = await asyncio.open_connection("127.0.0.1", r.port)
        try:
            status, _, _ = await send(r.port, get(f"/callback?code=abc123&state={STATE}"))
            assert status == 200
            await r.close()
            return await asyncio.wait_for(idle_reader.read(), 5)  # EOF: the receiver hung up
        finally:
            idle_writer.close()

    assert arun(go()) == b""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        gc.collect()  # an abandoned server-side transport would warn here
