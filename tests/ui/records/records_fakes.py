"""One-layer fakes for the view tests until they run against the sandbox: a session whose
permissions the test sets, and prescription/order services over generated records that record
every call (so tests can see what was asked of the server)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from msgspec.structs import replace
from PySide6.QtCore import QObject, Signal

from photon_desktop import errors
from photon_desktop.domain import (
    Address,
    Fill,
    FillState,
    FulfillmentState,
    FulfillmentType,
    Name,
    Order,
    OrderFulfillment,
    OrderState,
    Page,
    Pharmacy,
    Prescription,
    PrescriptionState,
    Provider,
    Treatment,
)

PATIENTS = [
    ("pat_01", Name(first="Ada", last="Lovelace", full="Ada Lovelace")),
    ("pat_02", Name(first="Grace", last="Hopper", full="Grace Hopper")),
    ("pat_03", Name(first="Alan", last="Turing", full="Alan Turing")),
]
DRUGS = ["Amoxicillin 500 mg capsule", "Lisinopril 10 mg tablet", "Metformin 850 mg tablet"]
T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def make_prescriptions(n: int) -> list[Prescription]:
    states = list(PrescriptionState)
    doctor = Provider(id="usr_1", name=Name("Maya", "Okafor", "Dr Maya Okafor"), npi="1234567893")
    out = []
    for i in range(n):
        pid, name = PATIENTS[i % len(PATIENTS)]
        rx_id = f"rx_{i:04d}"
        out.append(
            Prescription(
                id=rx_id,
                state=states[i % len(states)],
                treatment=Treatment(id=f"med_{i % 3}", name=DRUGS[i % 3], kind="Medication",
                                    form="Tablet"),
                dispense_quantity=30.0,
                dispense_unit="Tablet",
                instructions="Take one tablet by mouth daily",
                fills_allowed=3,
                fills_remaining=3 - i % 4 if i % 4 < 4 else 0,
                effective_date=date(2026, 11, 1),
                expiration_date=date(2027, 11, 1),
                written_at=T0 + timedelta(hours=i),
                patient_id=pid,
                patient_name=name,
                prescriber=doctor,
                days_supply=30,
                fills=(
                    Fill(id=f"fil_{i:04d}", state=FillState.SENT, requested_at=T0,
                         treatment=None, prescription_id=rx_id, order_id=f"ord_{i:04d}"),
                ) if i % 2 == 0 else (),
            )
        )  # fmt: skip
    return out


PHARMACY = Pharmacy(
    id="phr_1",
    name="Corner Pharmacy",
    address=Address(street1="1 Main St", city="Austin", state="TX", postal_code="78701",
                    country="US"),
    phone="+15125550100",
)  # fmt: skip


def make_orders(n: int) -> list[Order]:
    states = list(OrderState)
    out = []
    for i in range(n):
        pid, name = PATIENTS[i % len(PATIENTS)]
        out.append(
            Order(
                id=f"ord_{i:04d}",
                state=states[i % len(states)],
                created_at=T0 + timedelta(minutes=i),
                patient_id=pid,
                patient_name=name,
                pharmacy=PHARMACY if i % 5 else None,
                fulfillment=OrderFulfillment(type=FulfillmentType.MAIL_ORDER,
                                             state=FulfillmentState.SHIPPED, carrier="USPS",
                                             tracking_number=f"9400{i:08d}") if i % 5 else None,
                address=PHARMACY.address,
                fills=(Fill(id=f"fil_{i:04d}", state=FillState.SENT, requested_at=T0,
                            treatment=Treatment(id="med_0", name=DRUGS[i % 3], kind="Medication"),
                            prescription_id=f"rx_{i:04d}", order_id=f"ord_{i:04d}"),),
            )
        )  # fmt: skip
    return out


class FakeSession(QObject):
    """The part of ``auth.session.Session`` views read: permissions and why not."""

    changed = Signal()

    def __init__(self, permissions: set[str]) -> None:
        super().__init__()
        self.permissions = frozenset(permissions)
        self.generation = 1  # which sign-in; a new one would see another organization
        self.organization_id: str | None = None

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def why_not(self, permission: str) -> str:
        if self.has(permission):
            return ""
        return f"Your sign-in does not include {permission}; ask your administrator."

    def grant(self, permissions: set[str]) -> None:
        self.permissions = frozenset(permissions)
        self.changed.emit()


@dataclass
class Call:
    kwargs: dict[str, Any]


@dataclass
class FakeRecords:
    """``list`` / ``get`` with server-side filters and cursor paging over ``records``."""

    records: list[Any]
    calls: list[dict[str, Any]] = field(default_factory=list)
    gets: list[str] = field(default_factory=list)
    delay: float = 0.0
    fail_with: errors.PhotonError | None = None
    on_get: Callable[[Any], Any] | None = None

    async def list(self, *, patient_id: str | None = None, patient_name: str | None = None,
                   state: Any = None, after: str | None = None, first: int = 25,
                   **_other: Any) -> Page[Any]:  # fmt: skip
        self.calls.append(dict(patient_id=patient_id, patient_name=patient_name, state=state,
                               after=after, first=first))  # fmt: skip
        await asyncio.sleep(self.delay)
        if self.fail_with is not None:
            raise self.fail_with
        rows = [
            r for r in self.records
            if (patient_id is None or r.patient_id == patient_id)
            and (state is None or r.state == state)
            and (not patient_name or patient_name.lower() in r.patient_name.full.lower())
        ]  # fmt: skip
        start = int(after) if after else 0
        chunk = rows[start : start + first]
        more = start + first < len(rows)
        return Page(items=tuple(chunk), cursor=str(start + first) if more else None, has_more=more)

    async def get(self, record_id: str) -> Any:
        self.gets.append(record_id)
        await asyncio.sleep(self.delay)
        if self.fail_with is not None:
            raise self.fail_with
        for i, r in enumerate(self.records):
            if r.id == record_id:
                if self.on_get is not None:
                    self.records[i] = r = self.on_get(r)
                return r
        raise errors.NotFound("Not found.")


class FakeActivity:
    def subscribe(self, _callback: Callable[[Any], None]) -> Callable[[], None]:
        return lambda: None


class FakeServices:
    def __init__(self, prescriptions: int = 120, orders: int = 120) -> None:
        self.prescriptions = FakeRecords(make_prescriptions(prescriptions))
        self.orders = FakeRecords(make_orders(orders))
        self.activity = FakeActivity()


def advance_order(order: Order) -> Order:
    """The pharmacy moves an order one step each time it is read."""
    steps = [OrderState.ROUTING, OrderState.PENDING, OrderState.PLACED, OrderState.COMPLETED]
    if order.state not in steps or order.state is OrderState.COMPLETED:
        return order
    return replace(order, state=steps[steps.index(order.state) + 1])
