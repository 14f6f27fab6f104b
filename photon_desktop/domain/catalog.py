"""Reference data: allergens, dispense units, catalogs and their prescription templates."""

from __future__ import annotations

from dataclasses import dataclass

from photon_desktop.domain.treatments import Treatment


@dataclass(frozen=True, slots=True)
class Allergen:
    id: str
    name: str
    rxcui: str | None = None


@dataclass(frozen=True, slots=True)
class DispenseUnit:
    name: str


@dataclass(frozen=True, slots=True)
class PrescriptionTemplate:
    id: str
    treatment: Treatment
    name: str | None = None
    dispense_quantity: float | None = None
    dispense_unit: str | None = None
    days_supply: int | None = None
    fills_allowed: int | None = None
    instructions: str | None = None
    notes: str | None = None
    dispense_as_written: bool | None = None
    is_private: bool = False


@dataclass(frozen=True, slots=True)
class Catalog:
    id: str
    name: str
    treatments: tuple[Treatment, ...] = ()
    templates: tuple[PrescriptionTemplate, ...] = ()
