"""Fixtures for the auth tests: ``arun`` runs a coroutine on a qasync loop."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from qasync_helpers import run_on_qasync


@pytest.fixture
def arun(qapp: QApplication) -> Callable[..., Any]:
    def run(coro: Coroutine[Any, Any, Any], timeout: float = 20.0) -> Any:
        return run_on_qasync(qapp, coro, timeout)

    return run
