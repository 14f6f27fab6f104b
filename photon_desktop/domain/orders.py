"""Orders to pharmacies: state, fulfillment progress and the pharmacy's exceptions."""

from __future__ import annotations

from enum import Enum

from msgspec import field

from photon_desktop.domain.contact import Address, Name, PatientRef, unnest_patient
from photon_desktop.domain.pharmacies import FulfillmentType, Pharmacy
from photon_desktop.domain.prescriptions import Fill
from photon_desktop.domain.wire import Items, Record, Text, Timestamp, Whole


class OrderState(Enum):
    CANCELED = "CANCELED"
    COMPLETED = "COMPLETED"
    ERROR = "ERROR"
    PENDING = "PENDING"
    PLACED = "PLACED"
    ROUTING = "ROUTING"


class FulfillmentState(Enum):
    SENT = "SENT"
    RECEIVED = "RECEIVED"
    READY = "READY"
    PICKED_UP = "PICKED_UP"
    FILLING = "FILLING"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"


class OrderFulfillment(Record, frozen=True):
    type: FulfillmentType
    state: FulfillmentState
    carrier: Text | None = None
    tracking_number: Text | None = None
    minutes_until_ready: Whole | None = None
    pharmacy_estimated_ready_at: Timestamp | None = None


class OrderException(Record, frozen=True):
    """A problem the pharmacy raised on an order (e.g. PHARMACY_UNREACHABLE, OOS)."""

    type: Text
    message: Text | None = None
    created_at: Timestamp | None = None
    resolved_at: Timestamp | None = None


class Order(Record, frozen=True):
    id: Text
    state: OrderState
    created_at: Timestamp
    # patient { id name }: as in Prescription.
    patient_id: PatientRef = field(name="patient")
    patient_name: Name | None = field(default=None, name="patient.name")
    pharmacy: Pharmacy | None = None
    fulfillment: OrderFulfillment | None = None
    address: Address | None = None
    external_id: Text | None = None
    fills: Items[Fill] = ()
    exceptions: Items[OrderException] = ()  # only the order detail asks for them

    def __post_init__(self) -> None:
        unnest_patient(self)
        super().__post_init__()


#: Orders Photon sends to another pharmacy on request (still routing, or stuck in error).
REROUTABLE = frozenset({OrderState.ROUTING, OrderState.ERROR})
_SHIPPED = frozenset(
    {FulfillmentState.SHIPPED, FulfillmentState.DELIVERED, FulfillmentState.PICKED_UP}
)


def can_reroute(order: Order) -> bool:
    """Photon's rule: only an order still routing or in error goes to another pharmacy."""
    return order.state in REROUTABLE


def can_cancel(order: Order) -> bool:
    """Photon's rule: not once it is canceled, completed or shipped."""
    if order.state in (OrderState.CANCELED, OrderState.COMPLETED):
        return False
    return order.fulfillment is None or order.fulfillment.state not in _SHIPPED
