"""Prescriptions and orders against the running sandbox over HTTP, with a real M2M session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from ui_support import column, save_screenshot, settle, until

from photon_desktop.auth.environments import LOCAL_SANDBOX
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session
from photon_desktop.domain import OrderState, PrescriptionState
from photon_desktop.services import Services
from photon_desktop.ui.common.records_page import PAGE_SIZE
from photon_desktop.ui.orders.list import OrdersPage
from photon_desktop.ui.prescriptions.list import PrescriptionsPage
from photon_desktop.ui.workspace import Workspace


@asynccontextmanager
async def connected(sandbox: Any, *, signed_in: bool = True) -> AsyncIterator[Workspace]:
    """A workspace on the sandbox, as the app builds it: Session (M2M) + Services on one client."""
    env = LOCAL_SANDBOX.with_endpoints(
        issuer=sandbox.issuer, audience=sandbox.audience, graphql_url=sandbox.graphql_url
    )
    # No pooled connections: the test's event loop ends with the test.
    async with httpx.AsyncClient(
        timeout=10, limits=httpx.Limits(max_keepalive_connections=0)
    ) as client:
        session = Session(env, client, SecretStore())
        if signed_in:
            await session.use_m2m(sandbox.m2m_client_id, sandbox.m2m_client_secret, remember=False)
        workspace = Workspace()
        workspace.set(env, session, Services(client, env.graphql_url, session))
        yield workspace


def show(widgets: list[QWidget], page: QWidget) -> None:
    page.resize(1280, 760)
    page.show()
    widgets.append(page)


def test_prescriptions_page_filter_and_open_over_http(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget], qtmodeltester: ModelTester,
    scheme: str,
) -> None:  # fmt: skip
    async def scenario() -> None:
        async with connected(sandbox) as workspace:
            page = PrescriptionsPage(workspace)
            show(widgets, page)
            await until(
                lambda: page.list.model is not None and page.list.model.rowCount() == PAGE_SIZE
            )
            model = page.list.model
            assert model is not None
            page.list.table.scrollToBottom()
            await until(lambda: model.rowCount() > PAGE_SIZE)
            ids = column(model, "ID")
            assert len(ids) == len(set(ids)) and all(i.startswith("rx_") for i in ids)
            qtmodeltester.check(model)

            # State filter, answered by the server.
            page.set_state(PrescriptionState.EXPIRED)
            await until(lambda: page.list.model is not model and page.list.model.rowCount() > 0)
            assert page.list.model is not None
            assert set(column(page.list.model, "State")) == {"Expired"}

            # Patient name filter (debounced, server-side), combined with the state filter.
            page.set_state(None)
            await until(
                lambda: page.list.model is not None and page.list.model.rowCount() == PAGE_SIZE
            )
            name = page.list.model.item(0).patient_name.full  # type: ignore[union-attr]
            last = name.split()[-1]
            page.patient_edit.setText(last)
            await until(lambda: page.filter.patient_name == last)
            await until(
                lambda: page.list.model is not None and 0 < page.list.model.rowCount() < PAGE_SIZE
            )
            assert all(last.lower() in p.lower() for p in column(page.list.model, "Patient"))

            # A patient chosen elsewhere (the patient detail's link).
            rx = page.list.model.item(0)
            page.set_patient(rx.patient_id, name)
            await until(lambda: page.filter.patient_id == rx.patient_id)
            await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
            assert {r.patient_id for r in page.list.model.items()} == {rx.patient_id}

            # Selecting a row shows the detail from one request.
            page.list.table.selectRow(0)
            await until(lambda: page.detail.record is not None)
            detail = page.detail
            shown = detail.record
            assert shown is not None and shown.id == page.list.model.item(0).id
            assert shown.treatment.name in detail.title.text()
            assert detail.dates.values["Fills remaining"].text() == str(shown.fills_remaining)
            assert detail.prescriber.values["Name"].text() != "—"
            qtmodeltester.check(detail.fills_model)
            await settle(0.1)
            save_screenshot(page, f"prescriptions-sandbox-{scheme}")

    arun(scenario(), timeout=40)


def test_orders_page_detail_and_live_refresh_over_http(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget], qtmodeltester: ModelTester,
    scheme: str,
) -> None:  # fmt: skip
    async def scenario() -> None:
        async with connected(sandbox) as workspace:
            page = OrdersPage(workspace, auto_refresh_ms=300)
            show(widgets, page)
            await until(
                lambda: page.list.model is not None and page.list.model.rowCount() == PAGE_SIZE
            )
            assert page.list.model is not None
            qtmodeltester.check(page.list.model)
            page.set_state(OrderState.ROUTING)
            await until(lambda: page.filter.state is OrderState.ROUTING)
            await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
            assert set(column(page.list.model, "State")) == {"Routing"}
            order = page.list.model.item(0)

            # An order still in progress refreshes itself while it is shown.
            page.open_order(order.id)
            detail = page.detail
            await until(lambda: detail.record is not None)
            assert detail.live_updates
            loads: list[object] = []
            detail.loaded.connect(loads.append)
            await until(lambda: len(loads) >= 2, within=5)
            assert detail.ids.values["Order ID"].text() == order.id

            # A completed order shows fulfillment, pharmacy and fills, and is not polled.
            page.set_state(OrderState.COMPLETED)
            await until(lambda: page.filter.state is OrderState.COMPLETED)
            await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
            done = page.list.model.item(0)
            page.list.table.selectRow(0)
            await until(lambda: detail.record is not None and detail.record.id == done.id)
            assert detail.badge.text() == "Completed"
            assert not detail.live_updates
            assert detail.pharmacy.values["Pharmacy"].text() == (
                done.pharmacy.name if done.pharmacy else "—"
            )
            assert detail.fills_model.rowCount() == len(detail.record.fills) > 0
            qtmodeltester.check(detail.fills_model)
            await settle(0.1)
            save_screenshot(page, f"orders-sandbox-{scheme}")

    arun(scenario(), timeout=40)


def test_without_a_session_that_reads_them_the_views_say_why_then_load_live(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with connected(sandbox, signed_in=False) as workspace:
            rx_page = PrescriptionsPage(workspace)
            order_page = OrdersPage(workspace)
            show(widgets, rx_page)
            show(widgets, order_page)
            await settle()
            assert rx_page.list.state.label.text() == workspace.session.why_not("read:prescription")
            assert "Sign in" in rx_page.list.state.label.text()
            assert "Sign in" in order_page.list.state.label.text()
            assert rx_page.list.model is None and order_page.list.model is None  # nothing was asked
            # Signing in re-evaluates the views without a restart.
            await workspace.session.use_m2m(
                sandbox.m2m_client_id, sandbox.m2m_client_secret, remember=False
            )
            await until(
                lambda: rx_page.list.model is not None and rx_page.list.model.rowCount() > 0
            )
            await until(
                lambda: order_page.list.model is not None and order_page.list.model.rowCount() > 0
            )
            await workspace.session.sign_out()
            await until(lambda: "Sign in" in rx_page.list.state.label.text())
            assert rx_page.list.state.isVisible()

    arun(scenario(), timeout=40)
