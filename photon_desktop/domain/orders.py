"""Orders to pharmacies: state, fulfillment progress and the pharmacy's exceptions."""

from __future__ import annotations

from enum import Enum

from pydantic import AliasPath, Field
from pydantic.dataclasses import dataclass

from photon_desktop.domain.contact import Address, Name
from photon_desktop.domain.pharmacies import FulfillmentType, Pharmacy
from photon_desktop.domain.prescriptions import Fill
from photon_desktop.domain.wire import WIRE, Items, Text, Timestamp, Whole


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


@dataclass(frozen=True, slots=True, config=WIRE)
class OrderFulfillment:
    type: FulfillmentType
    state: FulfillmentState
    carrier: Text | None = None
    tracking_number: Text | None = None
    minutes_until_ready: Whole | None = None
    pharmacy_estimated_ready_at: Timestamp | None = None


@dataclass(frozen=True, slots=True, config=WIRE)
class OrderException:
    """A problem the pharmacy raised on an order (e.g. PHARMACY_UNREACHABLE, OOS)."""

    type: Text
    message: Text | None = None
    created_at: Timestamp | None = None
    resolved_at: Timestamp | None = None


@dataclass(frozen=True, slots=True, config=WIRE)
class Order:
    id: Text
    state: OrderState
    created_at: Timestamp
    patient_id: Text = Field(validation_alias=AliasPath("patient", "id"))
    patient_name: Name | None = Field(default=None, validation_alias=AliasPath("patient", "name"))
    pharmacy: Pharmacy | None = None
    fulfillment: OrderFulfillment | None = None
    address: Address | None = None
    external_id: Text | None = None
    fills: Items[Fill] = ()
    exceptions: Items[OrderException] = ()  # only the order detail asks for them
