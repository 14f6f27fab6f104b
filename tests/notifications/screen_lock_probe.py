"""Run inside ``dbus-run-session``: a desktop's screensaver signals lock and unlock, and the
order watcher pauses and resumes. Prints one JSON line."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))

from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus
from watch_fakes import FakePhoton, FakeTime, order

from photon_desktop.services.order_watcher import SCREEN_LOCKED, OrderWatcher
from photon_desktop.services.screen_lock import watch_screen_lock


def active_changed(interface: str, path: str, active: bool) -> Message:
    return Message(
        message_type=MessageType.SIGNAL,
        path=path,
        interface=interface,
        member="ActiveChanged",
        signature="b",
        body=[active],
    )


async def main() -> dict[str, object]:
    time = FakeTime()
    watcher = OrderWatcher(FakePhoton([order(1)]), clock=time.clock, sleep=time.sleep)
    seen: list[bool] = []
    statuses: list[str] = []

    def changed(locked: bool) -> None:
        seen.append(locked)
        (watcher.pause if locked else watcher.resume)(SCREEN_LOCKED)
        statuses.append(watcher.state.status.value)

    subscription = await watch_screen_lock(changed)
    assert subscription is not None
    task = asyncio.ensure_future(watcher.run())
    desktop = await MessageBus().connect()
    await desktop.send(
        active_changed("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", True)
    )
    await desktop.send(active_changed("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", False))
    await desktop.send(active_changed("org.example.Other", "/org/example/Other", True))
    for _ in range(200):
        if len(seen) >= 2:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # an unrelated interface's signal must not arrive
    task.cancel()
    subscription.close()
    desktop.disconnect()
    return {"seen": seen, "statuses": statuses}


print(json.dumps(asyncio.run(main())))
