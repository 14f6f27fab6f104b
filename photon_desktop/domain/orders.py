"""Orders to pharmacies: state, fulfillment progress and the pharmacy's exceptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from photon_desktop.domain.contact import Address, Name
from photon_desktop.domain.pharmacies import FulfillmentType, Pharmacy
from photon_desktop.domain.prescriptions import Fill


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


@dataclass(frozen=True, slots=True)
class OrderFulfillment:
    type: FulfillmentType
    state: FulfillmentState
    carrier: str | None = None
    tracking_number: str | None = None
    minutes_until_ready: int | None = None
    pharmacy_estimated_ready_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderException:
    """A problem the pharmacy raised on an order (e.g. PHARMACY_UNREACHABLE, OOS)."""

    type: str
    message: str | None = None
    created_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    state: OrderState
    created_at: datetime
    patient_id: str
    patient_name: Name | None = None
    pharmacy: Pharmacy | None = None
    fulfillment: OrderFulfillment | None = None
    address: Address | None = None
    external_id: str | None = None
    fills: tuple[Fill, ...] = ()
    exceptions: tuple[OrderException, ...] = ()  # only the order detail asks for them
