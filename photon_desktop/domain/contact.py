"""Names and postal addresses, as Photon returns them and as forms send them; the patient an
order or prescription names."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import msgspec
from msgspec.structs import force_setattr

from photon_desktop.domain.wire import Record, Text

#: ``Name.full``'s default: "first last" (Photon may leave it out or send null).
FROM_PARTS: Any = None


class Name(Record, frozen=True):
    first: Text
    last: Text
    full: FullName = FROM_PARTS
    middle: Text | None = None
    title: Text | None = None

    def __post_init__(self) -> None:
        """Photon may leave ``full`` out; it is then "first last"."""
        super().__post_init__()
        if self.full is FROM_PARTS:
            force_setattr(self, "full", f"{self.first} {self.last}")


class Address(Record, frozen=True):
    street1: Text
    city: Text
    state: Text
    postal_code: Text  # postalCode
    country: Text
    street2: Text | None = None
    name: Name | None = None


class _Patient(msgspec.Struct, frozen=True):
    """The patient an order or prescription names: ``patient { id name }``."""

    id: Text
    name: Name | None = None


def unnest_patient(record: Any) -> None:
    """``patient { id name }`` read into ``record.patient_id`` -> its id there and its name in
    ``record.patient_name`` (a record built in Python holds the id already)."""
    patient = record.patient_id
    if isinstance(patient, _Patient):
        force_setattr(record, "patient_id", patient.id)
        force_setattr(record, "patient_name", patient.name)


if TYPE_CHECKING:  # the types kept; below, the types an answer is checked against (see wire)
    FullName: TypeAlias = str
    PatientRef: TypeAlias = str
else:
    FullName = Text | None
    PatientRef = Annotated[_Patient, msgspec.Meta(description="patient { id name }")]


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
