"""Editing the organization's catalogs: their treatments and prescription templates.

None of these mutations takes an externalId, so write safety is by state (``outcomes.settle``):
after a failure that may hide a saved write, the catalog is read again (uncached) and the change
is looked for there; a template created by a lost answer is recognised as a template of the same
treatment and fields that was not in the catalog as the caller last read it. Every successful
edit forgets the cached catalogs, so the prescription form's search and prefill see it at once.

Photon documents no permission for these mutations: the app sends them and shows a refusal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from photon_desktop.api import parse
from photon_desktop.api.client import NULL, GraphQLClient
from photon_desktop.domain import Catalog, PrescriptionTemplate, Treatment
from photon_desktop.domain.prescription_rules import Dispensing
from photon_desktop.errors import InvalidInput, NotFound, PhotonError
from photon_desktop.services.catalog import CatalogService
from photon_desktop.services.outcomes import settle, unknown

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TemplateInput:
    """A template as the editor sends it: checked dispensing values plus its name."""

    name: str
    treatment_id: str
    dispensing: Dispensing
    is_private: bool = False

    def variables(self, *, update: bool = False) -> dict[str, Any]:
        """``update``: a blank days supply removes the stored one, so it is sent as an explicit
        null (a left-out argument keeps it); a create leaves it out, for Photon to fill in."""
        d = self.dispensing
        return {
            "name": self.name,
            "dispenseQuantity": d.dispense_quantity,
            "dispenseUnit": d.dispense_unit,
            "daysSupply": NULL if update and d.days_supply is None else d.days_supply,
            "fillsAllowed": d.fills_allowed,
            "instructions": d.instructions,
            "notes": d.notes or "",
            "dispenseAsWritten": d.dispense_as_written,
        }


def differences(
    template: PrescriptionTemplate, data: TemplateInput, *, created: bool = False
) -> list[str]:
    """The fields (``PrescriptionTemplate`` names) where ``template`` does not hold what ``data``
    asked for: Photon's answer is what it keeps, and a change it did not make is not saved.

    ``created``: a blank days supply is left out of a create and Photon fills in one of its own
    (the treatment's), so whatever it holds is what was asked.
    """
    d = data.dispensing
    held = {
        "name": (template.name or "") == data.name,
        "dispense_quantity": template.dispense_quantity == d.dispense_quantity,
        "dispense_unit": (template.dispense_unit or "") == d.dispense_unit,
        "days_supply": template.days_supply == d.days_supply or (created and d.days_supply is None),
        "fills_allowed": (template.fills_allowed or 1) == d.fills_allowed,
        "instructions": (template.instructions or "") == d.instructions,
        "notes": (template.notes or "") == (d.notes or ""),
        "dispense_as_written": bool(template.dispense_as_written) == d.dispense_as_written,
    }
    return [name for name, same in held.items() if not same]


def shows(template: PrescriptionTemplate, data: TemplateInput, *, created: bool = False) -> bool:
    """Whether ``template`` holds what ``data`` asked for (a write that took effect)."""
    return template.treatment.id == data.treatment_id and not differences(
        template, data, created=created
    )


@dataclass(frozen=True, slots=True)
class CatalogTemplate:
    """A template with the catalog it belongs to (templates are edited through their catalog)."""

    catalog: Catalog
    template: PrescriptionTemplate


class CatalogEditor:
    def __init__(self, client: GraphQLClient, catalog: CatalogService) -> None:
        self._client = client
        self._catalog = catalog

    async def catalogs(self) -> list[Catalog]:
        """Every catalog, read now (not the session cache: a page shows what is there)."""
        self._catalog.forget_catalogs()
        return await self._catalog.catalogs()

    async def catalog(self, catalog_id: str) -> Catalog:
        data = await self._client.query("Catalog", {"id": catalog_id})
        if parse.field_or_none(data, "catalog") is None:
            raise NotFound(f"Catalog {catalog_id} was not found.")
        return parse.one(Catalog, data, "catalog")

    async def templates(self) -> list[CatalogTemplate]:
        """The templates this user sees: the organization's and their own private ones."""
        return [CatalogTemplate(c, t) for c in await self.catalogs() for t in c.templates]

    # -- treatments

    async def add_treatment(self, catalog_id: str, treatment_id: str) -> Treatment:
        async def check() -> Treatment | None:
            catalog = await self.catalog(catalog_id)
            return next((t for t in catalog.treatments if t.id == treatment_id), None)

        return await self._edited(
            settle(
                lambda: self._treatment("AddToCatalog", catalog_id, treatment_id, "addToCatalog"),
                check,
                what="catalog change",
                where="the catalog",
            )
        )

    async def remove_treatment(self, catalog_id: str, treatment: Treatment) -> Treatment:
        async def check() -> Treatment | None:
            catalog = await self.catalog(catalog_id)
            gone = all(t.id != treatment.id for t in catalog.treatments)
            return treatment if gone else None

        return await self._edited(
            settle(
                lambda: self._treatment(
                    "RemoveFromCatalog", catalog_id, treatment.id, "removeFromCatalog"
                ),
                check,
                what="catalog change",
                where="the catalog",
                recheck=InvalidInput,  # "not in the catalog": maybe removed by an earlier send
            )
        )

    async def _treatment(
        self, operation: str, catalog_id: str, treatment_id: str, key: str
    ) -> Treatment:
        data = await self._client.query(
            operation, {"catalogId": catalog_id, "treatmentId": treatment_id}
        )
        return parse.one(Treatment, data, key)

    # -- templates

    async def create_template(
        self,
        catalog: Catalog,
        data: TemplateInput,
        *,
        earlier: Sequence[TemplateInput] = (),
        strays: list[PrescriptionTemplate] | None = None,
    ) -> PrescriptionTemplate:
        """Create ``data`` in ``catalog`` (as the caller last read it: a lost answer is found as
        a matching template that was not in it).

        ``earlier``: what earlier sends of this template into ``catalog`` asked for, when their
        outcome was unknown. The catalog is read for them before sending again (no externalId:
        a resend of a saved one would make two); one found is changed to ``data`` (the form may
        have been edited since), unless it is for another treatment, which Photon cannot change:
        those are added to ``strays`` (when given), for the caller to say they were made.
        """
        catalog_id = catalog.id
        before = {t.id for t in catalog.templates}

        async def new_ones(*asked: TemplateInput) -> list[PrescriptionTemplate]:
            now = await self.catalog(catalog_id)
            return [
                t
                for t in now.templates
                if t.id not in before and any(shows(t, d, created=True) for d in asked)
            ]

        async def check() -> PrescriptionTemplate | None:
            return next(iter(await new_ones(data)), None)

        if earlier:
            try:
                found = await new_ones(data, *earlier)
            except PhotonError as error:
                raise unknown(error, "template", "the templates list") from error
            if strays is not None:
                strays.extend(t for t in found if t.treatment.id != data.treatment_id)
            # The one already as asked, else one for this treatment: the first found may be an
            # earlier send for another treatment, and passing over it must not pass over them.
            same = next((t for t in found if shows(t, data, created=True)), None)
            if same is not None:
                self._catalog.forget_catalogs()
                return same
            mine = next((t for t in found if t.treatment.id == data.treatment_id), None)
            if mine is not None:
                return await self.update_template(catalog_id, mine.id, data)

        variables = {
            "catalogId": catalog_id,
            "treatmentId": data.treatment_id,
            "isPrivate": data.is_private,
            **data.variables(),
        }
        return await self._edited(
            settle(
                lambda: self._template("CreatePrescriptionTemplate", variables),
                check,
                what="template",
                where="the templates list",
            )
        )

    async def update_template(
        self, catalog_id: str, template_id: str, data: TemplateInput
    ) -> PrescriptionTemplate:
        async def check() -> PrescriptionTemplate | None:
            catalog = await self.catalog(catalog_id)
            found = next((t for t in catalog.templates if t.id == template_id), None)
            return found if found is not None and shows(found, data) else None

        variables = {
            "catalogId": catalog_id,
            "templateId": template_id,
            **data.variables(update=True),
        }
        return await self._edited(
            settle(
                lambda: self._template("UpdatePrescriptionTemplate", variables),
                check,
                what="template changes",
                where="the template",
            )
        )

    async def delete_template(
        self, catalog_id: str, template: PrescriptionTemplate
    ) -> PrescriptionTemplate:
        async def check() -> PrescriptionTemplate | None:
            catalog = await self.catalog(catalog_id)
            gone = all(t.id != template.id for t in catalog.templates)
            return template if gone else None

        variables = {"catalogId": catalog_id, "templateId": template.id}
        return await self._edited(
            settle(
                lambda: self._template("DeletePrescriptionTemplate", variables),
                check,
                what="template deletion",
                where="the templates list",
                recheck=NotFound,  # gone already: maybe deleted by an earlier send
            )
        )

    async def _template(self, operation: str, variables: dict[str, Any]) -> PrescriptionTemplate:
        data = await self._client.query(operation, variables)
        key = operation[0].lower() + operation[1:]
        return parse.one(PrescriptionTemplate, data, key)

    async def _edited(self, write: Awaitable[T]) -> T:
        try:
            return await write
        finally:
            self._catalog.forget_catalogs()
