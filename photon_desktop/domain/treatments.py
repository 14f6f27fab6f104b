"""Medications and medical equipment (one ``Treatment`` type, told apart by ``kind``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from msgspec import field

from photon_desktop.domain.wire import After, Flag, Record, Text


def _medication_unless_named(value: Any) -> Any:
    return "Medication" if value is None else value


if TYPE_CHECKING:
    Kind: TypeAlias = Text
else:  # ``__typename``: a medication when Photon leaves it out or sends null (see ``wire``)
    Kind = Annotated[Text | None, After(_medication_unless_named)]


class TreatmentCodes(Record, frozen=True):
    rxcui: Text | None = None
    product_ndc: Text | None = field(default=None, name="productNDC")
    package_ndc: Text | None = field(default=None, name="packageNDC")
    hcpcs: Text | None = field(default=None, name="HCPCS")
    sku: Text | None = field(default=None, name="SKU")


class Treatment(Record, frozen=True):
    """A Medication or a piece of MedicalEquipment (``kind`` is the GraphQL __typename:
    "Medication" or "MedicalEquipment")."""

    id: Text
    name: Text
    kind: Kind = field(default="Medication", name="__typename")
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
