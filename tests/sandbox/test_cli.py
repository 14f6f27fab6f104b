"""``python -m photon_desktop.sandbox``: the JSON line, loopback only, quiet logs, clean exits."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

ANNOUNCED = {
    "issuer", "authorize_url", "token_url", "revoke_url", "graphql_url", "jwks_url", "audience",
    "m2m", "native_client_id", "users", "org_id", "admin_url", "admin_key",
}  # fmt: skip


def test_the_json_line_announces_every_endpoint_on_loopback(sandbox, http) -> None:
    assert ANNOUNCED <= set(sandbox.raw)
    issuer = urlsplit(sandbox.issuer)
    assert (issuer.scheme, issuer.hostname, issuer.path) == ("http", "127.0.0.1", "/")
    assert issuer.port and issuer.port > 0
    for name in ("authorize_url", "token_url", "revoke_url", "graphql_url", "jwks_url"):
        assert sandbox.raw[name].startswith(sandbox.issuer)
    assert sandbox.audience == "https://api.sandbox.photon.local"
    assert sandbox.org_id.startswith("org_")
    assert {u["role"] for u in sandbox.users} == {"prescriber", "staff", "support", "admin"}
    assert all(u["email"] and u["permissions"] for u in sandbox.users)
    assert http.get(sandbox.jwks_url).status_code == 200


def test_secrets_are_new_each_run_and_the_data_is_the_same(sandbox, fresh_sandbox) -> None:
    other = fresh_sandbox()
    assert other.issuer != sandbox.issuer
    assert other.m2m_client_secret != sandbox.m2m_client_secret
    assert other.admin_key != sandbox.admin_key
    assert other.org_id == sandbox.org_id  # same seed, same demo data
    assert other.m2m_client_id == sandbox.m2m_client_id


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_signal_ends_the_process_cleanly(fresh_sandbox, sig) -> None:
    running = fresh_sandbox()
    assert running.stop(sig) == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(running.jwks_url, timeout=2)
    assert "Traceback" not in running.stderr_text()


def test_stop_signals_never_meet_the_default_action_while_the_server_swaps_handlers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every disposition the server gives SIGINT and SIGTERM, on the way in and out of serving:
    none is the default action (die by the signal), so a second stop signal, which the app may
    send while the child ends, cannot turn its exit 0 into -15 at any moment. A signal while it
    serves stops it."""
    import uvicorn

    from photon_desktop.sandbox import cli

    real = signal.signal
    set_to: list[tuple[int, object]] = []

    def recording(sig: int, handler: Any) -> Any:
        set_to.append((sig, handler))
        return real(sig, handler)

    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def quiet(_signum: int, _frame: object) -> None:  # main() stops quietly before serving
        pass

    real(signal.SIGTERM, quiet)
    monkeypatch.setattr(signal, "signal", recording)

    async def scenario() -> bool:
        server = cli._Server(uvicorn.Config(lambda *_: None, lifespan="off", log_config=None))
        with server.capture_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(100):
                await asyncio.sleep(0.01)
                if server.should_exit:
                    break
        return server.should_exit

    try:
        stopped = asyncio.run(scenario())
    finally:
        for sig, handler in before.items():
            real(sig, handler)
        monkeypatch.undo()
    assert stopped
    assert set_to and all(handler is not signal.SIG_DFL for _sig, handler in set_to), set_to
    assert [h for sig, h in set_to if sig == signal.SIGTERM][-1] is quiet  # main()'s, back


def test_the_log_holds_no_secrets_and_no_drop_tracebacks(fresh_sandbox) -> None:
    running = fresh_sandbox()
    body = running.sign_in("prescriber@sandbox.photon.local")
    m2m = running.m2m_token()
    running.fail_next({"kind": "drop"})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        httpx.post(running.graphql_url, json={"query": "{ me { id } }"}, headers={
            "Authorization": m2m}, timeout=5)  # fmt: skip
    assert running.stop() == 0
    log = running.stderr_text()
    assert "listening at" in log
    for secret in (
        running.m2m_client_secret,
        running.admin_key,
        m2m,
        body["access_token"],
        body["refresh_token"],
        body["id_token"],
    ):
        assert secret not in log
    assert "Traceback" not in log


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.com"])
def test_a_non_loopback_host_is_refused(host) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "photon_desktop.sandbox", "--host", host, "--port", "0"],
        capture_output=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stdout == b""
    assert b"--host" in done.stderr or b"--allow-remote" in done.stderr


def test_bad_fault_options_are_refused_before_starting() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "photon_desktop.sandbox", "--error-rate", "3"],
        capture_output=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert b"error_rate" in done.stderr


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_ipv6_loopback_works(fresh_sandbox) -> None:
    running = fresh_sandbox("--host", "::1")
    assert urlsplit(running.issuer).hostname == "::1"
    assert running.m2m_token()


def _start_with_stdin_pipe(*args: str) -> tuple[subprocess.Popen[bytes], dict]:
    process = subprocess.Popen(
        [sys.executable, "-m", "photon_desktop.sandbox", "--port", "0", "--patients", "20", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def _close_pipes(process: subprocess.Popen[bytes]) -> bytes:
    """Close the finished process's pipes; what it wrote to stderr."""
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read()
    process.stderr.close()
    return stderr


def test_with_exit_with_parent_the_end_of_stdin_stops_the_server() -> None:
    process, announced = _start_with_stdin_pipe("--exit-with-parent")
    assert httpx.get(announced["jwks_url"], timeout=5).status_code == 200
    assert process.stdin is not None
    process.stdin.write(b"anything written is ignored\n")
    process.stdin.flush()
    process.stdin.close()  # what the OS does for a parent that died
    assert process.wait(timeout=15) == 0
    stderr = _close_pipes(process)
    assert b"the parent has gone" in stderr
    assert b"Traceback" not in stderr


def test_without_the_flag_the_end_of_stdin_changes_nothing() -> None:
    process, announced = _start_with_stdin_pipe()
    try:
        assert process.stdin is not None
        process.stdin.close()
        # Served after stdin ended: a request is answered only by a running server.
        assert httpx.get(announced["jwks_url"], timeout=5).status_code == 200
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=15)
        _close_pipes(process)
    assert process.returncode == 0


def test_a_request_in_flight_when_the_stop_comes_is_still_answered() -> None:
    """The quick stop closes idle connections at once but lets a request being served finish."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from photon_desktop.sandbox import cli

    async def scenario() -> tuple[int, str]:
        entered, release = asyncio.Event(), asyncio.Event()

        async def slow(request: object) -> PlainTextResponse:
            entered.set()
            await release.wait()
            return PlainTextResponse("answered")

        app = Starlette(routes=[Route("/slow", slow)])
        server = cli._Server(uvicorn.Config(app, lifespan="off", log_config=None))
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        async with httpx.AsyncClient(timeout=30) as idle, httpx.AsyncClient(timeout=30) as busy:
            asking = asyncio.create_task(busy.get(url + "/slow"))
            await entered.wait()
            server._stop()  # what SIGTERM does
            await asyncio.sleep(0.05)
            assert not serving.done()  # waits for the request in flight
            release.set()
            answer = await asking
            await asyncio.wait_for(serving, 30)
            with pytest.raises(httpx.ConnectError):
                await idle.get(url + "/slow")  # no longer listening
        return answer.status_code, answer.text

    assert asyncio.run(scenario()) == (200, "answered")


def test_a_stop_wakes_the_server_loop_without_waiting_for_its_tick(monkeypatch) -> None:
    """uvicorn looked at its stop flag every 0.1 s: with the tick made an hour, a stop that had
    to wait for it would never end the loop within the test's guard."""
    import uvicorn

    from photon_desktop.sandbox import cli

    monkeypatch.setattr(cli, "_TICK_S", 3600.0)

    async def scenario() -> None:
        server = cli._Server(uvicorn.Config(app=None, lifespan="off", log_config=None))
        loop_task = asyncio.create_task(server.main_loop())
        await asyncio.sleep(0)  # the loop has ticked once and waits
        assert not loop_task.done()
        server._stop()
        await asyncio.wait_for(loop_task, 30)

    asyncio.run(scenario())


def test_stop_signals_repeated_until_the_process_ends_still_end_it_with_code_0() -> None:
    """A parent may ask twice (a stop, then a stop that waits): whenever the second ask lands,
    while the server stops or while the interpreter ends, the exit code stays 0."""
    process, _ = _start_with_stdin_pipe()
    while process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.001)
    assert process.stdin is not None
    process.stdin.close()
    stderr = _close_pipes(process)
    assert process.returncode == 0, stderr.decode(errors="replace")
    assert b"Traceback" not in stderr
