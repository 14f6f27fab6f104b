"""Fixtures for the prescription and order views: qasync runner, light/dark, isolated QSettings,
and a Workspace over one-layer fakes of the session and services."""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication, QWidget
from qasync_helpers import run_on_qasync
from records_fakes import FakeServices, FakeSession
from ui_support import dark_palette

from photon_desktop.auth.environments import LOCAL_SANDBOX
from photon_desktop.ui.workspace import Workspace

READ_ALL = {"read:patient", "read:prescription", "read:order"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform warns when a top-level window is shown; it says nothing about us.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))


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
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    QCoreApplication.setOrganizationName("PhotonDesktopTests")
    QCoreApplication.setApplicationName("records-tests")
    yield


@pytest.fixture
def arun(qapp: QApplication) -> Callable[..., Any]:
    def run(coro: Coroutine[Any, Any, Any], timeout: float = 20.0) -> Any:
        return run_on_qasync(qapp, coro, timeout)

    return run


@pytest.fixture(params=["light", "dark"])
def scheme(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    previous_style = qapp.style().name()
    previous = qapp.palette()
    qapp.setStyle("Fusion")
    qapp.setPalette(dark_palette() if request.param == "dark" else qapp.style().standardPalette())
    yield request.param
    qapp.setPalette(previous)
    qapp.setStyle(previous_style)


@pytest.fixture
def pages(qapp: QApplication) -> Iterator[list[QWidget]]:
    """Views a test made; closed at the end so no timer of theirs outlives the test's loop."""
    made: list[QWidget] = []
    yield made
    for page in made:
        page.cancel_tasks()  # type: ignore[attr-defined]
        page.close()
        page.deleteLater()
    qapp.processEvents()


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
def session() -> FakeSession:
    return FakeSession(set(READ_ALL))


@pytest.fixture
def workspace(qapp: QApplication, session: FakeSession, services: FakeServices) -> Workspace:
    ws = Workspace()
    ws.set(LOCAL_SANDBOX, session, services)  # type: ignore[arg-type]
    return ws
