"""Catalogs and prescription templates: what a caller sees and the mutations that edit them.

A private template is seen, changed and deleted only by its author; to anyone else it does not
exist (``NotFound``). Per ``scopes.md`` these mutations need only a valid token; a private
template needs a user token, since it must have an author.
"""

from __future__ import annotations

from typing import Any

from photon_desktop.sandbox.demo import Catalog, Template, Treatment
from photon_desktop.sandbox.graphql.context import Context, Resolver
from photon_desktop.sandbox.graphql.errors import InputErrors, not_found, unauthorized
from photon_desktop.sandbox.store import Store

NAMES = (
    "addToCatalog",
    "removeFromCatalog",
    "createPrescriptionTemplate",
    "updatePrescriptionTemplate",
    "deletePrescriptionTemplate",
)


def visible_templates(catalog: Catalog, context: Context) -> list[Template]:
    """The catalog's templates this caller may see: organization-wide ones and their own."""
    me = context.principal.user_email
    return [t for t in catalog.templates if not t.is_private or t.author == me]


class CatalogEdits:
    def __init__(self, store: Store) -> None:
        self.store = store

    def resolvers(self) -> dict[str, Resolver]:
        return {
            "addToCatalog": self.add_to_catalog,
            "removeFromCatalog": self.remove_from_catalog,
            "createPrescriptionTemplate": self.create_template,
            "updatePrescriptionTemplate": self.update_template,
            "deletePrescriptionTemplate": self.delete_template,
        }

    # -- lookups

    def _catalog(self, catalog_id: str) -> Catalog:
        found = next((c for c in self.store.ref.catalogs if c.id == catalog_id), None)
        if found is None:
            raise not_found("Catalog", catalog_id)
        return found

    def _treatment(self, treatment_id: str) -> Treatment:
        found = self.store.ref.treatments_by_id.get(treatment_id)
        if found is None:
            raise InputErrors([("treatmentId", f"Treatment {treatment_id} was not found")])
        return found

    def _template(self, context: Context, catalog: Catalog, template_id: str) -> Template:
        found = next((t for t in visible_templates(catalog, context) if t.id == template_id), None)
        if found is None:
            raise not_found("PrescriptionTemplate", template_id)
        return found

    # -- treatments

    def add_to_catalog(self, context: Context, catalogId: str, treatmentId: str) -> Treatment:
        catalog = self._catalog(catalogId)
        treatment = self._treatment(treatmentId)
        if treatment in catalog.treatments:
            raise InputErrors([("treatmentId", f"{treatment.name} is already in the catalog")])
        catalog.treatments.append(treatment)
        return treatment

    def remove_from_catalog(self, context: Context, catalogId: str, treatmentId: str) -> Treatment:
        """Remove a treatment and the templates that prescribe it (everyone's)."""
        catalog = self._catalog(catalogId)
        treatment = self._treatment(treatmentId)
        if treatment not in catalog.treatments:
            raise InputErrors([("treatmentId", f"{treatment.name} is not in the catalog")])
        catalog.treatments.remove(treatment)
        catalog.templates[:] = [t for t in catalog.templates if t.treatment is not treatment]
        return treatment

    # -- templates

    def create_template(self, context: Context, catalogId: str, **args: Any) -> Template:
        catalog = self._catalog(catalogId)
        treatment = self._treatment(args["treatmentId"])
        problems: list[tuple[str, str]] = []
        if treatment not in catalog.treatments:
            problems.append(("treatmentId", f"add {treatment.name} to the catalog first"))
        private = bool(args.get("isPrivate"))
        if private and context.principal.user_email is None:
            raise unauthorized("a private template needs a signed-in user (user token)")
        fills, refills = args.get("fillsAllowed"), args.get("refillsAllowed")
        if fills is None and refills is not None:
            if refills < 0:
                problems.append(("refillsAllowed", "refillsAllowed must be 0 or more"))
            fills = refills + 1
        elif fills is not None and refills is not None and refills + 1 != fills:
            problems.append(("refillsAllowed", "refillsAllowed must equal fillsAllowed - 1"))
        values = self._checked(
            {
                "name": args.get("name") or f"{treatment.name}",
                "dispense_quantity": args.get("dispenseQuantity", treatment.dispense_quantity),
                "dispense_unit": args.get("dispenseUnit") or treatment.dispense_unit,
                "days_supply": args.get("daysSupply", treatment.days_supply),
                "fills_allowed": 1 if fills is None else fills,
                "instructions": args.get("instructions") or treatment.instructions,
                "notes": args.get("notes"),
                "dispense_as_written": bool(args.get("dispenseAsWritten")),
            },
            problems,
        )
        template = Template(
            id=self.store.new_id("tmp"),
            treatment=treatment,
            is_private=private,
            author=context.principal.user_email if private else None,
            **values,
        )
        catalog.templates.append(template)
        return template

    def update_template(
        self, context: Context, catalogId: str, templateId: str, **args: Any
    ) -> Template:
        template = self._template(context, self._catalog(catalogId), templateId)
        names = {
            "name": "name",
            "dispenseQuantity": "dispense_quantity",
            "dispenseUnit": "dispense_unit",
            "daysSupply": "days_supply",
            "fillsAllowed": "fills_allowed",
            "instructions": "instructions",
            "notes": "notes",
            "dispenseAsWritten": "dispense_as_written",
        }
        changes = {names[k]: v for k, v in args.items() if k in names}
        for key, value in self._checked(changes, []).items():
            setattr(template, key, value)
        return template

    def delete_template(self, context: Context, catalogId: str, templateId: str) -> Template:
        catalog = self._catalog(catalogId)
        template = self._template(context, catalog, templateId)
        catalog.templates.remove(template)
        return template

    def _checked(self, values: dict[str, Any], problems: list[tuple[str, str]]) -> dict[str, Any]:
        """``values`` with the unit spelled as listed; every bad one reported at once."""
        units = {u.lower(): u for u in self.store.ref.dispense_units}
        if "name" in values and not (values["name"] or "").strip():
            problems.append(("name", "name must not be empty"))
        quantity = values.get("dispense_quantity")
        if "dispense_quantity" in values and (quantity is None or quantity <= 0):
            problems.append(("dispenseQuantity", "dispenseQuantity must be greater than 0"))
        if "dispense_unit" in values:
            unit = units.get((values["dispense_unit"] or "").strip().lower())
            if unit is None:
                problems.append(("dispenseUnit", "dispenseUnit must be one of dispenseUnits"))
            values["dispense_unit"] = unit
        days = values.get("days_supply")
        if days is not None and days < 1:
            problems.append(("daysSupply", "daysSupply must be at least 1"))
        fills = values.get("fills_allowed")
        if "fills_allowed" in values and (fills is None or fills < 1):
            problems.append(("fillsAllowed", "fillsAllowed must be at least 1"))
        if "instructions" in values and not (values["instructions"] or "").strip():
            problems.append(("instructions", "instructions must not be empty"))
        if problems:
            raise InputErrors(problems)
        return values
