"""The "Needs attention" worklist: which rows, in which order, with which actions; and the
screenshots in light and dark. Orders come from a watcher on a fake Photon (so their age can
be chosen); prescriptions and permissions come from the running sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from test_records_sandbox import connected, show
from ui_support import distinct_colours, next_emission, until
from watch_fakes import T0, FakePhoton, FakeTime, order
from watch_support import fake_time_watch, round_done

from photon_desktop.domain import FulfillmentState, OrderException, OrderState
from photon_desktop.services.worklist import Attention
from photon_desktop.ui.worklist.page import COLUMNS, WorklistPage
from photon_desktop.ui.worklist.settings import OrderUpdatesSettings

SHOTS = Path("/tmp/shots-watch")
LATER = T0 + timedelta(days=4)


async def listening(signal: Any) -> asyncio.Future[tuple[Any, ...]]:
    """Start waiting for ``signal`` now; await the result after the action that emits it."""
    waiter = asyncio.ensure_future(next_emission(signal))
    await asyncio.sleep(0)
    return waiter


def photon() -> FakePhoton:
    problem = OrderException("PA_REQUIRED", "Prior authorization required", created_at=T0)
    unreachable = OrderException("PHARMACY_UNREACHABLE", "The pharmacy did not answer")
    return FakePhoton(
        [
            order(1, OrderState.ERROR, exceptions=(unreachable,)),
            order(2, exceptions=(problem,)),
            order(3, OrderState.ROUTING),
            order(4, fulfillment=FulfillmentState.READY),
            order(5, fulfillment=FulfillmentState.SENT),  # moving normally: not listed
            order(6, OrderState.COMPLETED),
        ]
    )


def test_worklist_rows_actions_and_screenshots(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget], scheme: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            time = FakeTime()
            watch = fake_time_watch(workspace, time, photon())
            stack.callback(watch.stop)
            page = WorklistPage(workspace, watch, now=lambda: LATER)
            show(widgets, page)
            count = await next_emission(page.first_load_done, within=20)
            kinds = [i.kind for i in page.items]
            orders = [i.kind for i in page.items if i.order is not None]
            assert orders == [
                Attention.ERROR,
                Attention.PROBLEM,
                Attention.READY,
                Attention.ROUTING,
            ]
            assert {i.order.id for i in page.items if i.order} == {
                "ord_0001", "ord_0002", "ord_0003", "ord_0004"
            }  # fmt: skip
            assert count == (page.count,)
            expiring = [i for i in page.items if i.kind is Attention.EXPIRING]
            assert kinds == orders + [Attention.EXPIRING] * len(expiring)
            for item in expiring:
                rx = item.prescription
                assert rx is not None and rx.fills_remaining > 0
                assert LATER.date() <= rx.expiration_date <= LATER.date() + timedelta(days=30)
            assert expiring, "the demo data has prescriptions expiring within 30 days"
            assert page.items[0].reason == "The pharmacy did not answer"
            assert page.items[2].reason == "Ready for pickup for 4 days"

            # "Open" now; reroute/cancel only once their dialogs are connected.
            assert page.reroute_button.isHidden() and page.cancel_button.isHidden()
            page.table.selectRow(0)
            opened = await listening(page.open_order)
            page.open_button.click()
            assert await opened == ("ord_0001",)
            page.enable_actions(reroute=True, cancel=True, send=True)
            assert page.reroute_button.isVisible() and page.reroute_button.isEnabled()
            assert not page.send_button.isEnabled()  # an order row: nothing to send
            rerouted = await listening(page.reroute_requested)
            page.reroute_button.click()
            assert await rerouted == ("ord_0001",)
            page.table.selectRow(len(page.items) - 1)
            assert page.send_button.isEnabled() and not page.cancel_button.isEnabled()

            page.table.clearSelection()
            page.table.scrollToTop()
            image = page.grab().toImage()
            assert image.save(str(SHOTS / f"worklist-{scheme}.png"))
            assert distinct_colours(image) > 20

    arun(scenario(), timeout=60)


def test_rows_follow_the_watcher_and_an_empty_worklist_says_so(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget]
) -> None:
    fake = FakePhoton([order(1, fulfillment=FulfillmentState.SENT)])

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            time = FakeTime()
            watch = fake_time_watch(workspace, time, fake)
            stack.callback(watch.stop)
            page = WorklistPage(workspace, watch, now=lambda: T0)
            show(widgets, page)
            await next_emission(page.first_load_done, within=20)
            orders = [i for i in page.items if i.order is not None]
            assert orders == []
            fake.set(order(1, OrderState.ERROR))
            counted = await listening(page.count_changed)
            await round_done(watch, time, 30)
            await counted
            await until(lambda: any(i.kind is Attention.ERROR for i in page.items))

    arun(scenario(), timeout=60)


def test_a_changed_expiry_threshold_applies_at_once_wherever_it_is_changed(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget]
) -> None:
    """Lowering "Expiring within" drops the prescriptions beyond it and raising it brings them
    back, while the dialog is still open and from the Settings pane's form too: no Refresh."""

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            watch = fake_time_watch(workspace, FakeTime(), FakePhoton([]))
            stack.callback(watch.stop)
            page = WorklistPage(workspace, watch)  # today: the demo data's dates follow it
            show(widgets, page)
            await next_emission(page.first_load_done, within=20)

            def expiring() -> list[date]:
                return [
                    i.prescription.expiration_date for i in page.items if i.prescription is not None
                ]

            within_30 = expiring()
            horizon = datetime.now(UTC).date() + timedelta(days=5)
            assert any(d > horizon for d in within_30) and any(d <= horizon for d in within_30)

            dialog = page.open_settings()
            await until(dialog.isVisible)
            dialog.form.expiry_days.setValue(5)
            assert expiring() == [d for d in within_30 if d <= horizon]
            assert page.summary.text() == f"{len(expiring())} items"
            dialog.reject()

            pane_form = OrderUpdatesSettings(watch)  # as the Settings pane shows it
            show(widgets, pane_form)
            pane_form.expiry_days.setValue(30)
            assert expiring() == within_30

    arun(scenario(), timeout=60)


def test_in_a_small_window_each_row_shows_what_it_is_about(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget]
) -> None:
    """At the width the page gets in a 1024 px window, each row shows the start of its drug or
    pharmacy name (the rest elided, whole in its tooltip), beside whole kinds and dates."""

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            watch = fake_time_watch(workspace, FakeTime())  # the demo's orders, long messages
            stack.callback(watch.stop)
            page = WorklistPage(workspace, watch)
            show(widgets, page)
            page.resize(870, 560)
            await next_emission(page.first_load_done, within=20)
            await until(lambda: any(i.prescription is not None for i in page.items))
            table, metrics = page.table, page.table.fontMetrics()
            about = [c.title for c in COLUMNS].index("Pharmacy or drug")
            widths = [table.columnWidth(c) for c in range(len(COLUMNS))]
            assert sum(widths) <= table.viewport().width()  # no sideways scrolling
            for row in range(page.count):
                whole = table.model().index(row, about).data()
                assert table.model().index(row, about).data(Qt.ItemDataRole.ToolTipRole) == whole
                start = whole.split(" ")[0] + "…"  # "Trazodone…", "Walgreens…"
                assert metrics.horizontalAdvance(start) < widths[about], whole
                for whole_column in (0, 3):  # the kind and the date are never cut
                    text = table.model().index(row, whole_column).data()
                    assert metrics.horizontalAdvance(text) < widths[whole_column], text
            assert page.grab().save(str(SHOTS / "worklist-870.png"))

    arun(scenario(), timeout=60)


def test_ctrl_c_copies_the_selected_rows_id(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget]
) -> None:
    """As on the other lists: the order's or prescription's id, not the text of a cell."""

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            watch = fake_time_watch(workspace, FakeTime(), photon())
            stack.callback(watch.stop)
            page = WorklistPage(workspace, watch, now=lambda: LATER)
            show(widgets, page)
            await next_emission(page.first_load_done, within=20)
            clipboard = QGuiApplication.clipboard()
            last = page.count - 1
            rx = page.items[last].prescription
            assert page.items[0].order is not None and rx is not None
            for row, wanted in ((0, page.items[0].order.id), (last, rx.id)):
                page.table.setFocus()
                page.table.selectRow(row)
                page.table.setCurrentIndex(page.model.index(row, 0))  # on the "Error" cell
                clipboard.clear()
                QTest.keyClick(page.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
                assert clipboard.text() == wanted

    arun(scenario(), timeout=60)
