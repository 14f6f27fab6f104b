"""Treatment search for the prescription form: the organization's catalog first, then Photon's
medications, then medical equipment (as Photon's own medication search groups them).

Catalog entries match when every word typed appears in the name; Photon's searches are asked for
the whole term. A treatment found twice is listed once, in its first group.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from photon_desktop.domain import PrescriptionTemplate, Treatment
from photon_desktop.services.catalog import CatalogService

MIN_CHARS = 3
PER_SOURCE = 20

CATALOG = "Organization catalog"
TEMPLATE = "Organization templates"
MEDICATION = "Medications"
EQUIPMENT = "Medical equipment"


@dataclass(frozen=True, slots=True)
class TreatmentMatch:
    treatment: Treatment
    group: str
    template: PrescriptionTemplate | None = None

    @property
    def label(self) -> str:
        if self.template is not None and self.template.name:
            return f"{self.template.name} — {self.treatment.name}"
        return self.treatment.name


def _words_in(term: str, name: str) -> bool:
    lowered = name.lower()
    return all(word in lowered for word in term.lower().split())


async def search_treatments(catalog: CatalogService, term: str) -> list[TreatmentMatch]:
    """Matches for ``term`` (at least ``MIN_CHARS`` characters, else nothing), grouped."""
    term = term.strip()
    if len(term) < MIN_CHARS:
        return []
    catalogs, medications, equipment = await asyncio.gather(
        catalog.catalogs(),
        catalog.medications(term, first=PER_SOURCE),
        catalog.medical_equipment(term, first=PER_SOURCE),
    )
    found: list[TreatmentMatch] = []
    seen: set[str] = set()

    def add(match: TreatmentMatch) -> None:
        key = match.treatment.id if match.template is None else match.template.id
        if key not in seen:
            seen.add(key)
            found.append(match)

    for each in catalogs:
        for template in each.templates:
            if _words_in(term, f"{template.name or ''} {template.treatment.name}"):
                add(TreatmentMatch(template.treatment, TEMPLATE, template))
        for treatment in each.treatments:
            if _words_in(term, treatment.name):
                add(TreatmentMatch(treatment, CATALOG))
    for treatment in medications.items:
        add(TreatmentMatch(treatment, MEDICATION))
    for treatment in equipment.items:
        add(TreatmentMatch(treatment, EQUIPMENT))
    return found
