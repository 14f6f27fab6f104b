"""Pharmacies and how they hand over a fill (pick-up or mail order)."""

from __future__ import annotations

from enum import Enum

from msgspec import field

from photon_desktop.domain.contact import Address
from photon_desktop.domain.wire import Items, Record, Text


class FulfillmentType(Enum):
    MAIL_ORDER = "MAIL_ORDER"
    PICK_UP = "PICK_UP"


class Pharmacy(Record, frozen=True):
    id: Text
    name: Text
    address: Address | None = None
    phone: Text | None = None
    fax: Text | None = None
    npi: Text | None = field(default=None, name="NPI")
    ncpdp: Text | None = field(default=None, name="NCPDP")
    fulfillment_types: Items[FulfillmentType] = ()
