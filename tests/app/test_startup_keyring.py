"""A Secret Service that never answers does not hold the window back: the app starts the keyring
probe, shows the window and paints the demo's patient list while the probe still waits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keyring
import pytest
from auth_fakes import HangingKeyring, MemoryKeyring
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from photon_desktop import app
from photon_desktop.auth import secret_store
from photon_desktop.desktop import Desktop

Run = Callable[..., Any]


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_demo_window_shows_and_works_while_the_keyring_hangs(
    isolated: MemoryKeyring,
    arun: Run,
    qapp: QApplication,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    hanging = HangingKeyring()
    keyring.set_keyring(hanging)
    # Longer than the whole scenario may take: had start-up waited for the probe, it would hang.
    monkeypatch.setattr(secret_store, "CALL_TIMEOUT_S", 600.0)
    # run() undoes its signal handlers first thing when it ends: note whether the keyring answered.
    probed: list[bool] = []
    monkeypatch.setattr(
        app, "on_quit_signals", lambda _handler: lambda: probed.append(hanging.release.is_set())
    )
    shot = tmp_path / "demo.png"
    args = app.parse_args(["--demo", "--patients", "20", "--smoke", str(shot)])
    try:
        assert arun(app.run(qapp, args), timeout=90) == 0
    finally:
        hanging.release.set()
    assert probed == [False]  # the app had finished while the keyring still had not answered
    assert '"first_page_s"' in capsys.readouterr().out  # the patient list was painted
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 800


def test_the_probe_result_arrives_as_a_signal(isolated: MemoryKeyring, arun: Run) -> None:
    async def scenario() -> list[bool]:
        desktop = Desktop()
        answers: list[bool] = []
        got = asyncio.get_running_loop().create_future()
        desktop.keyring_probed.connect(lambda usable: (answers.append(usable), got.set_result(0)))
        try:
            desktop.start(None)
            assert answers == []  # started, not awaited
            await got
            return answers
        finally:
            await desktop.aclose()

    assert arun(scenario()) == [True]  # the in-memory keyring is a usable store
