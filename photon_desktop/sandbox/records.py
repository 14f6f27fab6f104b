"""The record shapes the store hands to resolvers, and how names are written and searched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from photon_desktop.sandbox.accounts import DEMO_USERS
from photon_desktop.sandbox.demo import Pharmacy
from photon_desktop.sandbox.ids import IdFactory


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


# The demo organizations; a user's ``DemoUser.organizations`` indexes this.
_ORGS = (
    ("Sandbox Family Medicine", "1972648356", "350 Hudson St", "10014", "+12125550188"),
    ("Sandbox Pediatrics", "1588667638", "88 Pine St", "10005", "+12125550177"),
)


def demo_org(index: int, org_id: str) -> Org:
    name, npi, street, postal_code, phone = _ORGS[index]
    domain = name.lower().replace(" ", "-") + ".example.com"
    return Org(
        id=org_id,
        name=name,
        npi=npi,
        phone=phone,
        fax=phone[:-1] + str((int(phone[-1]) + 1) % 10),
        email=f"frontdesk@{domain}",
        address={
            "street1": street,
            "street2": "Suite 400",
            "city": "New York",
            "state": "NY",
            "postalCode": postal_code,
            "country": "US",
            "name": None,
        },
    )


def demo_users(ids: IdFactory) -> dict[str, UserRecord]:
    """Every demo user's record (ids drawn in order, so a seed always gives the same ids)."""
    return {
        u.email: UserRecord(
            id=ids.demo("usr"),
            email=u.email,
            first=u.first_name,
            last=u.last_name,
            role=u.role,
            npi=u.npi,
            phone=f"+1212555{150 + n:04d}",
        )
        for n, u in enumerate(DEMO_USERS)
    }
