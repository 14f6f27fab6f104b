"""Write flows open and close their own windows: closing the last one must not quit the app
(the ``widgets`` fixture puts the setting back after each test), and a window deleted on close
is dropped from ``widgets`` before its clean-up runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QWidget


@pytest.fixture(autouse=True)
def windows_may_close(qapp: QApplication, widgets: list[QWidget]) -> Iterator[None]:
    qapp.setQuitOnLastWindowClosed(False)
    yield
    widgets[:] = [w for w in widgets if shiboken6.isValid(w)]
