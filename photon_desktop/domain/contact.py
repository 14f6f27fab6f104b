"""Names and postal addresses, as Photon returns them and as forms send them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from pydantic import model_validator
from pydantic.dataclasses import dataclass

from photon_desktop.domain.wire import WIRE, Text


@dataclass(frozen=True, slots=True, config=WIRE)
class Name:
    first: Text
    last: Text
    full: Text
    middle: Text | None = None
    title: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _full_from_parts(cls, data: Any) -> Any:
        """Photon may leave ``full`` out; it is then "first last"."""
        if isinstance(data, Mapping) and data.get("full") is None:
            first, last = data.get("first"), data.get("last")
            if isinstance(first, str) and isinstance(last, str):
                return {**data, "full": f"{first} {last}"}
        return data


@dataclass(frozen=True, slots=True, config=WIRE)
class Address:
    street1: Text
    city: Text
    state: Text
    postal_code: Text  # postalCode
    country: Text
    street2: Text | None = None
    name: Name | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class NameInput:
    first: str
    last: str
    middle: str | None = None
    title: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class AddressInput:
    street1: str
    city: str
    state: str
    postal_code: str
    country: str = "US"
    street2: str | None = None
