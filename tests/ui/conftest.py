"""Fixtures for every UI test under tests/ui: offscreen Qt, QSettings isolated per test, windows
left open closed, a qasync runner over pytest-qt's app, an in-memory keyring, light/dark schemes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# A 1920x1080 offscreen screen (Qt's default is 800x800): windows are clamped to the screen, and
# the app's default 1200x760 window must fit as it does on a clinic's monitor.
_SCREEN = Path(__file__).with_name("offscreen_screen.json")
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"

import pytest  # noqa: E402
from auth_fakes import MemoryKeyring, installed_memory_keyring  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from ui_support import dark_palette  # noqa: E402

from photon_desktop.ui.common import icons  # noqa: E402
from photon_desktop.ui.common.theme import Theme  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform warns when a top-level window is shown; it says nothing about us.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))


@pytest.fixture(autouse=True)
def ui_settings(tmp_path: Path, qapp: QApplication) -> Iterator[Path]:
    """QSettings written under this test's tmp dir (window state must not leak between tests)."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    QCoreApplication.setOrganizationName("PhotonDesktopTests")
    QCoreApplication.setApplicationName("ui-tests")
    yield tmp_path


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


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The process-wide keyring, in memory for this test (tests never touch the real one)."""
    with installed_memory_keyring() as backend:
        yield backend


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


@pytest.fixture(params=["light", "dark"])
def theme(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[Theme]:
    """The app's own Theme forced light, then dark (screenshots of both schemes)."""
    style, palette = qapp.style().name(), qapp.palette()
    applied = Theme(qapp, forced=request.param)
    yield applied
    applied.setParent(None)
    qapp.setPalette(palette)
    qapp.setStyle(style)
    icons.clear_cache()


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
