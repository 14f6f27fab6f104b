"""One Photon Desktop per login session (``ui.single_instance``), with real processes, a real
lock file and a real local socket: the running launch answers a later one and shows its window
as it was; a dead launch's lock is taken over; one that never answers keeps no one out; a
shared temp folder is not trusted. (The whole app's launches: ``tests/app/test_single_launch``.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QWidget

from photon_desktop.ui import single_instance
from photon_desktop.ui.common.windows import bring_to_front

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sockets")

RUN_TIMEOUT_S = 60


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A login session's runtime folder of this test's own, for this process and its children."""
    folder = tmp_path / "runtime"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder


HOLDER = """
import sys, time
from photon_desktop.ui import single_instance
instance = single_instance.claim()
print("held" if instance is not None and instance.checked else "not held", flush=True)
time.sleep(60)
"""


@pytest.fixture
def holder(runtime: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process that takes the lock and never answers (hung, or not listening yet)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    assert process.stdout is not None
    try:
        assert process.stdout.readline().strip() == "held"
        yield process
    finally:
        process.kill()
        process.wait()
        process.stdout.close()


def test_the_first_launch_holds_the_lock_and_a_second_does_not_get_it(runtime: Path) -> None:
    first = single_instance.claim()
    try:
        assert first is not None and first.checked
        assert single_instance.lock_path(runtime).exists()
        assert single_instance.claim() is None
    finally:
        assert first is not None
        first.release()
    assert not single_instance.lock_path(runtime).exists()
    again = single_instance.claim()
    assert again is not None and again.checked
    again.release()


def test_a_dead_launchs_lock_is_taken_over(holder: subprocess.Popen[str]) -> None:
    assert single_instance.claim() is None  # alive: held
    holder.send_signal(signal.SIGKILL)  # no chance to unlock
    holder.wait()
    instance = single_instance.claim()
    assert instance is not None and instance.checked
    instance.release()


def test_a_launch_that_never_answers_keeps_no_one_out(holder: subprocess.Popen[str]) -> None:
    began = time.monotonic()
    assert single_instance.hand_over(timeout_s=0.5) is False
    assert time.monotonic() - began < 3


HAND_OVER = "from photon_desktop.ui import single_instance as s; print(s.hand_over())"


def asked_for(window: QWidget, qtbot: Any, qtlog: Any, **env: str) -> str:
    """``window`` as the running launch's, asked for by a later launch's ``hand_over`` in a
    process of its own (run with ``env`` added; this test's event loop answers it); what that
    launch printed. (Offscreen Qt warns that it cannot raise a window: that says nothing of the
    code, so it is not kept.)"""
    instance = single_instance.claim()
    assert instance is not None
    instance.listen(window)
    try:
        second = subprocess.Popen(
            [sys.executable, "-c", HAND_OVER],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )
        with qtlog.disabled():
            qtbot.waitUntil(lambda: second.poll() is not None, timeout=RUN_TIMEOUT_S * 1000)
        assert second.stdout is not None
        with second.stdout:
            return second.stdout.read().strip()
    finally:
        instance.release()


@pytest.fixture
def no_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """No launcher token in this process's environment (put back as it was after the test)."""
    for name in single_instance.TOKEN_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_the_running_launch_answers_and_shows_its_window(
    runtime: Path, no_tokens: None, widgets: list[QWidget], qtbot: Any, qtlog: Any
) -> None:
    """A window maximized, then hidden to the tray, comes back maximized when asked, with the
    later launch's activation token where Qt looks for it."""
    window = QMainWindow()
    widgets.append(window)
    window.showMaximized()
    window.hide()
    assert asked_for(window, qtbot, qtlog, XDG_ACTIVATION_TOKEN="launch-1_a.b") == "True"
    assert window.isVisible()
    assert window.windowState() & Qt.WindowState.WindowMaximized
    assert os.environ["XDG_ACTIVATION_TOKEN"] == "launch-1_a.b"
    assert os.environ["DESKTOP_STARTUP_ID"] == "launch-1_a.b"


def test_a_token_that_is_not_one_is_not_passed_on(
    runtime: Path, no_tokens: None, widgets: list[QWidget], qtbot: Any, qtlog: Any
) -> None:
    window = QMainWindow()
    widgets.append(window)
    assert asked_for(window, qtbot, qtlog, DESKTOP_STARTUP_ID="a b\x7f") == "True"  # it comes
    assert not any(name in os.environ for name in single_instance.TOKEN_VARIABLES)


def test_each_display_has_a_launch_of_its_own(
    runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One user at the screen (:0) and remotely (:10): one runtime folder, two sessions."""
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    at_the_screen = single_instance.claim()
    monkeypatch.setenv("DISPLAY", ":10.0")
    remote = single_instance.claim()
    try:
        assert at_the_screen is not None and at_the_screen.checked
        assert remote is not None and remote.checked
        assert single_instance.claim() is None  # a second launch on :10.0
    finally:
        for instance in (at_the_screen, remote):
            if instance is not None:
                instance.release()
    assert sorted(p.name for p in runtime.iterdir()) == []


def test_a_minimized_window_is_restored_as_it_was(widgets: list[QWidget], qtlog: Any) -> None:
    window = QMainWindow()
    widgets.append(window)
    window.show()
    window.setWindowState(Qt.WindowState.WindowMaximized | Qt.WindowState.WindowMinimized)
    with qtlog.disabled():
        bring_to_front(window)
    assert window.windowState() == Qt.WindowState.WindowMaximized


def test_without_a_session_folder_a_private_one_is_made_in_the_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    folder = single_instance.runtime_folder()
    assert folder == tmp_path / f"photon-desktop-{os.getuid()}"
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_temp_folder_others_can_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone else could have made it first, to answer in place of the running launch."""
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    shared = tmp_path / f"photon-desktop-{os.getuid()}"
    shared.mkdir()
    shared.chmod(0o777)
    assert single_instance.runtime_folder() is None
    instance = single_instance.claim()  # runs, without the check
    assert instance is not None and not instance.checked
