"""Every write action of the app, for every kind of caller, with real sandbox tokens over HTTP.

For each caller (M2M, staff, support, prescriber) the UI offers exactly the write actions its
token allows, and Photon (the sandbox) refuses each of the others when its service is called
directly. Expected permissions follow Photon's documented roles: M2M has every write except
prescriptions, staff likewise, support only reads, a prescriber has all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from ui_support import Connection, until
from write_support import signed_in

from photon_desktop.domain import (
    AddressInput,
    NameInput,
    OrderState,
    PatientInput,
    PrescriptionInput,
    PrescriptionState,
    Sex,
)
from photon_desktop.errors import PermissionMissing
from photon_desktop.ui.orders.detail import OrderDetail
from photon_desktop.ui.orders.list import OrdersPage
from photon_desktop.ui.patients.detail import PatientDetail
from photon_desktop.ui.patients.list import PatientsPage
from photon_desktop.ui.prescriptions.detail import PrescriptionDetail
from photon_desktop.ui.prescriptions.launch import install_shortcuts
from photon_desktop.ui.prescriptions.list import PrescriptionsPage

PATIENT, PRESCRIPTION, ORDER = "write:patient", "write:prescription", "write:order"
ALLOWED = {
    "m2m": {PATIENT, ORDER},
    "staff": {PATIENT, ORDER},
    "support": set(),
    "prescriber": {PATIENT, PRESCRIPTION, ORDER},
}


@dataclass
class Screens:
    patients: PatientsPage
    patient: PatientDetail
    prescriptions: PrescriptionsPage
    prescription: PrescriptionDetail
    orders: OrdersPage
    order: OrderDetail
    shortcuts: list[Any]


def shown(button: QWidget) -> bool:
    """Offered: not hidden by its gate (relative to its parent) and enabled."""
    parent = button.parentWidget()
    return parent is not None and button.isVisibleTo(parent) and button.isEnabled()


@dataclass(frozen=True)
class WriteAction:
    name: str
    permission: str
    offered: Callable[[Screens], bool]
    call: Callable[[Any, dict[str, Any]], Awaitable[object]]


def _patient_input() -> PatientInput:
    return PatientInput(
        name=NameInput(first="Matrix", last="Probe"),
        date_of_birth=date(1980, 1, 2),
        sex=Sex.FEMALE,
        phone="+12025550102",
    )


def _rx_input(ids: dict[str, Any]) -> PrescriptionInput:
    return PrescriptionInput(
        patient_id=ids["patient"].id,
        treatment_id=ids["treatment"],
        dispense_quantity=1,
        dispense_unit="Each",
        fills_allowed=1,
        instructions="Use as directed",
    )


def _address() -> AddressInput:
    return AddressInput(street1="1 Main St", city="New York", state="NY", postal_code="10001")


ACTIONS: tuple[WriteAction, ...] = (
    WriteAction(
        "create patient",
        PATIENT,
        lambda s: s.patients.new_gate.allowed,
        lambda sv, ids: sv.patients.create(_patient_input()),
    ),
    WriteAction(
        "edit patient",
        PATIENT,
        lambda s: s.patient.edit_button.isEnabled(),
        lambda sv, ids: sv.patients.update(ids["patient"].id, PatientInput(gender="x")),
    ),
    WriteAction(
        "remove allergy",
        PATIENT,
        lambda s: shown(s.patient.remove_allergy_button.parentWidget()),
        lambda sv, ids: sv.patients.remove_allergy(ids["patient"].id, ids["allergen"]),
    ),
    WriteAction(
        "remove preferred pharmacy",
        PATIENT,
        lambda s: shown(s.patient.remove_pharmacy_button.parentWidget()),
        lambda sv, ids: sv.patients.remove_preferred_pharmacy(ids["patient"].id, ids["pharmacy"]),
    ),
    WriteAction(
        "add allergy",
        PATIENT,
        lambda s: shown(s.patient.chart_actions.allergy_button),
        lambda sv, ids: sv.chart.add_allergy(ids["patient"], ids["new_allergen"]),
    ),
    WriteAction(
        "add medication",
        PATIENT,
        lambda s: shown(s.patient.chart_actions.medication_button),
        lambda sv, ids: sv.chart.add_medication(ids["patient"], ids["treatment"]),
    ),
    WriteAction(
        "add preferred pharmacy",
        PATIENT,
        lambda s: shown(s.patient.chart_actions.pharmacy_button),
        lambda sv, ids: sv.chart.add_preferred_pharmacy(ids["patient"], ids["other_pharmacy"]),
    ),
    WriteAction(
        "new prescription (patient page, Prescriptions page, Ctrl+Shift+P)",
        PRESCRIPTION,
        lambda s: all(
            (
                shown(s.patient.chart_actions.prescribe_button),
                shown(s.prescriptions.prescribe.button),
                s.shortcuts[0].isEnabled(),
            )
        ),
        lambda sv, ids: sv.prescriptions.create_many([_rx_input(ids)]),
    ),
    WriteAction(
        "duplicate prescription",
        PRESCRIPTION,
        lambda s: shown(s.prescription.write_actions.duplicate_button),
        lambda sv, ids: sv.prescriptions.create_many([_rx_input(ids)]),
    ),
    WriteAction(
        "cancel prescription",
        PRESCRIPTION,
        lambda s: shown(s.prescription.write_actions.cancel_button),
        lambda sv, ids: sv.prescriptions.cancel(ids["rx"]),
    ),
    WriteAction(
        "new order (patient, prescription, Orders page, Ctrl+Shift+O)",
        ORDER,
        lambda s: all(
            (
                shown(s.patient.chart_actions.order_button),
                shown(s.prescription.write_actions.order_button),
                shown(s.orders.new_order),
                s.shortcuts[1].isEnabled(),
            )
        ),
        lambda sv, ids: sv.orders.create(ids["patient"].id, [ids["rx"]], _address()),
    ),
    WriteAction(
        "cancel order",
        ORDER,
        lambda s: shown(s.order.write_actions.cancel_button),
        lambda sv, ids: sv.orders.cancel(ids["order"], "Duplicate order"),
    ),
    WriteAction(
        "reroute order",
        ORDER,
        lambda s: shown(s.order.write_actions.reroute_button),
        lambda sv, ids: sv.orders.reroute(ids["order"], ids["other_pharmacy"]),
    ),
)


async def records(conn: Connection) -> dict[str, Any]:
    """Ids of records each action needs (read with the caller's own token)."""
    services = conn.services
    page = await services.patients.search(None, first=60)
    patient = None
    for summary in page.items:
        candidate = await services.patients.get(summary.id)
        if candidate.allergies and candidate.preferred_pharmacies:
            patient = candidate
            break
    assert patient is not None
    rx = (await services.prescriptions.list(state=PrescriptionState.ACTIVE, first=1)).items[0]
    order = (await services.orders.list(state=OrderState.ERROR, first=1)).items[0]
    allergens = await services.catalog.allergens()
    pharmacies = await services.catalog.pharmacies(first=20)
    taken = {p.id for p in patient.preferred_pharmacies} | {
        order.pharmacy.id if order.pharmacy else ""
    }
    return {
        "patient": patient,
        "allergen": patient.allergies[0].allergen.id,
        "new_allergen": next(
            a.id for a in allergens if a.id not in {x.allergen.id for x in patient.allergies}
        ),
        "pharmacy": patient.preferred_pharmacies[0].id,
        "other_pharmacy": next(p.id for p in pharmacies.items if p.id not in taken),
        "treatment": (await services.catalog.medications("lisinopril", first=1)).items[0].id,
        "rx": rx.id,
        "order": order.id,
    }


@pytest.mark.parametrize("caller", ["m2m", "staff", "support", "prescriber"])
def test_offered_exactly_what_the_token_allows_and_photon_refuses_the_rest(
    arun: Callable[..., Any], sandbox: Any, widgets: list[QWidget], caller: str
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, caller) as conn:
            ws = conn.workspace
            ids = await records(conn)
            screens = Screens(
                patients=PatientsPage(ws),
                patient=PatientDetail(ws),
                prescriptions=PrescriptionsPage(ws),
                prescription=PrescriptionDetail(ws),
                orders=OrdersPage(ws),
                order=OrderDetail(ws, auto_refresh_ms=60_000),
                shortcuts=[],
            )
            host = QWidget()
            widgets.extend(
                [screens.patients, screens.patient, screens.prescriptions, screens.prescription]
            )
            widgets.extend([screens.orders, screens.order, host])
            screens.shortcuts = install_shortcuts(host, ws, lambda: None)
            screens.patient.load(ids["patient"].id)
            screens.prescription.load(ids["rx"])
            screens.order.load(ids["order"])
            await until(
                lambda: (
                    screens.patient.patient is not None
                    and screens.prescription.record is not None
                    and screens.order.record is not None
                )
            )

            allowed = ALLOWED[caller]
            assert {p for p in (PATIENT, PRESCRIPTION, ORDER) if ws.session.has(p)} == allowed
            offered = {a.name: a.offered(screens) for a in ACTIONS}
            expected = {a.name: a.permission in allowed for a in ACTIONS}
            assert offered == expected
            # Where "New prescription" is absent, the pages say who can prescribe.
            for why in (
                screens.prescriptions.prescribe.why,
                screens.patient.chart_actions.who_prescribes,
            ):
                if PRESCRIPTION in allowed:
                    assert why.text() == ""
                else:
                    assert "signed-in prescriber can write prescriptions" in why.text()

            refused = []
            for action in ACTIONS:
                if action.permission in allowed:
                    continue
                with pytest.raises(PermissionMissing):
                    await action.call(conn.services, ids)
                refused.append(action.name)
            assert len(refused) == sum(1 for a in ACTIONS if a.permission not in allowed)

    arun(scenario(), timeout=90)
