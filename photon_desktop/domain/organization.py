"""The organization, its users, and the prescribers named on prescriptions."""

from __future__ import annotations

from dataclasses import dataclass

from photon_desktop.domain.contact import Address, Name


@dataclass(frozen=True, slots=True)
class Provider:
    id: str
    name: Name
    email: str | None = None
    npi: str | None = None


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    name: str
    type: str | None = None
    npi: str | None = None
    phone: str | None = None
    email: str | None = None
    fax: str | None = None
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class User:
    id: str
    verification_status: str
    name: Name | None = None
    email: str | None = None
    npi: str | None = None
    phone: str | None = None
    roles: tuple[str, ...] = ()
