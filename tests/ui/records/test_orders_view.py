"""Orders: paging and filters, the detail with fulfillment and fills, live refresh and F5."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from records_fakes import FakeServices, FakeSession, advance_order
from ui_support import column, save_screenshot, settle, until

from photon_desktop import errors
from photon_desktop.domain import OrderState
from photon_desktop.ui.common.records_page import PAGE_SIZE
from photon_desktop.ui.orders.list import OrdersPage
from photon_desktop.ui.workspace import Workspace


def make_page(
    widgets: list[QWidget], workspace: Workspace, auto_refresh_ms: int = 5000
) -> OrdersPage:
    page = OrdersPage(workspace, auto_refresh_ms=auto_refresh_ms)
    page.resize(1200, 700)
    page.show()
    widgets.append(page)
    return page


def test_list_pages_and_filters_by_state_and_patient(
    arun: Callable[..., Any],
    workspace: Workspace,
    widgets: list[QWidget],
    services: FakeServices,
    qtmodeltester: ModelTester,
) -> None:
    async def scenario() -> None:
        page = make_page(widgets, workspace)
        await until(lambda: page.list.model is not None and page.list.model.rowCount() == PAGE_SIZE)
        assert page.list.model is not None
        page.list.table.scrollToBottom()
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > PAGE_SIZE)
        qtmodeltester.check(page.list.model)
        page.set_state(OrderState.PLACED)
        await until(lambda: services.orders.calls[-1]["state"] is OrderState.PLACED)
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
        assert set(column(page.list.model, "State")) == {"Placed"}
        page.set_patient("pat_02", "Grace Hopper")
        await until(lambda: services.orders.calls[-1]["patient_id"] == "pat_02")
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
        assert set(column(page.list.model, "Patient")) == {"Grace Hopper"}
        assert services.orders.calls[-1]["state"] is OrderState.PLACED  # filters combine

    arun(scenario())


def test_detail_shows_fulfillment_pharmacy_address_and_fills(
    arun: Callable[..., Any],
    workspace: Workspace,
    widgets: list[QWidget],
    services: FakeServices,
    qtmodeltester: ModelTester,
    scheme: str,
) -> None:
    async def scenario() -> None:
        page = make_page(widgets, workspace)
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
        page.list.table.selectRow(1)
        detail = page.detail
        await until(lambda: detail.record is not None)
        order = services.orders.records[1]
        assert detail.badge.text() == "Completed"
        assert detail.fulfillment.values["Type"].text() == "Mail order"
        assert detail.fulfillment.values["Progress"].text() == "Shipped"
        assert detail.fulfillment.values["Carrier"].text() == "USPS"
        assert detail.fulfillment.values["Tracking number"].text() == "940000000001"
        assert detail.pharmacy.values["Pharmacy"].text() == "Corner Pharmacy"
        assert "Austin, TX 78701" in detail.delivery.values["Address"].text()
        assert detail.delivery_title.text() == "Delivery"  # where a mail order ships
        assert detail.fills_model.rowCount() == len(order.fills)
        qtmodeltester.check(detail.fills_model)
        assert not detail.live_updates  # a completed order is not polled
        wanted: list[str] = []
        detail.prescription_requested.connect(wanted.append)
        detail.fills_table.activated.emit(detail.fills_model.index(0, 0))
        assert wanted == [order.fills[0].prescription_id]
        await settle(0.1)
        save_screenshot(page, f"orders-{scheme}")

    arun(scenario())


def test_routing_order_without_pharmacy_says_so(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget], services: FakeServices
) -> None:
    async def scenario() -> None:
        page = make_page(widgets, workspace)
        page.open_order("ord_0000")  # no pharmacy, no fulfillment yet
        await until(lambda: page.detail.record is not None)
        assert "Routing" in page.detail.pharmacy.values["Pharmacy"].text()
        assert page.detail.fulfillment.values["Progress"].text() == "Waiting for the pharmacy"
        assert page.detail.delivery_title.text() == "Order"  # not delivered anywhere (yet)

    arun(scenario())


def test_an_order_in_progress_refreshes_itself_until_it_is_done(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget], services: FakeServices
) -> None:
    services.orders.on_get = advance_order

    async def scenario() -> None:
        page = make_page(widgets, workspace, auto_refresh_ms=50)
        page.open_order("ord_0005")  # ROUTING
        detail = page.detail
        await until(lambda: detail.record is not None)
        assert detail.live_updates
        assert "live" in detail.live.text()
        await until(lambda: detail.badge.text() == "Completed", within=5)
        await settle(0.2)
        assert not detail.live_updates
        reads = len(services.orders.gets)
        await settle(0.2)
        assert len(services.orders.gets) == reads  # polling stopped

    arun(scenario())


def test_f5_refresh_reloads_and_a_failed_refresh_keeps_the_order(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget], services: FakeServices
) -> None:
    async def scenario() -> None:
        page = make_page(widgets, workspace)
        page.open_order("ord_0001")
        await until(lambda: page.detail.record is not None)
        gets = len(services.orders.gets)
        page.refresh()
        await until(lambda: len(services.orders.gets) == gets + 1)
        services.orders.fail_with = errors.OfflineError("Photon could not be reached.")
        page.detail.refresh()
        await until(lambda: "Could not refresh" in page.detail.live.text())
        assert page.detail.header.isVisible()  # what was shown stays
        assert page.detail.ids.values["Order ID"].text() == "ord_0001"

    arun(scenario())


def test_hidden_detail_does_not_poll(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget], services: FakeServices
) -> None:
    async def scenario() -> None:
        page = make_page(widgets, workspace, auto_refresh_ms=50)
        page.open_order("ord_0005")
        await until(lambda: page.detail.record is not None)
        page.hide()
        await settle(0.05)
        reads = len(services.orders.gets)
        await settle(0.3)
        assert len(services.orders.gets) == reads
        page.show()
        await until(lambda: len(services.orders.gets) > reads)

    arun(scenario())


def test_without_read_order_the_view_says_why(
    arun: Callable[..., Any],
    workspace: Workspace,
    widgets: list[QWidget],
    services: FakeServices,
    session: FakeSession,
) -> None:
    session.grant({"read:patient", "read:prescription"})

    async def scenario() -> None:
        page = make_page(widgets, workspace)
        page.open_order("ord_0001")
        await settle()
        assert services.orders.calls == [] and services.orders.gets == []
        assert "read:order" in page.list.state.label.text()
        assert "read:order" in page.detail.state.label.text()

    arun(scenario())


def test_a_failed_later_page_keeps_the_rows_and_offers_retry(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget], services: FakeServices
) -> None:
    async def scenario() -> None:
        page = make_page(widgets, workspace)
        await until(lambda: page.list.model is not None and page.list.model.rowCount() == PAGE_SIZE)
        services.orders.fail_with = errors.ServerError("Photon had a problem (503).", status=503)
        page.list.table.scrollToBottom()
        await until(lambda: page.list.banner.isVisible())
        assert "503" in page.list.banner.text()
        assert page.list.table.isVisible() and page.list.model is not None
        assert page.list.model.rowCount() == PAGE_SIZE
        services.orders.fail_with = None
        page.list.banner_retry.click()
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > PAGE_SIZE)
        assert not page.list.banner.isVisible()

    arun(scenario())


def test_the_state_filter_is_remembered(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget], services: FakeServices
) -> None:
    async def scenario() -> None:
        page = make_page(widgets, workspace)
        page.set_state(OrderState.ROUTING)
        again = make_page(widgets, workspace)
        assert again.state_combo.currentText() == "Routing"
        assert again.filter.state is OrderState.ROUTING
        await until(
            lambda: (
                bool(services.orders.calls)
                and services.orders.calls[-1]["state"] is OrderState.ROUTING
            )
        )

    arun(scenario())


def test_the_empty_detail_reads_naturally(workspace: Workspace, widgets: list[QWidget]) -> None:
    page = OrdersPage(workspace)
    widgets.append(page)
    assert page.detail.state.label.text() == "Select an order in the list to see its details."
