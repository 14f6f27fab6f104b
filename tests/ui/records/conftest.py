"""Fixtures for the prescription and order views: a Workspace over one-layer fakes of the session
and services. The runner, ``widgets``, schemes and QSettings are in tests/ui/conftest.py."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from records_fakes import FakeServices, FakeSession

from photon_desktop.auth.environments import LOCAL_SANDBOX
from photon_desktop.ui.workspace import Workspace

READ_ALL = {"read:patient", "read:prescription", "read:order"}


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
