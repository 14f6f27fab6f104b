"""The order detail's write actions over HTTP: the order clock moving an order, cancel with a
reason (Canceled shown at once), and rerouting an Error order to another pharmacy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msgspec.structs import replace
from order_support import patient_with_new_rx
from PySide6.QtWidgets import QWidget
from ui_support import until
from write_support import answer, new_writes, shot, signed_in, window_of, writes

from photon_desktop.domain import FulfillmentType, OrderState
from photon_desktop.ui.orders.cancel import OTHER, CancelOrderDialog
from photon_desktop.ui.orders.detail import OrderDetail
from photon_desktop.ui.orders.reroute import RerouteDialog

Run = Callable[..., Any]


def show(widgets: list[QWidget], detail: OrderDetail) -> OrderDetail:
    detail.resize(900, 700)
    detail.show()
    widgets.append(detail)
    return detail


def test_clock_moves_the_order_then_cancel_with_a_reason(
    arun: Run, fresh_sandbox: Callable[..., Any], widgets: list[QWidget], scheme: str
) -> None:
    sandbox = fresh_sandbox(patients=30)

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient, rx = await patient_with_new_rx(conn, offset=0)
            assert patient.address is not None
            near = await conn.services.catalog.pharmacies(
                fulfillment=FulfillmentType.PICK_UP, first=1
            )
            order = await conn.services.orders.create(
                patient.id, [rx.id], _address(patient), pharmacy_id=near.items[0].id
            )
            detail = show(widgets, OrderDetail(conn.workspace, auto_refresh_ms=60_000))
            actions = detail.write_actions
            detail.load(order.id)
            await until(lambda: detail.badge.text() == "Pending")
            assert actions.cancel_button.isVisible() and not actions.reroute_button.isVisible()

            # The sandbox's order clock: two simulated minutes later the pharmacy has it.
            sandbox.admin("PUT", "clock", {"advance_seconds": 120})
            detail.refresh()
            await until(lambda: detail.badge.text() == "Placed")
            assert detail.fulfillment.values["Progress"].text() == "Sent"

            before = writes(sandbox)
            actions.cancel_button.click()
            dialog = await window_of(CancelOrderDialog)
            assert "cannot be undone" in dialog.explain.text()
            dialog.confirm.click()
            assert dialog.message.text() == "Choose a reason."
            dialog.reason.setCurrentIndex(dialog.reason.findData(OTHER))
            dialog.confirm.click()
            assert dialog.message.text() == "Type the reason."
            dialog.other.setText("Patient moved away")
            shot(dialog, f"order-cancel-{scheme}")
            dialog.confirm.click()
            await until(lambda: detail.badge.text() == "Canceled")
            assert new_writes(sandbox, before) == {"cancelOrder": 1}
            assert not actions.cancel_button.isVisible()
            again = await conn.services.orders.get(order.id)
            assert again.state is OrderState.CANCELED
            # Photon's answer can lag (its web app patches the state itself): a refresh that
            # still says Placed keeps showing what the user asked for.
            stale = replace(again, state=OrderState.PLACED)
            detail._render(stale)
            detail.record = stale
            detail.loaded.emit(stale)
            assert detail.badge.text() == "Canceled" and not actions.cancel_button.isVisible()
            back = await conn.services.prescriptions.get(rx.id)
            assert back.fills_remaining == rx.fills_remaining  # the fill went back

    arun(scenario(), timeout=90)


def test_an_error_order_says_what_to_do_and_is_rerouted(
    arun: Run, fresh_sandbox: Callable[..., Any], widgets: list[QWidget], scheme: str
) -> None:
    sandbox = fresh_sandbox(patients=200)

    async def scenario() -> None:
        async with signed_in(sandbox, "staff") as conn:
            page = await conn.services.orders.list(state=OrderState.ERROR, first=1)
            failed = page.items[0]
            detail = show(widgets, OrderDetail(conn.workspace, auto_refresh_ms=60_000))
            actions = detail.write_actions
            detail.load(failed.id)
            await until(lambda: detail.badge.text() == "Error")
            guidance = actions.guidance.text()
            assert "Send it to another pharmacy, or cancel it" in guidance
            assert "Pharmacy unreachable: Send the order to another pharmacy." in guidance
            assert actions.reroute_button.isVisible() and actions.cancel_button.isVisible()
            shot(detail, f"order-error-{scheme}")

            before = writes(sandbox)
            actions.reroute_button.click()
            dialog = await window_of(RerouteDialog)
            await until(lambda: dialog.picker.list.count() > 0)
            assert "within 25 mi of" in dialog.picker.status.text()  # near the patient
            # Near a ZIP with no pharmacy that close (Santa Fe, ~56 mi from Albuquerque's),
            # it looks further by itself and says so.
            dialog.picker.zip.setText("87501")
            dialog.picker.search_now()
            await until(lambda: "87501" in dialog.picker.status.text())
            assert "within 100 mi of 87501" in dialog.picker.status.text()
            assert "(none within 25 mi)" in dialog.picker.status.text()
            assert dialog.picker.list.count() > 0
            assert not dialog.confirm.isEnabled()  # nothing chosen yet
            dialog.picker.list.setCurrentRow(0)
            chosen = dialog.picker.pharmacy
            assert chosen is not None and chosen.id != (
                failed.pharmacy.id if failed.pharmacy else ""
            )
            shot(dialog, f"order-reroute-{scheme}")
            await answer("Send to another pharmacy", "Send to this pharmacy")
            await until(lambda: detail.badge.text() in ("Pending", "Placed"))
            assert new_writes(sandbox, before) == {"routeOrder": 1}
            assert detail.pharmacy.values["Pharmacy"].text() == chosen.name
            assert not actions.reroute_button.isVisible()
            assert "Pharmacy unreachable" not in actions.guidance.text()

    arun(scenario(), timeout=90)


def _address(patient: Any) -> Any:
    from photon_desktop.domain import AddressInput

    a = patient.address
    return AddressInput(street1=a.street1, city=a.city, state=a.state, postal_code=a.postal_code)


def test_a_routing_order_gets_a_pharmacy_chosen_for_the_patient(
    arun: Run, fresh_sandbox: Callable[..., Any], widgets: list[QWidget]
) -> None:
    sandbox = fresh_sandbox(patients=30)

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient, rx = await patient_with_new_rx(conn, offset=1)
            order = await conn.services.orders.create(patient.id, [rx.id], _address(patient))
            detail = show(widgets, OrderDetail(conn.workspace, auto_refresh_ms=60_000))
            actions = detail.write_actions
            detail.load(order.id)
            await until(lambda: detail.badge.text() == "Pending")
            assert not actions.reroute_button.isVisible()
            # A simulated hour later the patient still has not chosen: Routing.
            sandbox.admin("PUT", "clock", {"advance_seconds": 3600})
            detail.refresh()
            await until(lambda: detail.badge.text() == "Routing")
            assert "has not chosen a pharmacy yet" in actions.guidance.text()
            assert actions.reroute_button.isVisible()
            before = writes(sandbox)
            actions.reroute_button.click()
            dialog = await window_of(RerouteDialog)
            await until(lambda: dialog.picker.list.count() > 0)
            dialog.picker.list.setCurrentRow(0)
            chosen = dialog.picker.pharmacy
            assert chosen is not None
            dialog.confirm.click()
            await until(lambda: detail.pharmacy.values["Pharmacy"].text() == chosen.name)
            assert new_writes(sandbox, before) == {"routeOrder": 1}
            assert detail.badge.text() in ("Pending", "Placed")

    arun(scenario(), timeout=60)
