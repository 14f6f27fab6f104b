"""The worklist's actions open the real order dialogs against a running sandbox: an order in
Error is sent to another pharmacy and one waiting in Routing is canceled, each leaving the
worklist; a prescription about to expire is sent to a pharmacy from its row; without
``write:order`` the actions are offered disabled."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget
from test_records_sandbox import connected, show
from ui_support import until
from watch_fakes import FakeTime
from watch_support import fake_time_watch
from write_support import new_writes, window_of, writes

from photon_desktop.domain import OrderState
from photon_desktop.services.worklist import Attention
from photon_desktop.ui.orders.cancel import CancelOrderDialog
from photon_desktop.ui.orders.new_order import NewOrderWindow
from photon_desktop.ui.orders.reroute import RerouteDialog
from photon_desktop.ui.worklist.actions import connect_actions
from photon_desktop.ui.worklist.page import WorklistPage


def kinds(page: WorklistPage) -> set[Attention]:
    return {item.kind for item in page.items}


def row_of(page: WorklistPage, kind: Attention) -> int:
    return next(n for n, item in enumerate(page.items) if item.kind is kind)


def test_an_error_order_is_rerouted_and_an_expiring_prescription_sent_from_the_worklist(
    arun: Callable[..., Any], fresh_sandbox: Any, widgets: list[QWidget]
) -> None:
    sandbox = fresh_sandbox(patients=60)

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            watch = fake_time_watch(workspace, FakeTime())
            stack.callback(watch.stop)
            page = WorklistPage(workspace, watch)
            host = QWidget()
            widgets.append(host)
            connect_actions(page, watch, host)
            show(widgets, page)
            await until(lambda: kinds(page) >= {Attention.ERROR, Attention.EXPIRING}, 20)

            # An order in Error: Reroute… opens the pharmacy picker around its address.
            page.table.selectRow(row_of(page, Attention.ERROR))
            item = page.items[row_of(page, Attention.ERROR)]
            assert item.order is not None and item.order.state is OrderState.ERROR
            assert page.reroute_button.isVisible() and page.reroute_button.isEnabled()
            assert page.cancel_button.isEnabled() and not page.send_button.isEnabled()
            before = writes(sandbox)
            page.reroute_button.click()
            dialog = await window_of(RerouteDialog)
            assert dialog.picker.zip.text() == item.order.address.postal_code  # type: ignore[union-attr]
            dialog.picker.zip.setText("10001")  # the demo pharmacies are around New York
            await until(lambda: dialog.picker.list.count() > 0, 20)
            dialog.picker.list.setCurrentRow(0)
            target = dialog.picker.pharmacy
            assert target is not None
            dialog.confirm.click()
            await until(lambda: item.order.id not in [i.order.id for i in page.items if i.order])
            assert new_writes(sandbox, before) == {"routeOrder": 1}
            after = await workspace.services.orders.get(item.order.id)
            assert after.pharmacy is not None and after.pharmacy.id == target.id
            assert after.state is not OrderState.ERROR
            assert watch.get(item.order.id) is not None  # every view shares the new state
            assert watch.get(item.order.id).state is after.state  # type: ignore[union-attr]

            # An order waiting for the patient to choose: Cancel order… asks why, then cancels.
            page.table.selectRow(row_of(page, Attention.ROUTING))
            waiting = page.items[row_of(page, Attention.ROUTING)].order
            assert waiting is not None and page.cancel_button.isEnabled()
            before = writes(sandbox)
            page.cancel_button.click()
            cancel = await window_of(CancelOrderDialog)
            cancel.reason.setCurrentIndex(cancel.reason.findData("Duplicate order"))
            cancel.confirm.click()
            await until(lambda: waiting.id not in [i.order.id for i in page.items if i.order])
            assert new_writes(sandbox, before) == {"cancelOrder": 1}
            gone = await workspace.services.orders.get(waiting.id)
            assert gone.state is OrderState.CANCELED

            # A prescription about to expire: Send to a pharmacy… opens the new order with it.
            page.table.selectRow(row_of(page, Attention.EXPIRING))
            rx = page.items[row_of(page, Attention.EXPIRING)].prescription
            assert rx is not None
            assert page.send_button.isEnabled() and not page.reroute_button.isEnabled()
            page.send_button.click()
            order_window = await window_of(NewOrderWindow)
            await until(lambda: order_window.fills.count() > 0, 20)
            assert [f.id for f in order_window.chosen_fills()] == [rx.id]
            assert order_window.patient_id == rx.patient_id
            order_window.close()

    arun(scenario(), timeout=90)


def test_without_write_order_the_actions_are_disabled_and_say_why(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            watch = fake_time_watch(workspace, FakeTime())
            stack.callback(watch.stop)
            page = WorklistPage(workspace, watch)
            connect_actions(page, watch, page)
            show(widgets, page)
            await until(lambda: kinds(page) >= {Attention.ERROR, Attention.EXPIRING}, 20)
            page.table.selectRow(row_of(page, Attention.ERROR))
            assert page.reroute_button.isEnabled()
            await workspace.session.sign_out()
            await until(lambda: not page.reroute_button.isEnabled())
            assert page.reroute_button.isVisible()
            assert "Sign in" in page.reroute_button.toolTip()
            page.reroute_button.click()  # disabled: nothing opens
            assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, RerouteDialog)]

    arun(scenario(), timeout=60)
