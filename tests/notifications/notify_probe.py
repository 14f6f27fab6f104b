"""Run inside ``dbus-run-session``: the app's notifier against the recording server.

Prints one JSON line: what the server received, which order each click opened, and where each
notice was delivered. Runs on a qasync loop, as the app does.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))

import qasync
from notification_server import serve
from PySide6.QtCore import QCoreApplication
from watch_fakes import order

from photon_desktop.domain import FulfillmentState, FulfillmentType, OrderState
from photon_desktop.services.notifications import (
    DesktopNotifierPort,
    NotifyPrefs,
    OrderNotifier,
)
from photon_desktop.services.order_changes import (
    describe_change,
)


async def main() -> dict[str, object]:
    bus, server = await serve()
    opened: list[str | None] = []
    notifier = OrderNotifier([DesktopNotifierPort()], NotifyPrefs, opened.append)
    single = [
        describe_change(order(1, OrderState.PENDING), order(1, OrderState.PLACED)),
        describe_change(
            order(2, fulfillment=FulfillmentState.FILLING, kind=FulfillmentType.MAIL_ORDER),
            order(
                2,
                fulfillment=FulfillmentState.SHIPPED,
                kind=FulfillmentType.MAIL_ORDER,
                carrier="UPS",
                tracking="1Z0000000000000042",
            ),
        ),
    ]
    await notifier.announce([c for c in single if c is not None])
    await notifier.announce([c for c in single if c is not None])  # the same again: not re-told
    storm = [describe_change(order(n), order(n, OrderState.COMPLETED)) for n in range(10, 16)]
    await notifier.announce([c for c in storm if c is not None])
    server.click(1)
    server.click(3)
    for _ in range(100):
        if len(opened) >= 2:
            break
        await asyncio.sleep(0.02)
    bus.disconnect()
    return {
        "received": server.received,
        "opened": opened,
        "ports": [port for port, _ in notifier.delivered],
    }


app = QCoreApplication([])
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
with loop:
    answer = loop.run_until_complete(asyncio.wait_for(main(), 30))
print(json.dumps(answer))
