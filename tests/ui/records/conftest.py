"""Fixtures for the prescription and order views: a Workspace over one-layer fakes of the session
and services (the runner, schemes, QSettings and window clean-up come from tests/ui/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from records_fakes import FakeServices, FakeSession

from photon_desktop.auth.environments import LOCAL_SANDBOX
from photon_desktop.ui.workspace import Workspace

READ_ALL = {"read:patient", "read:prescription", "read:order"}


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
