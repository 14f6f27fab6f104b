"""The record shapes the store hands to resolvers, and how names are written and searched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from photon_desktop.sandbox.demo import Pharmacy


@dataclass(slots=True)
class PatientRecord:
    """A patient, materialized on first read (demo) or at creation."""

    h: int
    id: str
    first: str
    last: str
    middle: str | None
    title: str | None
    date_of_birth: date
    sex: str
    gender: str | None
    phone: str
    email: str | None
    address: dict[str, Any] | None
    allergies: list[dict[str, Any]]
    medication_history: list[dict[str, Any]]
    preferred_pharmacies: list[Pharmacy]
    external_id: str | None


@dataclass(slots=True)
class Org:
    id: str
    name: str
    npi: str
    phone: str
    fax: str
    email: str
    address: dict[str, Any]


@dataclass(slots=True)
class UserRecord:
    id: str
    email: str
    first: str
    last: str
    role: str
    npi: str | None
    phone: str


@dataclass(slots=True)
class Fulfillment:
    """What ``Order.fulfillment`` shows at one instant."""

    type: str
    state: str
    carrier: str | None
    tracking_number: str | None
    minutes_until_ready: int | None
    ready_at: datetime | None


def full_name(first: str, last: str, middle: str | None = None, title: str | None = None) -> str:
    """``Name.full`` as the server formats it: title, first, middle, last."""
    return " ".join(part for part in (title, first, middle, last) if part)


def search_text(first: str, last: str, middle: str | None = None) -> str:
    # "first middle last" and "last, first": a needle matches first, last or full name; the
    # unit separator keeps a needle from matching across the two forms.
    return f"{full_name(first, last, middle)}\x1f{last}, {first}".lower()
