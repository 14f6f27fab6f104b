"""Catalogs and prescription templates: what a caller sees and the mutations that edit them.

A private template is seen, changed and deleted only by its author; to anyone else it does not
exist (``NotFound``). Photon documents no permission for these mutations, so they need only a
valid token; a private template needs a user token, since it must have an author.
"""

from __future__ import annotations

from typing import Any

from photon_desktop.sandbox.demo import Catalog, Template, Treatment
from photon_desktop.sandbox.graphql.context import Context, Resolver
from photon_desktop.sandbox.graphql.errors import InputErrors, not_found, unauthorized
from photon_desktop.sandbox.graphql.validation import Validator
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
        self.check = Validator(store)

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
        defaults = {
            "name": treatment.name,
            "dispenseQuantity": treatment.dispense_quantity,
            "dispenseUnit": treatment.dispense_unit,
            "daysSupply": treatment.days_supply,
            "instructions": treatment.instructions,
        }
        given = {k: v for k, v in args.items() if v is not None}
        if "fillsAllowed" not in given and "refillsAllowed" not in given:
            defaults["fillsAllowed"] = 1
        values = self._checked({**defaults, **given}, problems, required=True)
        template = Template(
            id=self.store.new_id("tmp"),
            treatment=treatment,
            is_private=private,
            author=context.principal.user_email if private else None,
            notes=args.get("notes"),
            dispense_as_written=bool(args.get("dispenseAsWritten")),
            **values,
        )
        catalog.templates.append(template)
        return template

    def update_template(
        self, context: Context, catalogId: str, templateId: str, **args: Any
    ) -> Template:
        template = self._template(context, self._catalog(catalogId), templateId)
        changes = self._checked(args, [], required=False)
        for key, value in args.items():
            if key in ("notes", "dispenseAsWritten"):
                changes["notes" if key == "notes" else "dispense_as_written"] = value
        for key, value in changes.items():
            setattr(template, key, value)
        return template

    def delete_template(self, context: Context, catalogId: str, templateId: str) -> Template:
        catalog = self._catalog(catalogId)
        template = self._template(context, catalog, templateId)
        catalog.templates.remove(template)
        return template

    def _checked(
        self, args: dict[str, Any], problems: list[tuple[str, str]], *, required: bool
    ) -> dict[str, Any]:
        """The name and dispensing arguments, checked by the rules prescriptions follow."""

        def bad(name: str, message: str) -> None:
            problems.append((name, message))

        values = self.check.dispensing(args, bad, required=required)
        if required or "name" in args:
            if not (args.get("name") or "").strip():
                bad("name", "name must not be empty")
            values["name"] = (args.get("name") or "").strip()
        if problems:
            raise InputErrors(problems)
        return values
