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

# graphql-core loads with the GraphQL console; PyJWT and cryptography with the first ID token.
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
    "photon_desktop.ui.settings.pane",
)
# Windows and dialogs the patient page, the worklist and the shortcuts open, imported when first
# opened (with what only they use: drafts, the patient chooser).
FORMS = (
    "photon_desktop.ui.prescriptions.form",
    "photon_desktop.ui.prescriptions.drafts",
    "photon_desktop.ui.prescriptions.patient_chooser",
    "photon_desktop.ui.patients.form",
    "photon_desktop.ui.patients.additions",
    "photon_desktop.ui.orders.new_order",
    "photon_desktop.ui.orders.cancel",
    "photon_desktop.ui.orders.reroute",
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
before = [m for m in {PAGES + FORMS!r} if m in sys.modules]
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


# asyncio too (with ssl and sockets, ~30 ms): the event loop starts after the frame is shown.
LAYERS = ("photon_desktop.services", "msgspec", "httpx", "asyncio")


def test_the_window_shows_themed_before_the_layers_and_later_holds_the_pages(
    tmp_path: Path,
) -> None:
    """The real ``main`` (demo, smoke): when the window is first shown, the saved dark scheme is
    already applied and neither the services nor msgspec, httpx or asyncio has been imported
    (with ``--demo`` the sandbox child is running by then); the very window shown then ends
    holding the pages."""
    script = f"""
import gc, json, sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from photon_desktop import APP_NAME, ORG_NAME, app
from photon_desktop.ui.main_window import MainWindow

QSettings(ORG_NAME, APP_NAME).setValue("view/theme", "dark")
seen = {{}}
show = MainWindow.show

def first_show(window):
    if "window" not in seen:
        palette = QApplication.palette()
        seen.update(
            window=window,
            dark=palette.window().color().lightness() < 128,
            imported=[m for m in {LAYERS!r} if m in sys.modules],
            collecting=gc.isenabled(),
        )
    show(window)

MainWindow.show = first_show
code = app.main(["--demo", "--patients", "5", "--smoke", {str(tmp_path / "shot.png")!r}])
window = seen["window"]
windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
print(json.dumps([
    code, seen["dark"], seen["imported"], [m for m in {LAYERS!r} if m in sys.modules],
    type(window.page("patients")).__name__, windows == [window], window.isVisible(),
    "PySide6.QtNetwork" in sys.modules, seen["collecting"], gc.isenabled(), gc.get_freeze_count(),
]))
"""
    code, dark, at_show, at_end, patients, one_window, visible, network, *collector = (
        _last_json_line(script, process_env(tmp_path))
    )
    assert code == 0
    assert dark  # themed before the first show, not a loop turn later
    assert at_show == []
    assert at_end == list(LAYERS)  # the check sees them once they are imported
    assert patients == "PatientsPage" and one_window and visible
    assert not network  # QtNetwork (~2 MB) comes with the first browser sign-in
    collecting_at_show, collecting_at_end, frozen = collector
    assert not collecting_at_show  # held during start-up (``app.hold_collector``)
    assert collecting_at_end and frozen > 10_000  # back on, start-up's objects set aside


# PySide6's private ``__feature__`` check is still there to patch, and the patched one answers as
# PySide6's own does without leaving the module's source in ``linecache``.
def test_the_private_check_exists_and_the_cheap_one_agrees_without_keeping_sources() -> None:
    code = """
import json, linecache, sys
import PySide6.QtCore
feature = sys.modules["shibokensupport.feature"]
upstream = feature._mod_uses_pyside
from photon_desktop.ui.common import feature_check
import photon_desktop.ui.pages as qt_module, photon_desktop.domain.durations as plain
linecache.clearcache()
installed = feature_check.install()
cheap = feature._mod_uses_pyside
answers = [cheap(qt_module), cheap(plain), cheap(sys)]
kept = [m.__file__ in linecache.cache for m in (qt_module, plain)]
expected = [upstream(qt_module), upstream(plain), upstream(sys)]
again = feature_check.install()
print(json.dumps([installed, cheap is not upstream, again, answers, expected, kept]))
"""
    installed, replaced, again, answers, expected, kept = _last_json_line(
        code, {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    )
    assert installed and replaced and again  # a second install keeps the first
    assert answers == expected == [True, False, False]
    assert kept == [False, False]


def test_the_held_collector_comes_back_once_after_collecting_the_cycles_start_up_left() -> None:
    """``hold_collector`` in a fresh interpreter (its ``gc.freeze`` must not touch this one)."""
    script = """
import gc, json, weakref
from photon_desktop import app

class Node:
    pass

release = app.hold_collector()
held = not gc.isenabled()
node = Node()
node.me = node  # a cycle only the collector can free
gone = weakref.ref(node)
del node
kept_while_held = gone() is not None
release()
after = [gc.isenabled(), gone() is None, gc.get_freeze_count() > 0]
gc.disable()
release()  # a second release changes nothing
print(json.dumps([held, kept_while_held, *after, gc.isenabled()]))
"""
    held, kept, enabled, collected, frozen, enabled_again = _last_json_line(
        script, dict(os.environ)
    )
    assert held and kept
    assert enabled and collected and frozen
    assert not enabled_again


def test_a_collector_already_off_is_left_off() -> None:
    script = """
import gc, json
from photon_desktop import app
gc.disable()
app.hold_collector()()
print(json.dumps([gc.isenabled(), gc.get_freeze_count()]))
"""
    assert _last_json_line(script, dict(os.environ)) == [False, 0]
