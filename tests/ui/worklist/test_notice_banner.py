"""Without a notification service (no D-Bus session bus) and without a tray, a notice falls back
to the in-app banner; its Open button opens the order. Screenshots in light and dark."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from ui_support import distinct_colours, settle
from watch_fakes import order

from photon_desktop.domain import FulfillmentState, OrderException, OrderState
from photon_desktop.services.notifications import NotifyPrefs, OrderNotifier
from photon_desktop.services.order_changes import (
    describe_change,
)
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.notify import NoticeBanner, default_ports
from photon_desktop.ui.workspace import Workspace

SHOTS = Path("/tmp/shots-watch")


def test_no_notification_service_falls_back_to_the_banner(
    arun: Callable[..., Any],
    widgets: list[QWidget],
    scheme: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    SHOTS.mkdir(parents=True, exist_ok=True)
    window = MainWindow(Workspace())
    banner = NoticeBanner(window)
    window.add_notice_bar(banner)
    window.resize(1000, 420)
    window.show()
    widgets.append(window)
    opened: list[str | None] = []
    notifier = OrderNotifier(default_ports(None, banner), NotifyPrefs, opened.append)
    ready = describe_change(
        order(7, fulfillment=FulfillmentState.RECEIVED),
        order(7, fulfillment=FulfillmentState.READY),
    )
    problem = OrderException("OOS", "Out of stock until Friday")
    failed = describe_change(order(8), order(8, OrderState.ERROR, exceptions=(problem,)))
    assert ready is not None and failed is not None

    async def scenario() -> None:
        await notifier.announce([ready])
        await notifier.announce([failed])
        await settle()

    arun(scenario())
    assert [port for port, _ in notifier.delivered] == ["banner", "banner"]
    assert banner.isVisible()
    assert banner.text.text() == "Order error — A. L.: Out of stock until Friday   (+1 more)"
    image = window.grab().toImage()
    assert image.save(str(SHOTS / f"banner-{scheme}.png"))
    assert distinct_colours(image) > 20
    banner.open_button.click()
    assert opened == ["ord_0008"]
    assert banner.text.text() == "Ready for pickup — A. L."
    banner.dismiss_button.click()
    assert not banner.isVisible()
