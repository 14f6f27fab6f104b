"""What the notifier says, to whom it hands it, and what it keeps quiet (test-double ports)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from notify_fakes import RecordingPort
from watch_fakes import order

from photon_desktop.domain import FulfillmentState, OrderException, OrderState
from photon_desktop.services import notifications
from photon_desktop.services.notifications import (
    DesktopNotifierPort,
    NotifyPrefs,
    OrderNotifier,
    Privacy,
)
from photon_desktop.services.order_changes import (
    ChangeKind,
    OrderChange,
    describe_change,
)


def change(old: Any, new: Any) -> OrderChange:
    found = describe_change(old, new)
    assert found is not None
    return found


PLACED = change(order(1, OrderState.PENDING), order(1, OrderState.PLACED))
READY = change(
    order(2, fulfillment=FulfillmentState.RECEIVED), order(2, fulfillment=FulfillmentState.READY)
)
ERROR = change(
    order(3),
    order(3, OrderState.ERROR, exceptions=(OrderException("PHARMACY_UNREACHABLE", "No answer"),)),
)


def notifier(*ports: RecordingPort, **prefs: Any) -> tuple[OrderNotifier, list[str | None]]:
    opened: list[str | None] = []
    return OrderNotifier(list(ports), lambda: NotifyPrefs(**prefs), opened.append), opened


def test_one_notice_per_change_with_initials_by_default() -> None:
    port = RecordingPort()
    n, opened = notifier(port)
    asyncio.run(n.announce([PLACED, READY, ERROR]))
    assert [(x.title, x.body) for x in port.shown] == [
        ("Order placed", "A. L."),
        ("Ready for pickup", "A. L."),
        ("Order error", "A. L.: No answer"),
    ]
    assert [x.critical for x in port.shown] == [False, False, True]
    port.clicks[1]()
    assert opened == ["ord_0002"]


def test_the_same_change_is_never_told_twice() -> None:
    port = RecordingPort()
    n, _ = notifier(port)
    asyncio.run(n.announce([PLACED]))
    asyncio.run(n.announce([PLACED]))
    assert len(port.shown) == 1


def test_privacy_levels() -> None:
    for privacy, body in ((Privacy.NONE, "A patient"), (Privacy.FULL, "Ada Lovelace1")):
        port = RecordingPort()
        n, _ = notifier(port, privacy=privacy)
        asyncio.run(n.announce([PLACED]))
        assert port.shown[0].body == body


def test_switched_off_kinds_stay_quiet() -> None:
    port = RecordingPort()
    n, _ = notifier(port, kinds=frozenset({ChangeKind.ERROR}))
    asyncio.run(n.announce([PLACED, READY, ERROR]))
    assert [x.kind for x in port.shown] == [ChangeKind.ERROR]


def test_paused_notifications_are_dropped_not_queued() -> None:
    port = RecordingPort()
    n, _ = notifier(port, paused=True)
    asyncio.run(n.announce([PLACED, READY]))
    assert port.shown == []


def test_many_changes_at_once_become_one_grouped_notice() -> None:
    port = RecordingPort()
    n, opened = notifier(port)
    done = [change(order(k), order(k, OrderState.COMPLETED)) for k in range(10, 14)]
    asyncio.run(n.announce([*done, READY, ERROR]))
    assert len(port.shown) == 1
    grouped = port.shown[0]
    assert grouped.title == "6 orders changed"
    assert (
        grouped.body
        == "1 error, 1 ready for pickup, 4 other changes. Open the worklist to see them."
    )
    assert grouped.critical and len(grouped.order_ids) == 6
    port.clicks[0]()
    assert opened == [None]  # a group opens the worklist


def test_a_port_that_cannot_deliver_falls_back_to_the_next() -> None:
    desktop = RecordingPort("desktop", works=False)
    tray = RecordingPort("tray")
    banner = RecordingPort("banner")
    n, _ = notifier(desktop, tray, banner)
    asyncio.run(n.announce([PLACED]))
    assert (desktop.shown, len(tray.shown), banner.shown) == ([], 1, [])
    assert n.delivered[0][0] == "tray"


def test_without_a_notification_service_the_log_says_so_once_in_one_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The real library with no D-Bus session: every notice reaches the notice bar, and the log
    gets one plain line for it all, not a traceback per notice and per retry."""
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setattr(notifications, "RETRY_AFTER_FAILURE_S", 0.0)  # every notice retries
    banner = RecordingPort("banner")
    n, _ = notifier(DesktopNotifierPort(), banner)  # type: ignore[arg-type]
    caplog.set_level(logging.DEBUG)

    async def three_rounds() -> None:
        for change_ in (PLACED, READY, ERROR):
            await n.announce([change_])

    asyncio.run(three_rounds())
    assert [port for port, _ in n.delivered] == ["banner"] * 3
    told = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert [r.getMessage().split(" (")[0] for r in told] == ["desktop notifications unavailable"]
    assert told[0].getMessage().endswith("notices are shown in the app instead")
    assert not any(r.exc_info for r in caplog.records)


def test_shipped_says_carrier_and_tracking() -> None:
    from photon_desktop.domain import FulfillmentType

    mail = FulfillmentType.MAIL_ORDER
    shipped = change(
        order(4, fulfillment=FulfillmentState.FILLING, kind=mail),
        order(4, fulfillment=FulfillmentState.SHIPPED, kind=mail, carrier="FedEx", tracking="77"),
    )
    port = RecordingPort()
    n, _ = notifier(port)
    asyncio.run(n.announce([shipped]))
    assert (port.shown[0].title, port.shown[0].body) == (
        "Order shipped",
        "A. L.: FedEx, tracking 77",
    )
