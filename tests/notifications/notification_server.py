# ruff: noqa: F821, F722  (dbus-fast reads D-Bus signatures from string annotations)
"""A small org.freedesktop.Notifications server (dbus-fast) that records what it receives.

Used by the D-Bus test inside ``dbus-run-session``: it owns the well-known name, answers
``GetCapabilities``/``GetServerInformation``, numbers each ``Notify`` and keeps it. ``click(id)``
emits ``ActionInvoked(id, "default")``, as a desktop does when the user clicks a notification.
"""

from typing import Any

from dbus_fast import Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class Notifications(ServiceInterface):
    def __init__(self) -> None:
        super().__init__(NAME)
        self.received: list[dict[str, Any]] = []

    @method()
    def Notify(
        self,
        app_name: "s",
        replaces_id: "u",
        app_icon: "s",
        summary: "s",
        body: "s",
        actions: "as",
        hints: "a{sv}",
        expire_timeout: "i",
    ) -> "u":
        urgency = hints.get("urgency")
        self.received.append(
            {
                "id": len(self.received) + 1,
                "app": app_name,
                "summary": summary,
                "body": body,
                "actions": list(actions),
                "urgency": urgency.value if isinstance(urgency, Variant) else None,
            }
        )
        return len(self.received)

    @method()
    def GetCapabilities(self) -> "as":
        return ["actions", "body"]

    @method()
    def GetServerInformation(self) -> "ssss":
        return ["test-notifyd", "photon-tests", "1.0", "1.2"]

    @method()
    def CloseNotification(self, id_: "u") -> None:
        self.NotificationClosed(id_, 3)

    @signal()
    def NotificationClosed(self, id_: int, reason: int) -> "uu":
        return [id_, reason]

    @signal()
    def ActionInvoked(self, id_: int, action: str) -> "us":
        return [id_, action]

    def click(self, id_: int) -> None:
        self.ActionInvoked(id_, "default")


async def serve() -> tuple[MessageBus, Notifications]:
    bus = await MessageBus().connect()
    server = Notifications()
    bus.export(PATH, server)
    await bus.request_name(NAME)
    return bus, server
