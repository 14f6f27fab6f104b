"""Reference data: allergens, dispense units, catalogs and their prescription templates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from photon_desktop.domain.treatments import Treatment
from photon_desktop.domain.wire import After, Flag, Items, Number, Record, Text, Whole


def _false_if_null(value: Any) -> Any:
    return False if value is None else value


if TYPE_CHECKING:
    FlagOrFalse: TypeAlias = Flag
else:  # null is false (read as ``Flag | None``, kept as a ``Flag``: see ``wire``)
    FlagOrFalse = Annotated[Flag | None, After(_false_if_null)]


class Allergen(Record, frozen=True):
    id: Text
    name: Text
    rxcui: Text | None = None


class DispenseUnit(Record, frozen=True):
    name: Text


class PrescriptionTemplate(Record, frozen=True):
    id: Text
    treatment: Treatment
    name: Text | None = None
    dispense_quantity: Number | None = None
    dispense_unit: Text | None = None
    days_supply: Whole | None = None
    fills_allowed: Whole | None = None
    instructions: Text | None = None
    notes: Text | None = None
    dispense_as_written: Flag | None = None
    is_private: FlagOrFalse = False


class Catalog(Record, frozen=True):
    id: Text
    name: Text
    treatments: Items[Treatment] = ()
    templates: Items[PrescriptionTemplate] = ()
