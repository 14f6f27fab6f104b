"""The Qt-only part of the declared preferences: ``Preference`` itself, the main window's keys, the
colour scheme, the settings-file upgrades and the screen clamps.

It imports nothing but PySide6, so the window frame can be built and shown (with its saved
geometry, splitter and colour scheme) before the app's layers are imported. ``preferences``
re-exports all of it and adds the keys typed by the services (notification privacy, order
changes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QDataStream, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

V = TypeVar("V")

#: The shape of the settings file this build writes.
VERSION = 2
VERSION_KEY = "meta/settings_version"
THEMES = ("system", "light", "dark")


@dataclass(frozen=True, slots=True)
class Preference(Generic[V]):
    """One persisted key: its name in the file, its type and its default. An ``int`` may have
    ``bounds`` (a stored value outside them is clamped); an ``Enum`` is stored as its value."""

    key: str
    type: type
    default: V
    doc: str = ""
    allowed: tuple[Any, ...] = ()
    bounds: tuple[int, int] | None = None

    def get(self, settings: QSettings | None = None) -> V:
        value = (settings or QSettings()).value(self.key, None)
        if value is None:
            return self.default
        if self.type is list and isinstance(value, str):
            value = [value]  # QSettings' INI reads a one-item list back as a string
        if self.type is bool and isinstance(value, str):
            value = value.strip().lower() in ("true", "1", "yes", "on")
        if self.type is int and isinstance(value, str):  # INI files hold text
            try:
                value = int(value.strip())
            except ValueError:
                return self.default
        if issubclass(self.type, Enum):
            try:
                value = self.type(value)
            except ValueError:
                return self.default
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            return self.default
        if self.allowed and value not in self.allowed:
            return self.default
        if self.bounds is not None and isinstance(value, int):
            value = max(self.bounds[0], min(self.bounds[1], value))
        return value  # type: ignore[return-value]

    def set(self, value: V, settings: QSettings | None = None) -> None:
        stored = value.value if isinstance(value, Enum) else value
        (settings or QSettings()).setValue(self.key, stored)

    def clear(self, settings: QSettings | None = None) -> None:
        (settings or QSettings()).remove(self.key)


WINDOW_GEOMETRY: Preference[QByteArray | None] = Preference(
    "window/geometry", QByteArray, None, "Main window position and size (Qt's saveGeometry)."
)
WINDOW_STATE: Preference[QByteArray | None] = Preference(
    "window/state", QByteArray, None, "Toolbars and docks (Qt's saveState)."
)
WINDOW_SPLITTER: Preference[QByteArray | None] = Preference(
    "window/splitter", QByteArray, None, "Navigation sidebar | content."
)
WINDOW_PAGE: Preference[str] = Preference("window/page", str, "", "The page shown last.")
LAST_ENVIRONMENT: Preference[str] = Preference(
    "app/last_environment", str, "", "The environment the app connected to last."
)
SETTINGS_ENVIRONMENT: Preference[str] = Preference(
    "settings/environment", str, "", "The environment the Settings pane showed last."
)
THEME: Preference[str] = Preference(
    "view/theme", str, "system", "Light, dark, or follow the system.", THEMES
)
PATIENTS_SPLITTER: Preference[QByteArray | None] = Preference(
    "patients/splitter", QByteArray, None, "Patient list | patient detail."
)
PATIENTS_HIDDEN_COLUMNS: Preference[list[str]] = Preference(
    "patients/hidden_columns", list, ["External ID", "ID"], "Columns the user hid."
)


def list_splitter(kind: str) -> Preference[QByteArray | None]:
    return Preference(f"{kind}/splitter", QByteArray, None, f"{kind.capitalize()} list | detail.")


def list_state_filter(kind: str) -> Preference[str]:
    return Preference(f"{kind}/state", str, "", f"The state the {kind} list is filtered by.")


def hidden_columns(kind: str) -> Preference[list[str]]:
    return Preference(
        f"{kind}/hidden_columns", list, ["ID"], f"{kind.capitalize()} columns hidden."
    )


#: How many console runs the history keeps per environment.
CONSOLE_HISTORY_LIMIT = 50


def console_history(environment: str) -> Preference[list[str]]:
    """Support console runs (JSON: the query's shape and redacted variables, never answers)."""
    return Preference(f"support/{environment}/console_history", list, [], "Console history.")


def console_snippets(environment: str) -> Preference[list[str]]:
    """Support console snippets the user saved (JSON: title, query shape, redacted variables)."""
    return Preference(f"support/{environment}/console_snippets", list, [], "Console snippets.")


# ----------------------------------------------------------------------------- upgrades


def _to_2(settings: QSettings) -> None:
    """1 → 2: patient column widths are fitted to the window now (saved pixel widths went stale
    and could hold absurd values); "" as a list's state filter is simply no key."""
    settings.remove("patients/columns")
    for kind in ("prescriptions", "orders"):
        if settings.value(f"{kind}/state", None) == "":
            settings.remove(f"{kind}/state")


#: Step ``n`` upgrades a version-``n`` file to ``n + 1``. Files from before versioning are 1.
UPGRADES: dict[int, Callable[[QSettings], None]] = {1: _to_2}


def version(settings: QSettings | None = None) -> int:
    s = settings or QSettings()
    value = s.value(VERSION_KEY, None)
    try:
        return int(str(value)) if value is not None else (1 if s.allKeys() else VERSION)
    except ValueError:
        return 1


def upgrade(settings: QSettings | None = None) -> int:
    """Bring the file to ``VERSION``; returns the version it had. A newer file is left alone."""
    s = settings or QSettings()
    found = version(s)
    current = found
    while current < VERSION:
        UPGRADES[current](s)
        current += 1
    if found <= VERSION:
        s.setValue(VERSION_KEY, VERSION)
    return found


# ----------------------------------------------------------------------------- sane sizes


def screen_size(widget: QWidget | None = None) -> tuple[int, int]:
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    if screen is None:
        return (1920, 1080)
    area = screen.availableVirtualGeometry()
    return (max(640, area.width()), max(480, area.height()))


def clamp_window(window: QWidget) -> None:
    """Keep a window on and within the screen (after a restore, before a save)."""
    width, height = screen_size(window)
    geometry = window.geometry()
    if geometry.width() <= width and geometry.height() <= height:
        return
    window.resize(min(geometry.width(), width), min(geometry.height(), height))
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry()
        frame = window.frameGeometry()
        frame.moveCenter(area.center())
        window.move(frame.topLeft())


def saved_splitter_sizes(state: QByteArray) -> list[int] | None:
    """The pane sizes inside a ``QSplitter.saveState()`` (marker 0xff, version, QList<int>)."""
    stream = QDataStream(state)
    stream.setVersion(QDataStream.Version.Qt_5_0)
    if stream.readInt32() != 0xFF or stream.readInt32() not in (0, 1):
        return None
    count = stream.readInt32()
    if not 0 < count < 64:
        return None
    sizes = [stream.readInt32() for _ in range(count)]
    return None if stream.status() != QDataStream.Status.Ok else sizes


def restore_splitter(
    splitter: QSplitter, preference: Preference[QByteArray | None], default: list[int]
) -> None:
    """Restore remembered sizes if they are sane for this screen, else ``default``."""
    saved = preference.get()
    horizontal = splitter.orientation() == Qt.Orientation.Horizontal
    limit = screen_size(splitter)[0 if horizontal else 1]
    sizes = saved_splitter_sizes(saved) if saved is not None else None
    if saved is not None and sizes and all(0 <= s <= limit for s in sizes) and sum(sizes) <= limit:
        if splitter.restoreState(saved):
            return
    splitter.setSizes(default)


def remember_splitter(splitter: QSplitter, preference: Preference[QByteArray | None]) -> None:
    """Save sizes unless absurd (a collapsed or screen-wider pane is not worth restoring)."""
    horizontal = splitter.orientation() == Qt.Orientation.Horizontal
    limit = screen_size(splitter)[0 if horizontal else 1]
    sizes = splitter.sizes()
    if all(0 < s <= limit for s in sizes) and sum(sizes) <= limit:
        preference.set(splitter.saveState())


def restore_main_window(window: QMainWindow, splitter: QSplitter, sizes: list[int]) -> None:
    """The main window's remembered size, toolbars and sidebar (``sizes`` by default), kept on
    the screen."""
    geometry = WINDOW_GEOMETRY.get()
    if geometry is None or not window.restoreGeometry(geometry):
        window.resize(1200, 760)
    clamp_window(window)
    state = WINDOW_STATE.get()
    if state is not None:
        window.restoreState(state)
    restore_splitter(splitter, WINDOW_SPLITTER, sizes)


def remember_main_window(window: QMainWindow, splitter: QSplitter, page: str | None) -> None:
    """Remember what ``restore_main_window`` restores, and the page shown."""
    clamp_window(window)  # an absurd size is never written
    WINDOW_GEOMETRY.set(window.saveGeometry())
    WINDOW_STATE.set(window.saveState())
    remember_splitter(splitter, WINDOW_SPLITTER)
    if page is not None:
        WINDOW_PAGE.set(page)
