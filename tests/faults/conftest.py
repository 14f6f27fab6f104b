"""The fault matrix's outcomes, printed as a table at the end of a run that ran its cells."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The services tests' helpers (recorded retry waits) are shared, not copied.
sys.path.insert(0, str(Path(__file__).parents[1] / "services"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    matrix = sys.modules.get("fault_matrix")
    if matrix is None or not matrix.RESULTS:
        return
    terminalreporter.write_sep("=", "fault matrix (each cell: PASS/FAIL and what the user gets)")
    terminalreporter.write_line(matrix.render_table(matrix.RESULTS))


@pytest.fixture(scope="session")
def start_sandbox(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """The suite's own ``start_sandbox`` (tests/conftest.py, not importable by name from here,
    where ``conftest`` is this file), for the sandbox processes these cells kill and restart."""
    suite = Path(__file__).parents[1] / "conftest.py"
    for plugin in request.config.pluginmanager.get_plugins():
        if getattr(plugin, "__file__", None) == str(suite):
            return plugin.start_sandbox  # type: ignore[no-any-return]
    raise AssertionError(f"{suite} is not loaded")
