"""What app tests share: the composed app in a block, and an isolated environment for running
``photon-desktop`` as a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from photon_desktop import app
from photon_desktop.desktop import Desktop, SessionPage, build_window
from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.signin.window import SignInWindow


def process_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a child ``photon-desktop``: offscreen, its own home, config and login
    session's runtime folder (so it never meets another launch's single-instance lock), and
    keyring's fail backend (nothing reaches the machine's keyring)."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ)
    env.update(
        XDG_RUNTIME_DIR=str(runtime),
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


@contextmanager
def demo_process(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """A real ``photon-desktop --demo --patients 20`` (``env``: ``process_env``), given once its
    sandbox child answers, with its log lines so far (the rest is still to be read from its
    stderr); killed after the block if it still runs."""
    app = subprocess.Popen(
        [sys.executable, "-m", "photon_desktop", "--demo", "--patients", "20"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert app.stderr is not None
    try:
        seen = []
        for line in app.stderr:  # the app logs each step; wait for its sandbox to answer
            seen.append(line)
            if "local sandbox ready" in line:
                break
        else:
            raise AssertionError("the app ended before its sandbox answered:\n" + "".join(seen))
        yield app, seen
    finally:
        if app.poll() is None:
            app.kill()
        app.wait()
        app.stderr.close()


@asynccontextmanager
async def running_app() -> AsyncIterator[tuple[Desktop, MainWindow]]:
    """The composed app (``Desktop`` and its window, shown), closed and cleaned up after."""
    desktop = Desktop()
    window = build_window(desktop)
    try:
        window.show()
        yield desktop, window
    finally:
        window.close()
        await desktop.aclose()


@asynccontextmanager
async def signed_out_on_the_bundled_sandbox() -> AsyncIterator[tuple[Desktop, MainWindow]]:
    """The composed app on a small bundled sandbox, connected but nobody signed in."""
    desktop = Desktop(demo_patients=10)
    window = build_window(desktop)
    try:
        await desktop.open_environment("local", restore=False)
        window.show()
        yield desktop, window
    finally:
        window.close()
        await desktop.aclose()


@asynccontextmanager
async def on_the_bundled_sandbox(patients: int = 10) -> AsyncIterator[tuple[Desktop, MainWindow]]:
    """The composed app (shown, 1200x760) signed in to a small bundled sandbox with its demo
    M2M pair."""
    desktop = Desktop(demo_patients=patients)
    window = build_window(desktop)
    try:
        window.resize(1200, 760)
        window.show()
        await desktop.connect_demo()
        yield desktop, window
    finally:
        window.close()
        await desktop.aclose()


def sign_in_window(window: MainWindow) -> SignInWindow:
    page = window.page("sign-in")
    assert isinstance(page, SessionPage) and page.sign_in is not None
    return page.sign_in


def smoke_demo_in_process(
    arun: Callable[..., Any], qapp: QApplication, shot: Path, patients: int = 5
) -> int:
    """``app.run`` with ``--demo --smoke shot`` on this test's loop (as ``main`` runs it, minus the
    process); the Theme it installs on the application is taken off again, so later tests bring
    their own. Returns its exit code."""
    args = app.parse_args(["--demo", "--patients", str(patients), "--smoke", str(shot)])
    themes_before = set(qapp.findChildren(Theme))
    try:
        code: int = arun(app.run(qapp, args), timeout=90)
    finally:
        for theme in set(qapp.findChildren(Theme)) - themes_before:
            theme.setParent(None)
    return code
