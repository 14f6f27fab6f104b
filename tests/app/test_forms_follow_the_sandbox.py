"""Open forms follow the bundled sandbox: its REAL child process is killed under them.

While it is stopped every open form (new and edit patient, new order, cancel and reroute an
order) says so in a notice, its writing button is off with that reason as its tooltip, nothing
typed is lost and nothing is sent; window-modal dialogs let go of the main window so "Restart the
local sandbox" can be pressed. After the restart each form checks its record in the fresh demo
data: a record created before the stop is gone (the form says so and still cannot send), a seeded
one is back (the form may send again), and a new patient is created once, in the new sandbox.
Screenshots of the new-order window and the patient form with the notice, light and dark, go to
/tmp/shots-forms."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from app_support import on_the_bundled_sandbox, signed_out_on_the_bundled_sandbox
from auth_fakes import MemoryKeyring
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from ui_support import FormBrowser, fill, settle, until
from write_support import pick_first

from photon_desktop.domain import NameInput, PatientInput, Sex
from photon_desktop.services import Services
from photon_desktop.ui.common.outage import Server
from photon_desktop.ui.common.states import RESTART_LABEL
from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.orders.cancel import CancelOrderDialog
from photon_desktop.ui.orders.launch import open_new_order
from photon_desktop.ui.orders.new_order import MAIL, NewOrderWindow
from photon_desktop.ui.orders.reroute import RerouteDialog
from photon_desktop.ui.patients.form import PatientForm
from photon_desktop.ui.prescriptions.launch import open_prescription_form
from photon_desktop.ui.status import OutageBar

Run = Callable[..., Any]
SHOTS = Path("/tmp/shots-forms")
TYPED = {
    "first": "Wilhelmina",
    "last": "Outagecase",
    "dob": "1981-04-12",
    "sex": "FEMALE",
    "phone": "(202) 555-0102",
}


def writes(services: Services, *operations: str) -> int:
    return sum(1 for e in services.request_log.entries if e.operation in operations)


def stopped(notice: QWidget, button: QWidget) -> None:
    """The form's notice says the sandbox stopped; its writing button is off and says why."""
    text = notice.property("text")
    assert notice.isVisibleTo(notice.window()), "notice hidden"
    assert text.startswith("The local sandbox stopped") and RESTART_LABEL in text, text
    assert "kept" in text and "network" not in text.lower()
    assert not button.isEnabled() and button.toolTip() == text


async def shoot(window: MainWindow, form: QWidget, name: str) -> None:
    for scheme in ("light", "dark"):
        window.set_theme(scheme)
        await settle(0.2)
        image = form.grab().toImage()
        assert image.save(str(SHOTS / f"{name}-{scheme}.png"))
        dark = image.pixelColor(8, image.height() - 8).lightness() < 128
        assert dark == (scheme == "dark"), scheme
    window.set_theme("system")
    await settle(0.2)


def test_open_forms_follow_the_sandbox_dying_and_its_restart(
    isolated: MemoryKeyring, arun: Run, theme: Theme
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)

    async def scenario() -> None:
        async with on_the_bundled_sandbox() as (desktop, window):
            theme.changed.connect(window.on_theme_changed)
            ws = desktop.workspace
            services = ws.services
            created = await services.patients.create(
                PatientInput(
                    name=NameInput(first="Temporary", last="Stopcase"),
                    date_of_birth=date(1990, 1, 2),
                    sex=Sex.MALE,
                    phone="+12025550199",
                )
            )
            seeded = (await services.orders.list(first=5)).items[0]

            # Five windows open, each with something chosen or typed.
            new_patient = PatientForm(ws, None, window.patients)
            new_patient.open()
            fill(new_patient, **TYPED)
            edit_created = PatientForm(ws, created, window.patients)
            edit_created.show()
            fill(edit_created, city="Shelbyville")
            order = open_new_order(ws, created.id, parent=window)
            assert isinstance(order, NewOrderWindow)
            order.resize(1000, 720)
            await until(lambda: order.mail_picker is not None, within=20)
            order.mail_radio.setChecked(True)
            order.address.edits["street2"].setText("Apt 7")
            cancel = CancelOrderDialog(ws, seeded, window)
            cancel.reason.setCurrentIndex(cancel.reason.findData("Duplicate order"))
            cancel.open()
            reroute = RerouteDialog(ws, seeded, window)
            for form in (new_patient, edit_created, order, cancel, reroute):
                assert form.findChild(QWidget, "formOutage").isHidden()
            assert new_patient.save_button.isEnabled() and cancel.confirm.isEnabled()
            assert QApplication.activeModalWidget() is not None  # the cancel dialog, for now

            assert desktop.sandbox is not None and desktop.sandbox.pid is not None
            os.kill(desktop.sandbox.pid, signal.SIGKILL)
            await until(lambda: ws.unavailable, within=10)
            await until(lambda: not ws.session.signed_in, within=10)  # its sign-in ended too

            # Every form stays open, says it, and cannot send; nothing typed is gone.
            stopped(new_patient.outage.label, new_patient.save_button)
            stopped(edit_created.outage.label, edit_created.save_button)
            assert order.outage is not None and order.isVisible()
            stopped(order.outage.label, order.send_button)
            stopped(cancel.outage.label, cancel.confirm)
            stopped(reroute.outage.label, reroute.confirm)
            # A search after the stop (the user types a name) says why it cannot run. (Whether
            # the first search was still on its way at the kill depends on the machine's load.)
            assert order.mail_picker is not None
            order.mail_picker.search_now()
            await until(lambda: "Could not" in order.mail_picker.status.text())  # type: ignore[union-attr]
            assert "local sandbox has stopped" in order.mail_picker.status.text()  # type: ignore[union-attr]
            assert new_patient.values()["first"] == "Wilhelmina" and new_patient.dirty
            assert edit_created.values()["city"] == "Shelbyville"
            assert order.how_key == MAIL and order.address.edits["street2"].text() == "Apt 7"
            assert cancel.chosen_reason() == "Duplicate order" and cancel.isVisible()
            # The main window, and its restart button, can be reached.
            assert QApplication.activeModalWidget() is None
            assert cancel.windowModality() == Qt.WindowModality.NonModal

            # Sending anyway (Ctrl+S, Ctrl+Return, a click on the disabled button) sends nothing.
            sent = writes(services, "CreatePatient", "UpdatePatient", "CancelOrder")
            new_patient.submit()
            edit_created.submit()
            cancel.confirm.click()
            assert not new_patient.saving and not edit_created.saving and not cancel.busy
            assert writes(services, "CreatePatient", "UpdatePatient", "CancelOrder") == sent

            # The form's own rules still apply under the gate: they come back after the restart.
            new_patient.save_button.setEnabled(True)
            assert not new_patient.save_button.isEnabled()

            bar = window.findChild(OutageBar)
            assert bar is not None
            await until(lambda: bar.isVisible())
            await shoot(window, order, "new-order-sandbox-stopped")
            await shoot(window, new_patient, "patient-form-sandbox-stopped")

            # Restart: fresh demo data. Each form checks its record there.
            bar.restart_button.click()
            await until(lambda: not ws.unavailable, within=60)
            await until(lambda: ws.session.signed_in, within=30)
            fresh = ws.services
            assert fresh is not services

            await until(lambda: edit_created.outage.server is Server.GONE, within=20)
            text = edit_created.outage.label.text()
            assert "this patient is not in it" in text and "kept here to copy" in text
            assert not edit_created.save_button.isEnabled()
            assert edit_created.save_button.toolTip() == text
            assert edit_created.values()["city"] == "Shelbyville"
            await until(lambda: order.outage is not None and order.outage.server is Server.GONE)
            assert order.outage is not None and order.isVisible()
            assert "this order's patient is not in it" in order.outage.label.text()
            assert not order.send_button.isEnabled() and order.how_key == MAIL

            await until(lambda: cancel.outage.server is Server.RUNNING, within=20)
            assert "is in it as the demo first had it" in cancel.outage.label.text()
            assert cancel.confirm.isEnabled() and cancel.chosen_reason() == "Duplicate order"
            await until(lambda: reroute.outage.server is Server.RUNNING, within=20)
            assert not reroute.confirm.isEnabled()  # no pharmacy picked: its own rule again

            await until(lambda: new_patient.outage.server is Server.RUNNING, within=20)
            assert "Sending now sends to the new one" in new_patient.outage.label.text()
            assert new_patient.save_button.isEnabled()
            assert new_patient.save_button.toolTip() == ""
            new_patient.submit()
            await until(lambda: new_patient.result() != 0, within=20)
            assert writes(fresh, "CreatePatient") == 1
            found = await fresh.patients.search("Wilhelmina Outagecase", first=10)
            assert [p.name.full for p in found.items] == ["Wilhelmina Outagecase"]

            for dialog in (cancel, reroute):
                dialog.reject()
            order.close()

    arun(scenario(), timeout=240)


def test_a_reviewed_prescription_is_not_sent_to_a_stopped_sandbox_and_not_lost(
    isolated: MemoryKeyring, arun: Run
) -> None:
    async def scenario() -> None:
        async with signed_out_on_the_bundled_sandbox() as (desktop, window):
            ws = desktop.workspace
            await ws.session.sign_in_with_browser(
                FormBrowser("prescriber@sandbox.photon.local").open, give_up_after=20
            )
            services = ws.services
            summary = (await services.patients.search(None, first=1)).items[0]
            form = open_prescription_form(ws, summary.id, summary.name.full, window)
            assert form is not None and form.outage is not None
            editor = form.editors[0]
            await until(lambda: editor.unit.count() > 1 and form.patient is not None, 20)
            editor.search.edit.setText("atorva")
            editor.search.search_now()
            await pick_first(editor.search.results)
            editor.quantity.setText("30")
            editor.unit.setCurrentIndex(editor.unit.findData("Tablet"))
            editor.instructions.setPlainText("Take 1 tablet by mouth once daily")
            assert form.review() and form.send_button.isEnabled()

            assert desktop.sandbox is not None and desktop.sandbox.pid is not None
            os.kill(desktop.sandbox.pid, signal.SIGKILL)
            await until(lambda: ws.unavailable, within=10)
            await until(lambda: not ws.session.signed_in, within=10)

            # Its prescriber's sign-in ended with the sandbox: the form stays, reviewed, unsent.
            assert form.isVisible() and form.step() == 1
            stopped(form.outage.label, form.send_button)
            form.send()  # e.g. Ctrl+Return on the review step
            assert not form.busy and form.outage.blocked in form.message.text()
            assert writes(services, "CreatePrescriptions") == 0
            assert editor.instructions.toPlainText() == "Take 1 tablet by mouth once daily"

            bar = window.findChild(OutageBar)
            assert bar is not None
            bar.restart_button.click()
            await until(lambda: form.outage is not None and not form.outage.holding, within=60)
            # A seeded patient comes back with the fresh demo data: the form says so, and
            # what it sends goes there (here: with the demo sign-in, which may not prescribe).
            assert "this patient is in it as the demo first had it" in form.outage.label.text()
            assert form.isVisible() and form.send_button.isEnabled()
            assert editor.instructions.toPlainText() == "Take 1 tablet by mouth once daily"
            form.send()
            assert "prescri" in form.message.text().lower()
            assert writes(ws.services, "CreatePrescriptions") == 0

    arun(scenario(), timeout=180)
