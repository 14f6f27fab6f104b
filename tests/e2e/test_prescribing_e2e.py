"""Prescribing end to end: the real main window (offscreen) on the real sandbox. A prescriber
signs in through headless Chromium, writes a prescription in the form (search, fill, review,
Sign and send), sends it to a pharmacy found by ZIP in the new-order window, and finds the order
on the Orders page and the patient's page. Then staff sign in: no prescribe action anywhere, and
the pages say who can prescribe."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.append(str(Path(__file__).resolve().parents[1] / "ui"))

import httpx
import pytest
from auth_fakes import MemoryKeyring
from PySide6.QtWidgets import QApplication
from test_signin_e2e import (  # the browser and the app's files, shared with the sign-in test
    UrlCatcher,
    app_files,
    arun,
    catcher,
    drive_chromium,
    memory_keyring,
)
from ui_support import until
from write_support import pick_first, window_of

from photon_desktop.auth.environments import LOCAL_SANDBOX
from photon_desktop.auth.profiles import Profile, save_profile
from photon_desktop.desktop import Desktop, QtSettingsStore, SessionPage, build_window
from photon_desktop.domain import FulfillmentType, OrderState
from photon_desktop.ui.common import preferences
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.orders.list import OrdersPage
from photon_desktop.ui.orders.new_order import NewOrderWindow
from photon_desktop.ui.prescriptions.form import PrescriptionForm
from photon_desktop.ui.prescriptions.list import PrescriptionsPage
from photon_desktop.ui.worklist.settings import OrderUpdatesSettings

pytestmark = [pytest.mark.e2e, pytest.mark.qt_log_ignore("propagateSizeHints")]

__all__ = ["app_files", "catcher", "memory_keyring"]  # fixtures used by name


async def sign_in_with_browser(
    window: MainWindow, catcher: UrlCatcher, sandbox: Any, role: str, profile_dir: str
) -> None:
    """Press "Sign in with Photon" on the Sign-in page; Chromium signs in as ``role``."""
    email = next(u["email"] for u in sandbox.users if u["role"] == role)
    window.show_page("sign-in")
    page = window.page("sign-in")
    assert isinstance(page, SessionPage) and page.sign_in is not None
    catcher.opened = asyncio.get_running_loop().create_future()
    page.sign_in.sign_in_button.click()
    opened = await catcher.opened
    # The browser is first sent through the app's one-shot local redirect to the sign-in page.
    async with httpx.AsyncClient() as client:
        redirect = await client.get(opened)
    assert redirect.status_code == 302
    hinted = redirect.headers["location"] + "&" + urlencode({"login_hint": email})
    landing = await asyncio.to_thread(drive_chromium, hinted, profile_dir)
    assert "You can close this tab" in landing
    session = window.workspace.session
    await until(lambda: session.signed_in and email in (session.identity or ""), 30)


async def open_patient(window: MainWindow, patient_id: str) -> None:
    window.show_page("patients")
    window.patients.open(patient_id)
    detail = window.patients.detail
    await until(lambda: detail.patient is not None and detail.patient.id == patient_id, 20)


def test_a_prescriber_prescribes_and_orders_staff_cannot_prescribe(
    qapp: QApplication,
    sandbox: Any,
    app_files: Path,
    memory_keyring: MemoryKeyring,
    catcher: UrlCatcher,
) -> None:
    save_profile(
        LOCAL_SANDBOX.key,
        Profile(
            native_client_id=sandbox.native_client_id,
            issuer=sandbox.issuer,
            audience=sandbox.audience,
            graphql_url=sandbox.graphql_url,
        ),
        QtSettingsStore(),
    )
    chromium_profile = tempfile.mkdtemp(prefix="chromium-", dir=app_files.parent)

    async def go() -> None:
        desktop = Desktop()
        window = build_window(desktop)
        try:
            window.resize(1200, 760)
            window.show()
            await desktop.switch(window, LOCAL_SANDBOX.key)
            assert window.current_key == "sign-in"  # nobody is signed in yet
            await sign_in_with_browser(window, catcher, sandbox, "prescriber", chromium_profile)
            services = window.workspace.services
            # After a sign-in the app lands on "Needs attention" (the demo data has orders in
            # error) once the first check of orders is done.
            await until(lambda: window.current_key == "worklist", 30)

            # A patient with a home address (the order is delivered or picked up near it).
            page = await services.patients.search(None, first=30)
            for summary in page.items[5:]:
                patient = await services.patients.get(summary.id)
                if patient.address is not None:
                    break
            else:
                raise AssertionError("no demo patient has an address")
            await open_patient(window, patient.id)
            actions = window.patients.detail.chart_actions
            assert actions.prescribe_button.isVisible() and not actions.who_prescribes.isVisible()

            # The form: search a treatment, fill the card, review, Sign and send.
            actions.prescribe_button.click()
            form = await window_of(PrescriptionForm)
            editor = form.editors[0]
            await until(lambda: editor.unit.count() > 1 and form.patient is not None)
            editor.search.edit.setText("atorva")  # typed: the search runs once typing pauses
            await pick_first(editor.search.results)
            await until(lambda: editor.treatment is not None)
            assert editor.treatment is not None and "Atorvastatin" in editor.treatment.name
            editor.quantity.setText("30")
            editor.unit.setCurrentIndex(editor.unit.findData("Tablet"))
            editor.refills.setValue(1)
            editor.instructions.setPlainText("Take 1 tablet by mouth at bedtime")
            form.review_button.click()
            assert form.stack.currentWidget() is form.review_page
            review = form.review_page.text.toPlainText()
            assert patient.name.full in review and "30 Tablet" in review
            assert "1 (2 fills in total)" in review
            form.send_button.click()
            await until(lambda: form.created, 20)
            [rx] = form.created
            assert "1 prescription signed for" in form.done_page.text()

            # Send to a pharmacy: pickup, found around a typed ZIP code.
            form.after_button.click()
            order_window = await window_of(NewOrderWindow)
            await until(lambda: order_window.picker is not None and order_window.fills.count())
            assert [f.id for f in order_window.chosen_fills()] == [rx.id]
            order_window.pickup_radio.setChecked(True)
            picker = order_window.picker
            assert picker is not None
            picker.zip.setText("10001")  # typed: searched once typing pauses
            await until(lambda: picker.list.count() > 0 and "10001" in picker.status.text(), 20)
            picker.list.setCurrentRow(0)
            chosen = picker.pharmacy
            assert chosen is not None and FulfillmentType.PICK_UP in chosen.fulfillment_types
            order_window.review_button.click()
            assert order_window.stack.currentWidget() is order_window.review_text
            assert chosen.name in order_window.review_text.toPlainText()
            order_window.send_button.click()
            await until(lambda: order_window.order is not None, 20)
            order = order_window.order
            assert order is not None and order.state is OrderState.PENDING
            assert order.pharmacy is not None and order.pharmacy.id == chosen.id

            # "Open order" shows it on the Orders page; the list, filtered to the patient, too.
            order_window.after_button.click()
            orders = window.page("orders")
            assert isinstance(orders, OrdersPage)
            assert window.current_key == "orders"
            await until(lambda: orders.detail.record is not None, 20)
            assert orders.detail.record is not None and orders.detail.record.id == order.id
            orders.set_patient(patient.id, patient.name.full)
            model = orders.list.model
            assert model is not None
            await until(lambda: order.id in [o.id for o in model.items()], 20)

            # The patient's page lists the new order and the prescription.
            await open_patient(window, patient.id)
            detail = window.patients.detail
            await until(lambda: detail.orders_model.rowCount() > 0, 20)
            shown = [detail.orders_model.item(r).id for r in range(detail.orders_model.rowCount())]
            assert order.id in shown
            form.close()

            # Order updates are set in Settings too (the same keys as the worklist's dialog).
            window.show_page("settings")
            updates = window.page("settings").findChild(OrderUpdatesSettings)
            assert updates is not None and updates.isVisible()
            updates.interval.setValue(60)
            assert preferences.ORDERS_POLL_INTERVAL_S.get() == 60

            # Staff: no prescribe action; the patient page and the list say who can prescribe.
            sign_in_page = window.page("sign-in")
            assert isinstance(sign_in_page, SessionPage) and sign_in_page.sign_in is not None
            window.show_page("sign-in")
            sign_in_page.sign_in.sign_out_button.click()
            await until(lambda: not window.workspace.session.signed_in, 20)
            await sign_in_with_browser(window, catcher, sandbox, "staff", chromium_profile)
            assert not window.workspace.session.has("write:prescription")
            await open_patient(window, patient.id)
            # The page reloads for the new user: wait until it shows the patient again.
            await until(lambda: actions.who_prescribes.isVisible(), 20)
            assert not actions.prescribe_button.isVisible()
            who = "Only a signed-in prescriber can write prescriptions."
            assert actions.who_prescribes.text() == who
            assert not window.write_actions[0].isEnabled()  # Ctrl+Shift+P does nothing
            window.show_page("prescriptions")
            prescriptions = window.page("prescriptions")
            assert isinstance(prescriptions, PrescriptionsPage)
            assert not prescriptions.prescribe.button.isVisible()
            assert prescriptions.prescribe.why.isVisible()
            assert prescriptions.prescribe.why.full_text() == who
        finally:
            window.close()
            await desktop.aclose()

    arun(qapp, go())
