"""The fault matrix's outcomes, printed as a table at the end of a run that ran its cells."""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cells import OwnSandbox
from PySide6.QtCore import QtMsgType, qInstallMessageHandler

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The services tests' helpers (recorded retry waits) are shared, not copied.
sys.path.insert(0, str(Path(__file__).parents[1] / "services"))


def _ui_fixtures() -> Any:
    """tests/ui/conftest.py under another name: the form cells use its fixtures (QSettings in
    the test's tmp dir, windows closed after the test, ``widgets``) as the UI tests do."""
    path = Path(__file__).parents[1] / "ui" / "conftest.py"
    spec = importlib.util.spec_from_file_location("faults_ui_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_ui = _ui_fixtures()
ui_settings, close_windows, widgets = _ui.ui_settings, _ui.close_windows, _ui.widgets


def pytest_terminal_summary(terminalreporter: Any) -> None:
    matrix = sys.modules.get("fault_matrix")
    if matrix is None:
        return
    if any(not why.startswith("n/a") for why in matrix.RESULTS.values()):
        terminalreporter.write_sep(
            "=", "fault matrix (each cell: PASS/FAIL and what the user gets)"
        )
        terminalreporter.write_line(matrix.render_table(matrix.RESULTS))
    if matrix.UI_RESULTS:
        terminalreporter.write_sep(
            "=", "fault matrix through the widgets (patients page for reads, forms for writes)"
        )
        terminalreporter.write_line(matrix.render_ui_table(matrix.UI_RESULTS))


@pytest.fixture
def escaped(qapp: Any, caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """Fails the test if anything escaped: an uncaught exception (``sys.excepthook``), a Qt
    critical message, an exception the event loop had nobody to hand to (``loop_catches``), or
    a background task that ended in an exception (the app logs those as errors)."""
    caught: list[str] = []
    hook = sys.excepthook
    sys.excepthook = lambda kind, value, tb: caught.append(f"uncaught {value!r}")

    def on_qt(mode: QtMsgType, _context: Any, message: str) -> None:
        if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            caught.append(f"Qt: {message}")

    previous = qInstallMessageHandler(on_qt)
    try:
        yield caught
    finally:
        sys.excepthook = hook
        qInstallMessageHandler(previous)
    caught += [
        f"logged: {r.getMessage()}"
        for r in caplog.get_records("call")
        if r.levelname in ("ERROR", "CRITICAL") and r.name.startswith("photon_desktop")
    ]
    assert not caught, caught


@pytest.fixture(scope="session")
def start_sandbox(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """The suite's own ``start_sandbox`` (tests/conftest.py, not importable by name from here,
    where ``conftest`` is this file), for the sandbox processes these cells kill and restart."""
    suite = Path(__file__).parents[1] / "conftest.py"
    for plugin in request.config.pluginmanager.get_plugins():
        if getattr(plugin, "__file__", None) == str(suite):
            return plugin.start_sandbox  # type: ignore[no-any-return]
    raise AssertionError(f"{suite} is not loaded")


@pytest.fixture(scope="session")
def own_sandbox(start_sandbox: Callable[..., Any]) -> Iterator[OwnSandbox]:
    own = OwnSandbox(start_sandbox)
    yield own
    code = own.info.stop()
    log = own.info.stderr_text()  # closes it
    assert code == 0, log
    assert all(c in (0, -signal.SIGKILL) for c in own.codes), own.codes
