"""Fixtures for the composed app: offscreen Qt, isolated QSettings and keyring, a qasync runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import pytest
from auth_fakes import MemoryKeyring
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from photon_desktop.ui.common.theme import Theme


@pytest.fixture
def isolated(tmp_path: Path, qapp: QApplication) -> Iterator[MemoryKeyring]:
    """QSettings under this test's tmp dir and an in-memory keyring; windows closed after."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    QCoreApplication.setOrganizationName("PhotonDesktopTests")
    QCoreApplication.setApplicationName("app-tests")
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    quit_on_close = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield backend
    keyring.set_keyring(previous)
    for widget in qapp.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    qapp.processEvents()
    qapp.setQuitOnLastWindowClosed(quit_on_close)


@pytest.fixture
def theme(qapp: QApplication) -> Iterator[Theme]:
    """The app's theme, for light and dark screenshots; the application's look restored after."""
    style, palette = qapp.style().name(), qapp.palette()
    applied = Theme(qapp)
    yield applied
    applied.setParent(None)
    qapp.setPalette(palette)
    qapp.setStyle(style)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform warns when a top-level window is shown; it says nothing about us.
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))
