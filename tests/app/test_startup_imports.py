"""What start-up imports: the first screen needs neither GraphQL validation, nor token checking,
nor the bundled sandbox's code (the app runs the sandbox as a child process by module name).

Each check runs a fresh interpreter, so modules other tests imported do not hide a regression.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from app_support import process_env

# graphql-core loads with the GraphQL console; PyJWT and cryptography with the first token read.
DEFERRED = ("graphql", "jwt", "cryptography", "photon_desktop.sandbox")


def _imported_after(code: str) -> list[str]:
    probe = (
        f"{code}\n"
        "import json, sys\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {DEFERRED!r}"
        f" or m.startswith('photon_desktop.sandbox'))))\n"
    )
    return list(_last_json_line(probe, {**os.environ, "QT_QPA_PLATFORM": "offscreen"}))


def _last_json_line(code: str, env: dict[str, str]) -> Any:
    """Run ``code`` in a fresh interpreter; what its last line of output says, as JSON."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    return json.loads(result.stdout.splitlines()[-1])


def test_importing_the_composition_root_defers_graphql_jwt_and_the_sandbox() -> None:
    assert _imported_after("import photon_desktop.desktop") == []


def test_reading_a_query_loads_no_graphql_and_assembling_one_does() -> None:
    read = _imported_after(
        "from photon_desktop.api import documents\n"
        "assert 'query SearchPatients' in documents.load('SearchPatients').text"
    )
    assert read == []
    assembled = _imported_after(
        "from photon_desktop.api import documents\n"
        "assert 'query SearchPatients' in documents.assemble('SearchPatients').text"
    )
    assert "graphql" in assembled and "jwt" not in assembled  # the check sees a deferred import


PAGES = (
    "photon_desktop.ui.prescriptions.list",
    "photon_desktop.ui.orders.list",
    "photon_desktop.ui.catalog.page",
    "photon_desktop.ui.templates.page",
)


def test_pages_the_first_screen_does_not_show_are_built_on_their_first_visit(
    tmp_path: Path,
) -> None:
    script = f"""
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from photon_desktop.desktop import Desktop, build_window
window = build_window(Desktop())
window.show()
before = [m for m in {PAGES!r} if m in sys.modules]
window.show_page("orders")
orders = type(window.page("orders")).__name__
after = [m for m in {PAGES!r} if m in sys.modules]
window.close()
print(json.dumps([before, orders, after, window.current_key]))
"""
    before, orders, after, current = _last_json_line(script, process_env(tmp_path))
    assert before == []
    assert orders == "OrdersPage" and current == "orders"
    assert after == ["photon_desktop.ui.orders.list"]  # only the page visited


def test_the_notification_service_is_loaded_with_the_first_notice_not_with_the_window(
    tmp_path: Path,
) -> None:
    script = """
import asyncio, json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from photon_desktop.desktop import Desktop, build_window
from photon_desktop.services.notifications import DesktopNotifierPort
window = build_window(Desktop())
window.show()
app.processEvents()
with_window = "desktop_notifier" in sys.modules
port = DesktopNotifierPort(timeout=0.01)
with_port = "desktop_notifier" in sys.modules
port._service()
window.close()
print(json.dumps([with_window, with_port, "desktop_notifier" in sys.modules]))
"""
    assert _last_json_line(script, process_env(tmp_path)) == [False, False, True]


def test_the_layers_below_the_ui_are_imported_before_pyside6() -> None:
    """PySide6 reads (and ``linecache`` keeps) the source of every module imported after it: what
    the window needs below the ``ui`` layer, and the libraries under it, come first."""
    script = """
import json, sys
from photon_desktop import app
app.import_below_the_ui()
qt_before = sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken")))
import PySide6.QtWidgets
before = set(sys.modules)
import photon_desktop.desktop
late = sorted(
    m for m in set(sys.modules) - before
    if not m.startswith(("photon_desktop.ui", "PySide6", "shiboken", "qasync", "__feature__"))
    and m not in ("photon_desktop.desktop", "photon_desktop.window")
    and m.split(".")[0] not in sys.stdlib_module_names
)
print(json.dumps([qt_before, late]))
"""
    qt_before, late = _last_json_line(script, {**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert qt_before == []
    assert late == []
