"""Medications and medical equipment (one ``Treatment`` type, told apart by ``kind``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TreatmentCodes:
    rxcui: str | None = None
    product_ndc: str | None = None  # productNDC
    package_ndc: str | None = None  # packageNDC
    hcpcs: str | None = None  # HCPCS
    sku: str | None = None  # SKU


@dataclass(frozen=True, slots=True)
class Treatment:
    """A Medication or a piece of MedicalEquipment (``kind`` is the GraphQL __typename)."""

    id: str
    name: str
    kind: str  # "Medication" | "MedicalEquipment"
    description: str | None = None
    codes: TreatmentCodes | None = None
    # Medication only:
    generic_name: str | None = None
    brand_name: str | None = None
    strength: str | None = None
    form: str | None = None
    controlled: bool | None = None
    schedule: str | None = None
    type: str | None = None  # "RX" | "OTC" | None
