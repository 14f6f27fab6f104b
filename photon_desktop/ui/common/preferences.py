"""Every preference the UI keeps in ``QSettings``, declared once: key, type, default, and the
upgrade steps from older settings files (a settings version, like Picard's config upgrades).

Views read and write through ``Preference.get()``/``set()``, never with string literals; a value
of the wrong type (a hand-edited or corrupt file) reads as the default. Sizes are never trusted:
window geometry, splitter sizes and column widths are clamped to the screen on the way in and out,
so a 32,767 px window saved once cannot come back. Call ``upgrade()`` once at start-up (the main
window does); it is idempotent.

Order updates (polling, notifications, the tray, the worklist's thresholds) are declared here
too, each with the label its settings form shows (``doc``).

Keys outside the UI views live with their owners: ``environments/<key>/…`` (auth profiles),
``app/last_environment`` (the composition root), ``settings/environment`` (the Settings pane).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QDataStream, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter, QWidget

from photon_desktop.services.notifications import Privacy
from photon_desktop.services.order_changes import ChangeKind

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


# -- order updates: polling, notifications, the tray, the worklist

ORDERS_POLL_INTERVAL_S: Preference[int] = Preference(
    "orders/poll_interval_s", int, 30, "Check orders every", bounds=(10, 3600)
)
NOTIFY_STATE: Preference[bool] = Preference(
    "notifications/state_changes", bool, True, "State changes"
)
NOTIFY_READY: Preference[bool] = Preference(
    "notifications/ready_for_pickup", bool, True, "Ready for pickup"
)
NOTIFY_SHIPPED: Preference[bool] = Preference("notifications/shipped", bool, True, "Shipped")
NOTIFY_ERROR: Preference[bool] = Preference("notifications/errors", bool, True, "Errors")
NOTIFY_EXCEPTION: Preference[bool] = Preference(
    "notifications/exceptions", bool, True, "Pharmacy problems"
)
NOTIFY_PRIVACY: Preference[Privacy] = Preference(
    "notifications/privacy", Privacy, Privacy.INITIALS, "Patient in notifications"
)
NOTIFICATIONS_PAUSED: Preference[bool] = Preference(
    "notifications/paused", bool, False, "Pause notifications"
)
CLOSE_TO_TRAY: Preference[bool] = Preference(
    "tray/close_to_tray", bool, False, "Keep running in the tray when closed"
)
WORKLIST_FIRST: Preference[bool] = Preference(
    "worklist/first_page", bool, True, "Open the worklist after sign-in"
)
WORKLIST_ROUTING_HOURS: Preference[int] = Preference(
    "worklist/routing_hours", int, 24, "Routing longer than", bounds=(1, 720)
)
WORKLIST_READY_DAYS: Preference[int] = Preference(
    "worklist/ready_days", int, 3, "Ready for pickup longer than", bounds=(1, 60)
)
WORKLIST_EXPIRY_DAYS: Preference[int] = Preference(
    "worklist/expiring_days", int, 30, "Expiring within", bounds=(1, 365)
)

#: Which order changes notify, each switched on and off by its own key.
NOTIFY_KINDS: dict[ChangeKind, Preference[bool]] = {
    ChangeKind.STATE: NOTIFY_STATE,
    ChangeKind.READY: NOTIFY_READY,
    ChangeKind.SHIPPED: NOTIFY_SHIPPED,
    ChangeKind.ERROR: NOTIFY_ERROR,
    ChangeKind.EXCEPTION: NOTIFY_EXCEPTION,
}

ORDER_UPDATES: tuple[Preference[Any], ...] = (
    ORDERS_POLL_INTERVAL_S,
    *NOTIFY_KINDS.values(),
    NOTIFY_PRIVACY,
    NOTIFICATIONS_PAUSED,
    CLOSE_TO_TRAY,
    WORKLIST_FIRST,
    WORKLIST_ROUTING_HOURS,
    WORKLIST_READY_DAYS,
    WORKLIST_EXPIRY_DAYS,
)

DECLARED: tuple[Preference[Any], ...] = (
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    WINDOW_SPLITTER,
    WINDOW_PAGE,
    THEME,
    PATIENTS_SPLITTER,
    PATIENTS_HIDDEN_COLUMNS,
    *(p for kind in ("prescriptions", "orders") for p in (
        list_splitter(kind), list_state_filter(kind), hidden_columns(kind)
    )),
    *ORDER_UPDATES,
)  # fmt: skip


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
