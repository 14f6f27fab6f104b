"""The organization, its users, and the prescribers named on prescriptions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic.dataclasses import dataclass

from photon_desktop.domain.contact import Address, Name
from photon_desktop.domain.wire import WIRE, Text


def _role_names(value: Any) -> Any:
    """``roles { id name }`` -> the names (the id when a role has no name)."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise ValueError("expected a list of roles")
    names = []
    for role in value:
        if isinstance(role, Mapping):
            role = role.get("name") or role.get("id")
        if not isinstance(role, str):
            raise ValueError("expected a role with a name or an id")
        names.append(role)
    return tuple(names)


Roles = Annotated[tuple[Text, ...], BeforeValidator(_role_names)]


@dataclass(frozen=True, slots=True, config=WIRE)
class Provider:
    id: Text
    name: Name
    email: Text | None = None
    npi: Text | None = Field(default=None, validation_alias="NPI")


@dataclass(frozen=True, slots=True, config=WIRE)
class Organization:
    id: Text
    name: Text
    type: Text | None = None
    npi: Text | None = Field(default=None, validation_alias="NPI")
    phone: Text | None = None
    email: Text | None = None
    fax: Text | None = None
    address: Address | None = None


@dataclass(frozen=True, slots=True, config=WIRE)
class User:
    id: Text
    verification_status: Text
    name: Name | None = None
    email: Text | None = None
    npi: Text | None = None
    phone: Text | None = None
    roles: Roles = ()  # the roles' names
