"""Fixtures for the settings pane and welcome page tests: a qasync runner, an in-memory keyring,
isolated QSettings, and light/dark schemes for screenshots."""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import pytest
from auth_fakes import MemoryKeyring
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication
from qasync_helpers import run_on_qasync
from ui_support import dark_palette


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def close_windows(qapp: QApplication) -> Iterator[None]:
    """Close and delete every window a test left open, now, outside any event loop.

    A shown window collected later, inside another test's loop, would be the "last window
    closed" and quit that loop.
    """
    yield
    for widget in qapp.topLevelWidgets():
        if widget.isVisible():
            widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, qapp: QApplication) -> Iterator[None]:
    """Every test writes its QSettings to its own folder."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    QCoreApplication.setOrganizationName("PhotonDesktopTests")
    QCoreApplication.setApplicationName("settings-tests")
    yield


@pytest.fixture
def arun(qapp: QApplication) -> Callable[..., Any]:
    def run(coro: Coroutine[Any, Any, Any], timeout: float = 20.0) -> Any:
        return run_on_qasync(qapp, coro, timeout)

    return run


@pytest.fixture(params=["light", "dark"])
def scheme(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """Run a screenshot test in light and in dark (Fusion with a dark palette)."""
    previous_style = qapp.style().name()
    previous = qapp.palette()
    qapp.setStyle("Fusion")
    qapp.setPalette(dark_palette() if request.param == "dark" else qapp.style().standardPalette())
    yield request.param
    qapp.setPalette(previous)
    qapp.setStyle(previous_style)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform warns when a top-level window is shown; it says nothing about us.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))
