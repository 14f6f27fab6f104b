"""The organization, its users, and the prescribers named on prescriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import msgspec
from msgspec import field

from photon_desktop.domain.contact import Address, Name
from photon_desktop.domain.wire import After, Record, Text


class _Role(msgspec.Struct, frozen=True):
    """A role as ``roles { id name }`` lists it: only the one kept (the name, else the id) must
    be text, so both are checked in ``_role_names``."""

    id: Any = None
    name: Any = None


def _role_names(value: Any) -> Any:
    """``roles { id name }`` -> the names (the id when a role has no name)."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise ValueError("expected a list of roles")
    names = []
    for role in value:
        if isinstance(role, _Role):
            role = role.name or role.id
        if not isinstance(role, str):
            raise ValueError("expected a role with a name or an id")
        names.append(role)
    return tuple(names)


if TYPE_CHECKING:
    Roles: TypeAlias = tuple[Text, ...]
else:  # the roles' names (see ``wire``: the type read, then the value kept)
    Roles = Annotated[tuple[Text | _Role, ...] | None, After(_role_names)]


class Provider(Record, frozen=True):
    id: Text
    name: Name
    email: Text | None = None
    npi: Text | None = field(default=None, name="NPI")


class Organization(Record, frozen=True):
    id: Text
    name: Text
    type: Text | None = None
    npi: Text | None = field(default=None, name="NPI")
    phone: Text | None = None
    email: Text | None = None
    fax: Text | None = None
    address: Address | None = None


class User(Record, frozen=True):
    id: Text
    verification_status: Text
    name: Name | None = None
    email: Text | None = None
    npi: Text | None = None
    phone: Text | None = None
    roles: Roles = ()  # the roles' names
