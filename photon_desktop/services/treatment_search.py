"""Treatment search for the prescription form, grouped as Photon's own medication search groups
it: the prescriber's personal templates, the organization's templates and catalog, then Photon's
medications and medical equipment.

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

PERSONAL = "Personal templates"
TEMPLATE = "Organization templates"
CATALOG = "Organization catalog"
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
    # Each group whole, in this order, whatever the number of catalogs.
    groups: dict[str, list[TreatmentMatch]] = {
        g: [] for g in (PERSONAL, TEMPLATE, CATALOG, MEDICATION, EQUIPMENT)
    }
    for each in catalogs:
        for template in each.templates:
            if _words_in(term, f"{template.name or ''} {template.treatment.name}"):
                group = PERSONAL if template.is_private else TEMPLATE
                groups[group].append(TreatmentMatch(template.treatment, group, template))
        for treatment in each.treatments:
            if _words_in(term, treatment.name):
                groups[CATALOG].append(TreatmentMatch(treatment, CATALOG))
    groups[MEDICATION] = [TreatmentMatch(t, MEDICATION) for t in medications.items]
    groups[EQUIPMENT] = [TreatmentMatch(t, EQUIPMENT) for t in equipment.items]

    found: list[TreatmentMatch] = []
    seen: set[str] = set()
    for match in (m for members in groups.values() for m in members):
        key = match.treatment.id if match.template is None else match.template.id
        if key not in seen:
            seen.add(key)
            found.append(match)
    return found
