"""Pharmacies and how they hand over a fill (pick-up or mail order)."""

from __future__ import annotations

from enum import Enum

from pydantic import Field
from pydantic.dataclasses import dataclass

from photon_desktop.domain.contact import Address
from photon_desktop.domain.wire import WIRE, Items, Text


class FulfillmentType(Enum):
    MAIL_ORDER = "MAIL_ORDER"
    PICK_UP = "PICK_UP"


@dataclass(frozen=True, slots=True, config=WIRE)
class Pharmacy:
    id: Text
    name: Text
    address: Address | None = None
    phone: Text | None = None
    fax: Text | None = None
    npi: Text | None = Field(default=None, validation_alias="NPI")
    ncpdp: Text | None = Field(default=None, validation_alias="NCPDP")
    fulfillment_types: Items[FulfillmentType] = ()
