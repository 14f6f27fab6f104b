"""Reference data: allergens, dispense units, catalogs and their prescription templates."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic.dataclasses import dataclass

from photon_desktop.domain.treatments import Treatment
from photon_desktop.domain.wire import WIRE, Flag, Items, Number, Text, Whole


def _false_if_null(value: Any) -> Any:
    return False if value is None else value


FlagOrFalse = Annotated[Flag, BeforeValidator(_false_if_null)]


@dataclass(frozen=True, slots=True, config=WIRE)
class Allergen:
    id: Text
    name: Text
    rxcui: Text | None = None


@dataclass(frozen=True, slots=True, config=WIRE)
class DispenseUnit:
    name: Text


@dataclass(frozen=True, slots=True, config=WIRE)
class PrescriptionTemplate:
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


@dataclass(frozen=True, slots=True, config=WIRE)
class Catalog:
    id: Text
    name: Text
    treatments: Items[Treatment] = ()
    templates: Items[PrescriptionTemplate] = ()
