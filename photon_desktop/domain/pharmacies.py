"""Pharmacies and how they hand over a fill (pick-up or mail order)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from photon_desktop.domain.contact import Address


class FulfillmentType(Enum):
    MAIL_ORDER = "MAIL_ORDER"
    PICK_UP = "PICK_UP"


@dataclass(frozen=True, slots=True)
class Pharmacy:
    id: str
    name: str
    address: Address | None = None
    phone: str | None = None
    fax: str | None = None
    npi: str | None = None
    ncpdp: str | None = None
    fulfillment_types: tuple[FulfillmentType, ...] = ()
