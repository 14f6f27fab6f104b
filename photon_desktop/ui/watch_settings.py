"""Every setting of order updates, notifications, the tray and the worklist, declared once.

Each ``Setting`` names its ``QSettings`` key, its default and how to read a stored value back
(an INI file gives strings). Views read and write through ``read``/``write``, never raw keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QSettings

from photon_desktop.services.notifications import NotifyPrefs, Privacy
from photon_desktop.services.order_changes import (
    ChangeKind,
)

T = TypeVar("T")


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


@dataclass(frozen=True, slots=True)
class Setting(Generic[T]):
    key: str
    default: T
    convert: Callable[[Any], T]
    label: str


def _int_between(low: int, high: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        return max(low, min(high, int(value)))

    return convert


POLL_INTERVAL_S = Setting(
    "orders/poll_interval_s", 30, _int_between(10, 3600), "Check orders every"
)
NOTIFY_STATE = Setting("notifications/state_changes", True, _bool, "State changes")
NOTIFY_READY = Setting("notifications/ready_for_pickup", True, _bool, "Ready for pickup")
NOTIFY_SHIPPED = Setting("notifications/shipped", True, _bool, "Shipped")
NOTIFY_ERROR = Setting("notifications/errors", True, _bool, "Errors")
NOTIFY_EXCEPTION = Setting("notifications/exceptions", True, _bool, "Pharmacy problems")
PRIVACY = Setting("notifications/privacy", Privacy.INITIALS, Privacy, "Patient in notifications")
NOTIFICATIONS_PAUSED = Setting("notifications/paused", False, _bool, "Pause notifications")
CLOSE_TO_TRAY = Setting("tray/close_to_tray", False, _bool, "Keep running in the tray when closed")
WORKLIST_FIRST = Setting("worklist/first_page", True, _bool, "Open the worklist after sign-in")
ROUTING_HOURS = Setting("worklist/routing_hours", 24, _int_between(1, 720), "Routing longer than")
READY_DAYS = Setting("worklist/ready_days", 3, _int_between(1, 60), "Ready for pickup longer than")
EXPIRY_DAYS = Setting("worklist/expiring_days", 30, _int_between(1, 365), "Expiring within")

KIND_SWITCHES: dict[ChangeKind, Setting[bool]] = {
    ChangeKind.STATE: NOTIFY_STATE,
    ChangeKind.READY: NOTIFY_READY,
    ChangeKind.SHIPPED: NOTIFY_SHIPPED,
    ChangeKind.ERROR: NOTIFY_ERROR,
    ChangeKind.EXCEPTION: NOTIFY_EXCEPTION,
}

ALL: tuple[Setting[Any], ...] = (
    POLL_INTERVAL_S,
    *KIND_SWITCHES.values(),
    PRIVACY,
    NOTIFICATIONS_PAUSED,
    CLOSE_TO_TRAY,
    WORKLIST_FIRST,
    ROUTING_HOURS,
    READY_DAYS,
    EXPIRY_DAYS,
)


def read(setting: Setting[T]) -> T:
    """The stored value, or the default when absent or unreadable."""
    value = QSettings().value(setting.key, None)
    if value is None:
        return setting.default
    try:
        return setting.convert(value)
    except (TypeError, ValueError):
        return setting.default


def write(setting: Setting[T], value: T) -> None:
    stored = value.value if isinstance(value, Privacy) else value
    QSettings().setValue(setting.key, stored)


def notify_prefs() -> NotifyPrefs:
    """The notifier's preferences, read fresh (a change in Settings applies to the next round)."""
    kinds = frozenset(kind for kind, switch in KIND_SWITCHES.items() if read(switch))
    return NotifyPrefs(kinds=kinds, privacy=read(PRIVACY), paused=read(NOTIFICATIONS_PAUSED))
