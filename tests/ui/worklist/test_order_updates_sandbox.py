"""Orders keep themselves current against the running sandbox (its clock moved by /admin/clock):
each change is one notification, the list row and the detail agree after every change, Error
stops the polling, and offline pauses it and a reconnect resumes it with one grouped notice."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

from notify_fakes import RecordingPort
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from test_records_sandbox import connected, show
from ui_support import until
from watch_fakes import FakeTime
from watch_support import fake_time_watch, round_done

from photon_desktop.domain import AddressInput, FulfillmentType, OrderState, PrescriptionState
from photon_desktop.services import Services
from photon_desktop.services.order_watcher import WatchStatus
from photon_desktop.ui.notify import Notifications
from photon_desktop.ui.orders.list import OrdersPage

ADDRESS = AddressInput(street1="350 Hudson St", city="New York", state="NY", postal_code="10014")


def jump(sandbox: Any, seconds: float) -> None:
    assert sandbox.admin("PUT", "clock", {"advance_seconds": seconds}).status_code == 200


def gets(sandbox: Any) -> int:
    return int(sandbox.stats()["graphql_requests"].get("GetOrder", 0))


async def pick_up_orders(s: Services, count: int) -> list[str]:
    page = await s.prescriptions.list(state=PrescriptionState.ACTIVE, first=100)
    usable = [rx for rx in page.items if rx.fills_remaining > 0][:count]
    pharmacy = (await s.catalog.pharmacies(fulfillment=FulfillmentType.PICK_UP, first=1)).items[0]
    ids = []
    for rx in usable:
        order = await s.orders.create(rx.patient_id, [rx.id], ADDRESS, pharmacy.id)
        ids.append(order.id)
    assert len(ids) == count
    return ids


def row_of(page: OrdersPage, order_id: str) -> dict[str, str]:
    model = page.list.model
    assert model is not None
    for row, order in enumerate(model.items()):
        if order.id == order_id:
            return {
                model.headerData(c, Qt.Orientation.Horizontal): model.data(model.index(row, c))
                for c in range(model.columnCount())
            }
    raise AssertionError(f"{order_id} is not in the list")


class Watched:
    """An order page reading the app's watcher (on fake time), with a recording notice port."""

    def __init__(self, workspace: Any, stack: AsyncExitStack, widgets: list[QWidget]) -> None:
        self.time = FakeTime()
        self.watch = fake_time_watch(workspace, self.time)
        stack.callback(self.watch.stop)
        self.port = RecordingPort()
        Notifications(self.watch, [self.port], workspace)
        self.page = OrdersPage(workspace, watch=self.watch)
        show(widgets, self.page)

    async def open(self, order_id: str | None = None) -> str:
        """Wait for the first round, then open ``order_id`` (default: the first in ERROR)."""
        watch = self.watch
        await until(lambda: watch.watcher is not None and watch.watcher.loaded)
        if order_id is None:
            order_id = next(o.id for o in watch.orders() if o.state is OrderState.ERROR)
        self.page.open_order(order_id)
        detail = self.page.detail
        await until(lambda: detail.record is not None and detail.record.id == order_id)
        return order_id

    async def round(self, seconds: float) -> None:
        await round_done(self.watch, self.time, seconds)


def test_list_and_detail_agree_and_each_change_is_one_notification(
    arun: Callable[..., Any], fresh_sandbox: Any, widgets: list[QWidget]
) -> None:
    sandbox = fresh_sandbox(patients=60)

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            [order_id] = await pick_up_orders(workspace.services, 1)
            w = Watched(workspace, stack, widgets)
            page, port, detail = w.page, w.port, w.page.detail
            await w.open(order_id)
            await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
            assert row_of(page, order_id)["State"] == detail.badge.text() == "Pending"
            assert detail.live.text() == "Updates live every 5 s while this order is open."

            steps = [
                (61, "Placed", "Sent", "Order placed"),
                (1200, "Placed", "Ready", "Ready for pickup"),
                (2400, "Completed", "Picked up", "Order completed"),
            ]
            for told, (seconds, state, progress, title) in enumerate(steps, start=1):
                jump(sandbox, seconds)
                await w.round(5)  # the open detail's faster poll
                await until(
                    lambda s=state, p=progress: (
                        detail.badge.text() == s
                        and detail.fulfillment.values["Progress"].text() == p
                    )
                )
                row = row_of(page, order_id)
                assert (row["State"], row["Fulfillment"]) == (state, progress)
                await until(lambda n=told: len(port.shown) == n)
                assert port.shown[-1].title == title and port.shown[-1].order_id == order_id
                await w.round(30)  # a full round brings nothing new
                assert len(port.shown) == told

            assert detail.live.text() == "" and not detail.live_updates
            before = gets(sandbox)
            for _ in range(3):
                await w.round(30)
            assert gets(sandbox) == before  # a completed order is never read again

    arun(scenario(), timeout=90)


def test_error_stops_polling_and_says_so(
    arun: Callable[..., Any], fresh_sandbox: Any, widgets: list[QWidget]
) -> None:
    sandbox = fresh_sandbox(patients=60)

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            w = Watched(workspace, stack, widgets)
            page = w.page
            await w.open()
            assert page.detail.badge.text() == "Error"
            assert not page.detail.live_updates
            assert "Not refreshed automatically while in error" in page.detail.live.text()
            before = gets(sandbox)
            for _ in range(4):
                await w.round(30)
            assert gets(sandbox) == before

    arun(scenario(), timeout=60)


def test_offline_pauses_and_reconnect_brings_one_grouped_notice(
    arun: Callable[..., Any], fresh_sandbox: Any, widgets: list[QWidget]
) -> None:
    sandbox = fresh_sandbox(patients=60)

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            orders = await pick_up_orders(workspace.services, 5)
            w = Watched(workspace, stack, widgets)
            watch, port, page = w.watch, w.port, w.page
            await w.open(orders[0])

            sandbox.set_faults(drop_rate=1.0)
            await w.round(30)
            assert watch.state().status is WatchStatus.OFFLINE
            await until(lambda: "Offline" in page.detail.live.text())
            jump(sandbox, 61 + 1200)  # all five become ready while we cannot see them
            sandbox.reset_faults()
            await w.round(60)  # the next probe gets through
            await until(lambda: watch.state().status is WatchStatus.WATCHING)
            await until(lambda: len(port.shown) >= 1)
            await w.round(30)
            assert [n.title for n in port.shown] == ["5 orders changed"]
            assert set(port.shown[0].order_ids) == set(orders)
            assert page.detail.fulfillment.values["Progress"].text() == "Ready"
            assert row_of(page, orders[0])["Fulfillment"] == "Ready"

    arun(scenario(), timeout=90)
