"""The six write forms as the fault matrix drives them: opened on a signed-in workspace, typed
into as a user would, submitted with their own button, and read back the way a user reads them.

Each ``Form`` knows its write's GraphQL operation (the one the cell's fault is aimed at), the
sandbox's count of that write, what was typed (to check it is kept), the text it shows, whether
a request is out (its button disabled) and whether it says the write went through.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from typing import Any

from cells import Cell, setup
from PySide6.QtWidgets import QWidget
from ui_support import Connection, fill, until
from write_support import pick_first

from photon_desktop.domain import PrescriptionState, can_cancel
from photon_desktop.ui.orders.cancel import CancelOrderDialog
from photon_desktop.ui.orders.launch import open_new_order
from photon_desktop.ui.orders.new_order import NewOrderWindow
from photon_desktop.ui.orders.reroute import RerouteDialog
from photon_desktop.ui.patients.form import PatientForm
from photon_desktop.ui.prescriptions.form import PrescriptionForm
from photon_desktop.ui.prescriptions.launch import open_prescription_form


def _letters(n: int = 8) -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(n)).title()


async def parts(conn: Connection, operation: str, seeded: bool) -> dict[str, Any]:
    """The records a form works on: made for it (``seeded`` False), or taken from the sandbox's
    demo data, which a sandbox restarted with the same seed has again under the same ids."""
    s = conn.services
    if not seeded:
        cell = Cell(s)
        await setup(operation, cell)
        return cell.ids
    if operation == "edit patient":
        # The demo data's first patient, not one a cell made in this process ("Fault <random>"):
        # a killed sandbox comes back without it, and the retry would edit a patient that is gone
        # (the rare failure of the edit-patient x killed cell, when the random name sorted first).
        listed = await s.patients.search(first=50)
        demo = [p for p in listed.items if p.name.first != PatientCreate.FIRST_NAME]
        assert demo, "the demo data has no patient"
        return {"patient": demo[0].id}
    if operation in ("write prescription", "send order"):
        active = await s.prescriptions.list(state=PrescriptionState.ACTIVE, first=50)
        for rx in reversed(active.items):  # the oldest: the demo data's
            patient = await s.patients.get(rx.patient_id)
            if rx.fills_remaining > 0 and patient.address is not None:
                return {"patient": patient.id, "rx": rx.id}
        raise AssertionError("the demo data has no prescription to send")
    orders = await s.orders.list(first=50)
    for order in reversed(orders.items):  # the oldest: the demo data's, not a cell's
        if can_cancel(order):
            return {"order": order.id}
    raise AssertionError("the demo data has no open order")


class Form:
    """One form under test; subclasses fill in the parts."""

    operation = ""  # the write's GraphQL operation
    write = ""  # its name in the sandbox's count of writes that took effect

    def __init__(self) -> None:
        self.widget: Any = None
        self.external_id: str | None = None  # the submission id, where the form has one
        self.before: dict[str, int] = {}  # the sandbox's write counts before the submission

    async def open(self, conn: Connection, widgets: list[QWidget], seeded: bool = False) -> None:
        raise NotImplementedError

    def typed(self) -> Any:
        raise NotImplementedError

    def submit(self) -> None:
        raise NotImplementedError

    def busy(self) -> bool:
        raise NotImplementedError

    def done(self) -> bool:
        raise NotImplementedError

    def shown(self) -> str:
        """The message the form shows the user (its banner or message line)."""
        return str(self.widget.message.text())

    def _keep(self, widget: Any, widgets: list[QWidget]) -> Any:
        widgets.append(widget)
        widget.show()
        self.widget = widget
        return widget


class PatientCreate(Form):
    operation, write = "CreatePatient", "createPatient"
    FIRST_NAME = "Fault"  # every patient a cell creates; the demo data has none

    async def open(self, conn: Connection, widgets: list[QWidget], seeded: bool = False) -> None:
        form = self._keep(PatientForm(conn.workspace), widgets)
        self.saved: list[Any] = []
        form.saved.connect(self.saved.append)
        fill(form, first=self.FIRST_NAME, last=_letters(), dob="05/17/1979", sex="FEMALE")
        fill(form, phone="(202) 555-0143")
        self.external_id = form.submission_id

    def typed(self) -> Any:
        return self.widget.values()

    def submit(self) -> None:
        self.widget.save_button.click()

    def busy(self) -> bool:
        return not self.widget.save_button.isEnabled()

    def done(self) -> bool:
        return bool(self.saved)

    def shown(self) -> str:
        banner = self.widget.banner
        return str(banner.text()) if banner.isVisible() else ""


class PatientEdit(PatientCreate):
    operation, write = "UpdatePatient", "updatePatient"

    async def open(self, conn: Connection, widgets: list[QWidget], seeded: bool = False) -> None:
        ids = await parts(conn, "edit patient", seeded)
        patient = await conn.services.patients.get(ids["patient"])
        form = self._keep(PatientForm(conn.workspace, patient), widgets)
        self.saved = []
        form.saved.connect(self.saved.append)
        fill(form, email=f"{_letters().lower()}@example.com")


class WritePrescription(Form):
    operation, write = "CreatePrescriptions", "createPrescriptions"

    async def open(self, conn: Connection, widgets: list[QWidget], seeded: bool = False) -> None:
        ids = await parts(conn, "write prescription", seeded)
        form = open_prescription_form(conn.workspace, ids["patient"], "Fault Matrix")
        assert isinstance(form, PrescriptionForm)
        self._keep(form, widgets)
        editor = form.editors[0]
        await until(lambda: editor.unit.count() > 1 and form.patient is not None)
        editor.search.edit.setText("lisinopril")
        editor.search.search_now()
        await pick_first(editor.search.results)
        await until(lambda: editor.treatment is not None)
        editor.quantity.setText("30")
        editor.unit.setCurrentIndex(editor.unit.findData("Tablet"))
        editor.instructions.setPlainText("Take 1 tablet by mouth once daily")
        assert form.review()
        self.external_id = editor.external_id

    def typed(self) -> Any:
        return [editor.snapshot() for editor in self.widget.editors]

    def submit(self) -> None:
        self.widget.send_button.click()

    def busy(self) -> bool:
        return bool(self.widget.busy)

    def done(self) -> bool:
        return bool(self.widget.created)


class SendOrder(Form):
    operation, write = "CreateOrder", "createOrder"

    async def open(self, conn: Connection, widgets: list[QWidget], seeded: bool = False) -> None:
        ids = await parts(conn, "send order", seeded)
        window = open_new_order(conn.workspace, ids["patient"], [ids["rx"]])
        assert isinstance(window, NewOrderWindow)
        self._keep(window, widgets)
        await until(lambda: window.picker is not None and window.fills.count() > 0)
        window.patient_radio.setChecked(True)
        assert window.review()
        self.external_id = window._external_id

    def typed(self) -> Any:
        return [f.id for f in self.widget.chosen_fills()], self.widget.how_key

    def submit(self) -> None:
        self.widget.send_button.click()

    def busy(self) -> bool:
        return bool(self.widget.busy)

    def done(self) -> bool:
        return self.widget.order is not None


class CancelOrder(Form):
    operation, write = "CancelOrder", "cancelOrder"

    async def open(self, conn: Connection, widgets: list[QWidget], seeded: bool = False) -> None:
        ids = await parts(conn, "cancel order", seeded)
        order = await conn.services.orders.get(ids["order"])
        dialog = self._keep(CancelOrderDialog(conn.workspace, order, None), widgets)
        dialog.reason.setCurrentIndex(1)

    def typed(self) -> Any:
        return self.widget.chosen_reason()

    def submit(self) -> None:
        self.widget.confirm.click()

    def busy(self) -> bool:  # the button stays disabled once the dialog is done
        return not self.widget.confirm.isEnabled() and not self.done()

    def done(self) -> bool:
        return self.widget.result_order is not None


class RerouteOrder(CancelOrder):
    operation, write = "RouteOrder", "routeOrder"

    async def open(self, conn: Connection, widgets: list[QWidget], seeded: bool = False) -> None:
        ids = await parts(conn, "reroute order", seeded)
        order = await conn.services.orders.get(ids["order"])
        dialog = self._keep(RerouteDialog(conn.workspace, order, None), widgets)
        dialog.picker.zip.setText("10001")  # the user looks near the clinic
        dialog.picker.search_now()
        await until(lambda: dialog.picker.list.count() > 0)
        dialog.picker.list.setCurrentRow(0)
        assert dialog.picker.pharmacy is not None

    def typed(self) -> Any:
        return self.widget.picker.pharmacy.id


FORMS: dict[str, Callable[[], Form]] = {
    "create patient": PatientCreate,
    "edit patient": PatientEdit,
    "write prescription": WritePrescription,
    "send order": SendOrder,
    "cancel order": CancelOrder,
    "reroute order": RerouteOrder,
}
