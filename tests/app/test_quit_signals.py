"""Ctrl+C or SIGTERM to a real ``photon-desktop --demo`` with an idle window: it shuts down
cleanly (its own exit code, not a kill) and its sandbox child goes with it."""

from __future__ import annotations

import os
import select
import signal
import sys
from pathlib import Path

import pytest
from app_support import demo_process, process_env

STOP_S = 10.0  # a generous bound: the wakeup makes it well under a second (benchmarks/)


def _gone_within(pid: int, seconds: float) -> bool:
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], seconds)[0])
    finally:
        os.close(fd)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_quit_signal_stops_the_idle_app_and_its_sandbox(
    tmp_path: Path, signum: signal.Signals
) -> None:
    with demo_process(process_env(tmp_path)) as (app, _seen):
        children = _children(app.pid)
        assert len(children) == 1, children  # the sandbox

        app.send_signal(signum)
        assert _gone_within(app.pid, STOP_S), "the app ignored the signal"
        assert _gone_within(children[0], STOP_S), "the sandbox outlived the app"
        assert app.stderr is not None
        rest = app.stderr.read()
        assert app.wait() == 128 + signum, rest  # its own clean exit, not killed by the signal
        assert f"stopping on {signum.name}" in rest
