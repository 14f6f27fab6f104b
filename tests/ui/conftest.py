"""Fixtures for the main window and patient views: offscreen Qt, a qasync runner over pytest-qt's
app, and QSettings isolated per test."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# tests/qasync_helpers.py is shared by every test folder; tests/auth/auth_fakes.py holds the
# keyring fakes ui_support.py builds on.
_TESTS = Path(__file__).resolve().parents[1]
for _folder in (str(_TESTS), str(_TESTS / "auth")):
    if _folder not in sys.path:
        sys.path.append(_folder)

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from qasync_helpers import run_on_qasync  # noqa: E402


@pytest.fixture
def ui_settings(tmp_path: Path, qapp: QApplication) -> Iterator[Path]:
    """QSettings written under this test's tmp dir (window state must not leak between tests)."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    QCoreApplication.setOrganizationName("PhotonDesktopTests")
    QCoreApplication.setApplicationName("main-window-tests")
    yield tmp_path


@pytest.fixture
def run(qapp: QApplication) -> Callable[..., Any]:
    """``run(coro)``: drive a scenario on a fresh qasync loop (stack guide §4)."""

    def go(coro: Coroutine[Any, Any, Any], timeout: float = 30.0) -> Any:
        return run_on_qasync(qapp, coro, timeout)

    return go


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform warns when a top-level window is shown; it says nothing about us.
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))


@pytest.fixture
def widgets(qapp: QApplication) -> Iterator[list[QWidget]]:
    """Top-level widgets a test made: their tasks cancelled and closed when it ends.

    Closing them never quits the app (a quit left pending would stop the next test's loop), and
    ``quitOnLastWindowClosed`` is put back as it was, whatever the test set.
    """
    quit_on_close = qapp.quitOnLastWindowClosed()
    made: list[QWidget] = []
    yield made
    qapp.setQuitOnLastWindowClosed(False)
    for widget in made:
        cancel = getattr(widget, "cancel_tasks", None)
        if callable(cancel):
            cancel()
        widget.close()
        widget.deleteLater()
    qapp.processEvents()
    qapp.setQuitOnLastWindowClosed(quit_on_close)
