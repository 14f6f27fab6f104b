"""Names and postal addresses, as Photon returns them and as forms send them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Name:
    first: str
    last: str
    full: str
    middle: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    street1: str
    city: str
    state: str
    postal_code: str  # postalCode
    country: str
    street2: str | None = None
    name: Name | None = None


@dataclass(frozen=True, slots=True)
class NameInput:
    first: str
    last: str
    middle: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class AddressInput:
    street1: str
    city: str
    state: str
    postal_code: str
    country: str = "US"
    street2: str | None = None
