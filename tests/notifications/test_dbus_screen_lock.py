"""A locked screen pauses order polling: the desktop's screensaver signal, over a real private
D-Bus session, reaches the watcher."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from dbus_session import run_probe

from photon_desktop.services.screen_lock import watch_screen_lock

PROBE = Path(__file__).with_name("screen_lock_probe.py")


def test_screensaver_lock_pauses_and_unlock_resumes(tmp_path: Path) -> None:
    answer = run_probe(PROBE, tmp_path)
    assert answer == {"seen": [True, False], "statuses": ["paused", "watching"]}


def test_without_a_session_bus_nothing_is_watched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/none")
    assert asyncio.run(watch_screen_lock(lambda _locked: None)) is None
