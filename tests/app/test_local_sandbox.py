"""The sandbox child as the app owns it: its exit is reported at once, it restarts fresh, and it
never outlives the app, even when the app is killed with SIGKILL."""

from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from photon_desktop.local_sandbox import LocalSandbox, SandboxInfo

Run = Callable[..., Any]
CREATE = """mutation { createPatient(name: {first: "Ephemeral", last: "Zyxwv"},
  dateOfBirth: "2000-01-01", sex: FEMALE, phone: "2125550100") { id } }"""
FIND = 'query { patients(filter: {name: "Zyxwv"}) { id } }'


def gone_within(pid: int, seconds: float) -> bool:
    """True once process ``pid`` (not necessarily our child) has ended; waits on a pidfd."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], seconds)
        return bool(readable)
    finally:
        os.close(fd)


def m2m_token(info: SandboxInfo) -> str:
    answer = httpx.post(
        info.issuer + "oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": info.m2m_client_id,
            "client_secret": info.m2m_client_secret,
            "audience": info.audience,
        },
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


async def graphql(info: SandboxInfo, query: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.post(
            info.graphql_url, json={"query": query}, headers={"Authorization": m2m_token(info)}
        )
    return dict(answer.json())


def test_a_killed_child_is_reported_at_once_to_awaiters_and_observers() -> None:
    async def scenario() -> tuple[int, list[int], bool]:
        sandbox = LocalSandbox(patients=20)
        seen: list[int] = []
        sandbox.add_exit_observer(seen.append)
        await sandbox.start()
        assert sandbox.running and sandbox.pid is not None and sandbox.exited is not None
        os.kill(sandbox.pid, signal.SIGKILL)
        code = await asyncio.wait_for(sandbox.exited, 15)
        return code, seen, sandbox.running

    code, seen, running = asyncio.run(scenario())
    assert code == -signal.SIGKILL
    assert seen == [-signal.SIGKILL]
    assert not running


def test_stop_is_reported_as_a_clean_exit_and_the_port_closes() -> None:
    async def scenario() -> tuple[int, SandboxInfo]:
        sandbox = LocalSandbox(patients=20)
        info = await sandbox.start()
        sandbox.stop()
        assert sandbox.exited is not None
        return await asyncio.wait_for(sandbox.exited, 15), info

    code, info = asyncio.run(scenario())
    assert code == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(info.issuer + ".well-known/jwks.json", timeout=5)


def test_a_child_asked_to_stop_is_not_signalled_again_and_ends_cleanly() -> None:
    """The app asks the child to stop (``request_stop``) as it starts closing and waits for it
    (``stop``) at the end: one SIGTERM, not two. (A second one while the child ended could land
    between its handlers and kill it: "exited with code -15" in the log of a clean exit.)"""

    async def scenario() -> tuple[int, int]:
        sandbox = LocalSandbox(patients=20)
        await sandbox.start()
        process = sandbox._process
        assert process is not None
        sent: list[None] = []
        terminate = process.terminate
        process.terminate = lambda: (sent.append(None), terminate())[1]  # type: ignore[method-assign]
        sandbox.request_stop()
        sandbox.stop()
        assert sandbox.exited is not None
        return len(sent), await asyncio.wait_for(sandbox.exited, 15)

    signals, code = asyncio.run(scenario())
    assert signals == 1
    assert code == 0


def test_restart_gives_a_new_port_new_data_and_a_new_secret() -> None:
    async def scenario() -> tuple[SandboxInfo, SandboxInfo, dict, list[int]]:
        sandbox = LocalSandbox(patients=20)
        codes: list[int] = []
        sandbox.add_exit_observer(codes.append)
        first = await sandbox.start()
        assert "errors" not in await graphql(first, CREATE)
        assert len((await graphql(first, FIND))["data"]["patients"]) == 1
        second = await sandbox.restart()
        found = await graphql(second, FIND)
        sandbox.stop()
        assert sandbox.exited is not None
        await sandbox.exited
        return first, second, found, codes

    first, second, found, codes = asyncio.run(scenario())
    assert second.issuer != first.issuer
    assert second.m2m_client_secret != first.m2m_client_secret
    assert found["data"]["patients"] == []  # the patient created before the restart is gone
    assert codes == [0, 0]
    with pytest.raises(httpx.ConnectError):
        httpx.get(first.issuer + ".well-known/jwks.json", timeout=5)


def test_the_exit_is_reported_on_the_apps_qt_event_loop(arun: Run) -> None:
    async def scenario() -> int:
        sandbox = LocalSandbox(patients=20)
        await sandbox.start()
        assert sandbox.pid is not None and sandbox.exited is not None
        os.kill(sandbox.pid, signal.SIGTERM)
        return await asyncio.wait_for(sandbox.exited, 15)

    assert arun(scenario()) == 0


# -- the parent dies hard ------------------------------------------------------------------------

PARENT_WITH_LOCAL_SANDBOX = textwrap.dedent(
    """
    import asyncio, json, sys
    from photon_desktop.local_sandbox import LocalSandbox

    async def main():
        sandbox = LocalSandbox(patients=20)
        info = await sandbox.start()
        print(json.dumps({"pid": sandbox.pid, "issuer": info.issuer}), flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
    """
)


def start_parent(code: str, **popen: Any) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    parent = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, **popen
    )
    assert parent.stdout is not None
    line = parent.stdout.readline()
    if not line:
        parent.kill()
        parent.wait()
        pytest.fail("the parent did not start its sandbox")
    return parent, json.loads(line)


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="waits on a pidfd (Linux)")
def test_the_child_dies_when_the_app_is_killed_with_sigkill() -> None:
    parent, child = start_parent(PARENT_WITH_LOCAL_SANDBOX)
    assert httpx.get(child["issuer"] + ".well-known/jwks.json", timeout=5).status_code == 200
    parent.kill()
    parent.wait()
    parent.stdout.close()  # type: ignore[union-attr]
    assert gone_within(child["pid"], 15), "the sandbox outlived its parent"
    with pytest.raises(httpx.ConnectError):
        httpx.get(child["issuer"] + ".well-known/jwks.json", timeout=5)


PARENT_SHARING_ITS_STDIN = textwrap.dedent(
    """
    import json, subprocess, sys
    child = subprocess.Popen(
        [sys.executable, "-m", "photon_desktop.sandbox", "--port", "0", "--patients", "20",
         "--exit-with-parent"],
        stdin=sys.stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    announced = json.loads(child.stdout.readline())
    print(json.dumps({"pid": child.pid, "issuer": announced["issuer"]}), flush=True)
    child.wait()
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_on_linux_the_parents_death_alone_stops_the_child() -> None:
    # The test holds the write end of the child's stdin, so the pipe never closes: only
    # PR_SET_PDEATHSIG can tell the child that its parent died.
    parent, child = start_parent(PARENT_SHARING_ITS_STDIN, stdin=subprocess.PIPE)
    try:
        parent.kill()
        parent.wait()
        assert gone_within(child["pid"], 15), "PR_SET_PDEATHSIG did not stop the child"
    finally:
        parent.stdin.close()  # type: ignore[union-attr]
        parent.stdout.close()  # type: ignore[union-attr]


def test_a_frozen_app_serves_the_sandbox_from_its_own_executable(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frozen, there is no interpreter for ``-m``: the app's executable runs ``sandbox ARGS``
    (here a stand-in that records its arguments and runs the real frozen entry point)."""
    entry = os.path.join(os.path.dirname(__file__), "..", "..", "packaging", "entry.py")
    argv_file = tmp_path / "argv"
    executable = tmp_path / "photon-desktop"
    executable.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > {argv_file}\nexec {sys.executable} {entry} "$@"\n'
    )
    executable.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(executable))

    async def scenario() -> str:
        sandbox = LocalSandbox(patients=5)
        try:
            info = await sandbox.start()
            return info.issuer
        finally:
            sandbox.stop()

    issuer = asyncio.run(scenario())
    assert issuer.startswith("http://127.0.0.1:")
    argv = argv_file.read_text().splitlines()
    assert argv[0] == "sandbox"
    assert "--exit-with-parent" in argv


def test_a_child_spawned_before_the_loop_is_adopted_by_start(arun: Run) -> None:
    """``--demo`` forks the child before Qt and the event loop exist; ``start`` takes that child
    (no second one), and its exit is still reported."""
    sandbox = LocalSandbox(patients=5)
    sandbox.spawn()
    spawned = sandbox._spawned
    assert spawned is not None and not sandbox.running  # not adopted yet

    async def go() -> tuple[SandboxInfo, int | None]:
        info = await sandbox.start()
        pid = sandbox.pid
        sandbox.stop()
        assert sandbox.exited is not None
        await asyncio.wait_for(sandbox.exited, 10)
        return info, pid

    info, pid = arun(go())
    assert pid == spawned.pid and info.graphql_url.startswith("http://127.0.0.1:")
    assert gone_within(spawned.pid, 5)


def test_a_spawned_child_never_adopted_is_stopped() -> None:
    """The app may end before its loop ever ran (an error while starting): ``stop`` ends the
    spawned child too."""
    sandbox = LocalSandbox(patients=5)
    sandbox.spawn()
    spawned = sandbox._spawned
    assert spawned is not None
    sandbox.request_stop()
    sandbox.stop()
    assert spawned.poll() is not None and sandbox._spawned is None
