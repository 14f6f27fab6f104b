"""The order's address (where a mail order goes), prefilled from the patient and checked before
sending: street, city, a 2-letter state, and a ZIP (5 or 5+4 digits) that is a real US ZIP in
that state (checked offline with ``services.locations``)."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from photon_desktop.domain import Address, AddressInput
from photon_desktop.services import locations
from photon_desktop.ui.common.problems import mark, with_problem_line

_STATE = re.compile(r"^[A-Z]{2}$")

#: Photon's argument names → this box's fields.
SERVER_FIELDS = {
    "address.street1": "street1",
    "address.street2": "street2",
    "address.city": "city",
    "address.state": "state",
    "address.postalCode": "zip",
    "address.country": "state",
}


class AddressBox(QGroupBox):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setAccessibleName(title)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout(self)
        for key, label in (
            ("street1", "Street *"),
            ("street2", "Apt, suite"),
            ("city", "City *"),
            ("state", "State *"),
            ("zip", "ZIP *"),
        ):
            edit = QLineEdit(self)
            edit.setAccessibleName(label.rstrip(" *"))
            box, self.errors[key] = with_problem_line(self, edit, label.rstrip(" *"))
            form.addRow(label, box)
            self.edits[key] = edit
        self.edits["state"].setMaxLength(2)
        self.edits["state"].setPlaceholderText("e.g. NY")
        self.edits["zip"].setPlaceholderText("12345")

    def set_address(self, address: Address | None) -> None:
        if address is None:
            return
        for key, value in (
            ("street1", address.street1),
            ("street2", address.street2 or ""),
            ("city", address.city),
            ("state", address.state),
            ("zip", address.postal_code),
        ):
            self.edits[key].setText(value)

    def value(self) -> AddressInput | None:
        """The address, or None after marking what is wrong."""
        v = {k: e.text().strip() for k, e in self.edits.items()}
        v["state"] = v["state"].upper()
        problems: dict[str, str] = {}
        if not v["street1"]:
            problems["street1"] = "Enter the street."
        if not v["city"]:
            problems["city"] = "Enter the city."
        if not _STATE.match(v["state"]):
            problems["state"] = "Enter the 2-letter state code, e.g. NY."
        zip_problem = locations.zip_problem(v["zip"], None if "state" in problems else v["state"])
        if zip_problem is not None:
            problems["zip"] = zip_problem
        self.show_problems(problems)
        if problems:
            return None
        return AddressInput(
            street1=v["street1"],
            street2=v["street2"] or None,
            city=v["city"],
            state=v["state"],
            postal_code=v["zip"],
        )

    def show_problems(self, problems: dict[str, str]) -> None:
        mark(self.edits, self.errors, problems)
