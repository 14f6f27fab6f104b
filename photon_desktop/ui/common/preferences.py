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

from typing import Any

from photon_desktop.services.notifications import Privacy
from photon_desktop.services.order_changes import ChangeKind
from photon_desktop.ui.common.window_preferences import (
    CONSOLE_HISTORY_LIMIT,
    LAST_ENVIRONMENT,
    PATIENTS_HIDDEN_COLUMNS,
    PATIENTS_SPLITTER,
    SETTINGS_ENVIRONMENT,
    THEME,
    THEMES,
    UPGRADES,
    VERSION,
    VERSION_KEY,
    WINDOW_GEOMETRY,
    WINDOW_PAGE,
    WINDOW_SPLITTER,
    WINDOW_STATE,
    Preference,
    clamp_window,
    console_history,
    console_snippets,
    hidden_columns,
    list_splitter,
    list_state_filter,
    remember_splitter,
    restore_splitter,
    saved_splitter_sizes,
    screen_size,
    upgrade,
    version,
)

__all__ = [
    "CONSOLE_HISTORY_LIMIT",
    "LAST_ENVIRONMENT",
    "PATIENTS_HIDDEN_COLUMNS",
    "PATIENTS_SPLITTER",
    "SETTINGS_ENVIRONMENT",
    "THEME",
    "THEMES",
    "UPGRADES",
    "VERSION",
    "VERSION_KEY",
    "WINDOW_GEOMETRY",
    "WINDOW_PAGE",
    "WINDOW_SPLITTER",
    "WINDOW_STATE",
    "Preference",
    "clamp_window",
    "console_history",
    "console_snippets",
    "hidden_columns",
    "list_splitter",
    "list_state_filter",
    "remember_splitter",
    "restore_splitter",
    "saved_splitter_sizes",
    "screen_size",
    "upgrade",
    "version",
]

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
