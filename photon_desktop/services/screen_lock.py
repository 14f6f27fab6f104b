"""Whether the screen is locked, from the desktop's screensaver over D-Bus (Linux).

Desktops announce it as ``ActiveChanged(bool)`` on ``org.freedesktop.ScreenSaver`` (KDE, XFCE,
most others) or ``org.gnome.ScreenSaver`` (GNOME). ``watch_screen_lock`` subscribes to both on
the session bus with dbus-fast (the library desktop-notifier already uses) and calls
``on_change(locked)``; without a session bus it returns None and nothing is paused for a lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

INTERFACES = ("org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver")


class ScreenLockWatch:
    """A live subscription; ``close()`` ends it."""

    def __init__(self, bus: object) -> None:
        self._bus = bus

    def close(self) -> None:
        disconnect = getattr(self._bus, "disconnect", None)
        if callable(disconnect):
            disconnect()


async def watch_screen_lock(on_change: Callable[[bool], None]) -> ScreenLockWatch | None:
    """Subscribe to screensaver lock changes; None when there is no session bus."""
    try:
        from dbus_fast import Message, MessageType
        from dbus_fast.aio import MessageBus
    except ImportError:  # pragma: no cover - dbus-fast comes with desktop-notifier on Linux
        return None
    try:
        bus = await MessageBus().connect()
    except Exception as error:  # no session bus (headless, another OS)
        log.info("no D-Bus session bus, screen locks are not watched: %s", error)
        return None

    def handler(message: Message) -> None:
        if (
            message.message_type is MessageType.SIGNAL
            and message.member == "ActiveChanged"
            and message.interface in INTERFACES
            and message.body
        ):
            on_change(bool(message.body[0]))

    bus.add_message_handler(handler)
    for interface in INTERFACES:
        rule = f"type='signal',interface='{interface}',member='ActiveChanged'"
        await bus.call(
            Message(
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus",
                member="AddMatch",
                signature="s",
                body=[rule],
            )
        )
    return ScreenLockWatch(bus)
