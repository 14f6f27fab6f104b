"""A Secret Service that never answers does not hold the window back: the app starts the keyring
probe, shows the window and paints the demo's patient list while the probe still waits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keyring
import pytest
from app_support import smoke_demo_in_process
from auth_fakes import HangingKeyring, LockedKeyring, MemoryKeyring
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from photon_desktop import app
from photon_desktop.auth import secret_store
from photon_desktop.auth.secret_store import NO_KEYRING_NOTICE
from photon_desktop.desktop import Desktop, build_window
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.settings.pane import SettingsPane
from photon_desktop.ui.worklist.settings import OrderUpdatesSettings

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
    try:
        assert smoke_demo_in_process(arun, qapp, shot, patients=20) == 0
    finally:
        hanging.release.set()
    assert probed == [False]  # the app had finished while the keyring still had not answered
    assert '"first_page_s"' in capsys.readouterr().out  # the patient list was painted
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 800


def test_the_probe_result_arrives_as_a_signal_and_settings_follows(
    isolated: MemoryKeyring, arun: Run
) -> None:
    keyring.set_keyring(LockedKeyring())

    async def scenario() -> None:
        desktop = Desktop()
        window = build_window(desktop)
        settings = window.page("settings")
        assert isinstance(settings, SettingsPane)
        answers: list[bool] = []
        got: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        desktop.keyring_probed.connect(
            lambda usable: (answers.append(usable), got.set_result(None))
        )
        try:
            desktop.start(None)
            assert answers == [] and settings.keyring_notice.isHidden()  # started, not awaited
            await got
            assert answers == [False]
            assert settings.keyring_notice.text().startswith(NO_KEYRING_NOTICE)
            assert not settings.keyring_notice.isHidden()
        finally:
            window.close()
            await desktop.aclose()

    arun(scenario())


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_demo_paints_its_first_page_before_it_probes_the_keyring(
    isolated: MemoryKeyring,
    arun: Run,
    qapp: QApplication,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--demo`` keeps its secret in memory: the keyring (its import, its backends, a Secret
    Service round trip) waits until the first page is painted; only Settings' notice needs it."""
    events: list[str] = []
    painted, probe = MainWindow._on_patients_painted, Desktop.probe_keyring
    monkeypatch.setattr(
        MainWindow, "_on_patients_painted", lambda w: (events.append("painted"), painted(w))
    )
    monkeypatch.setattr(Desktop, "probe_keyring", lambda d: (events.append("probe"), probe(d)))
    assert smoke_demo_in_process(arun, qapp, tmp_path / "shot.png") == 0
    assert events[:2] == ["painted", "probe"]


def test_settings_built_on_its_first_visit_says_what_happened_before(
    isolated: MemoryKeyring, arun: Run
) -> None:
    """The pane is built when first shown: by then the keyring was probed and the bundled sandbox
    runs; the pane says both, and holds the order-update settings, as if it had been there."""
    keyring.set_keyring(LockedKeyring())

    async def scenario() -> None:
        desktop = Desktop(demo_patients=5)
        window = build_window(desktop)
        try:
            desktop.start(None)
            assert desktop._probe is not None
            await desktop._probe
            await desktop.connect_demo()
            window.show_page("settings")
            settings = window.page("settings")
            assert isinstance(settings, SettingsPane)
            assert settings.keyring_notice.text().startswith(NO_KEYRING_NOTICE)
            settings.environment_combo.setCurrentIndex(settings.environment_combo.findData("local"))
            issuer = desktop.workspace.environment.issuer
            assert f"is running at {issuer}" in settings.endpoints_label.text()
            assert settings.findChild(OrderUpdatesSettings) is not None
        finally:
            window.close()
            await desktop.aclose()

    arun(scenario(), timeout=90)
