"""A locked screen pauses order polling: the desktop's screensaver signal, over a real private
D-Bus session, reaches the watcher."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from photon_desktop.services.screen_lock import watch_screen_lock

PROBE = Path(__file__).with_name("screen_lock_probe.py")


def test_screensaver_lock_pauses_and_unlock_resumes(tmp_path: Path) -> None:
    assert shutil.which("dbus-run-session"), "dbus-run-session not installed: apt-get install dbus"
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_RUNTIME"))}
    env["XDG_RUNTIME_DIR"] = str(runtime)
    result = subprocess.run(
        ["dbus-run-session", "--", sys.executable, str(PROBE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == {"seen": [True, False], "statuses": ["paused", "watching"]}


def test_without_a_session_bus_nothing_is_watched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/none")
    assert asyncio.run(watch_screen_lock(lambda _locked: None)) is None
