"""Medications and medical equipment (one ``Treatment`` type, told apart by ``kind``)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic.dataclasses import dataclass

from photon_desktop.domain.wire import WIRE, Flag, Text


def _medication_unless_named(value: Any) -> Any:
    return "Medication" if value is None else value


#: ``__typename``: "Medication" or "MedicalEquipment" (a medication when Photon leaves it out).
Kind = Annotated[Text, BeforeValidator(_medication_unless_named)]


@dataclass(frozen=True, slots=True, config=WIRE)
class TreatmentCodes:
    rxcui: Text | None = None
    product_ndc: Text | None = Field(default=None, validation_alias="productNDC")
    package_ndc: Text | None = Field(default=None, validation_alias="packageNDC")
    hcpcs: Text | None = Field(default=None, validation_alias="HCPCS")
    sku: Text | None = Field(default=None, validation_alias="SKU")


@dataclass(frozen=True, slots=True, config=WIRE)
class Treatment:
    """A Medication or a piece of MedicalEquipment (``kind`` is the GraphQL __typename)."""

    id: Text
    name: Text
    kind: Kind = Field(default="Medication", validation_alias="__typename")
    description: Text | None = None
    codes: TreatmentCodes | None = None
    # Medication only:
    generic_name: Text | None = None
    brand_name: Text | None = None
    strength: Text | None = None
    form: Text | None = None
    controlled: Flag | None = None
    schedule: Text | None = None
    type: Text | None = None  # "RX" | "OTC" | None
