"""Catalog and template edits against a private sandbox over HTTP, with a prescriber's real token:
treatments added and removed, templates created, changed and deleted, private templates seen only
by their author, and writes whose answer was lost found by the state they left (no resend)."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_tokens import StaticTokens
from test_sandbox_services import services

from photon_desktop.domain.prescription_rules import DispensingText, check_dispensing
from photon_desktop.errors import InvalidInput
from photon_desktop.services.catalogs import TemplateInput
from photon_desktop.services.treatment_search import CATALOG, MEDICATION, search_treatments

PRESCRIBER = "prescriber@sandbox.photon.local"
STAFF = "staff@sandbox.photon.local"


def template_input(name: str, treatment_id: str, *, private: bool, quantity: str = "30") -> Any:
    values, problems = check_dispensing(
        DispensingText(
            quantity=quantity,
            unit="Tablet",
            refills=2,
            days_supply="30",
            instructions="Take 1 tablet daily",
            notes="",
        )
    )
    assert values is not None, problems
    return TemplateInput(
        name=name, treatment_id=treatment_id, dispensing=values, is_private=private
    )


def token(sandbox: Any, email: str) -> StaticTokens:
    return StaticTokens(sandbox.sign_in(email)["access_token"])


def test_a_medication_added_to_the_catalog_comes_first_in_the_prescription_search(
    fresh_sandbox: Any, on_qt: Any
) -> None:
    sandbox = fresh_sandbox(patients=5)

    async def scenario(http: Any) -> None:
        s = services(sandbox, http, token(sandbox, PRESCRIBER))
        catalog = (await s.catalogs.catalogs())[0]
        had = {t.id for t in catalog.treatments}
        page = await s.catalog.medications("famotidine", first=20)
        new = next(t for t in page.items if t.id not in had)
        before = await search_treatments(s.catalog, "famotidine")
        assert [m.group for m in before if m.treatment.id == new.id] == [MEDICATION]

        sandbox.fail_next({"kind": "drop_after"})  # added, but the answer is lost
        added = await s.catalogs.add_treatment(catalog.id, new.id)
        assert added.id == new.id
        assert sandbox.stats()["clinical"]["mutations"]["addToCatalog"] == 1  # found, not resent
        after = await search_treatments(s.catalog, "famotidine")  # the cache was forgotten
        first = after[0]
        assert (first.treatment.id, first.group) == (new.id, CATALOG)
        assert [m.group for m in after if m.treatment.id == new.id] == [CATALOG]
        with pytest.raises(InvalidInput) as again:
            await s.catalogs.add_treatment(catalog.id, new.id)
        assert "already in the catalog" in again.value.fields["treatmentId"]

        await s.catalogs.remove_treatment(catalog.id, new)
        assert new.id not in {t.id for t in (await s.catalogs.catalog(catalog.id)).treatments}

    on_qt(scenario)


def test_templates_are_created_changed_and_deleted_and_private_ones_stay_private(
    fresh_sandbox: Any, on_qt: Any
) -> None:
    sandbox = fresh_sandbox(patients=5)

    async def scenario(http: Any) -> None:
        mine = services(sandbox, http, token(sandbox, PRESCRIBER))
        theirs = services(sandbox, http, token(sandbox, STAFF))
        catalog = (await mine.catalogs.catalogs())[0]
        treatment = catalog.treatments[0]
        shared = await mine.catalogs.create_template(
            catalog, template_input("Team default", treatment.id, private=False)
        )
        private = await mine.catalogs.create_template(
            catalog, template_input("My own", treatment.id, private=True)
        )
        assert private.is_private and not shared.is_private
        seen_by_me = {r.template.id for r in await mine.catalogs.templates()}
        seen_by_staff = {r.template.id for r in await theirs.catalogs.templates()}
        assert {shared.id, private.id} <= seen_by_me
        assert shared.id in seen_by_staff and private.id not in seen_by_staff

        changed = await mine.catalogs.update_template(
            catalog.id,
            private.id,
            template_input("My own", treatment.id, private=True, quantity="60"),
        )
        assert changed.dispense_quantity == 60 and changed.fills_allowed == 3
        await mine.catalogs.delete_template(catalog.id, private)
        await mine.catalogs.delete_template(catalog.id, shared)
        left = {r.template.id for r in await mine.catalogs.templates()}
        assert not left & {shared.id, private.id}

    on_qt(scenario)


def test_a_template_write_whose_answer_is_lost_is_found_not_sent_twice(
    fresh_sandbox: Any, on_qt: Any
) -> None:
    sandbox = fresh_sandbox(patients=5)

    async def scenario(http: Any) -> None:
        s = services(sandbox, http, token(sandbox, PRESCRIBER))
        catalog = (await s.catalogs.catalogs())[0]
        treatment = catalog.treatments[0]
        asked = sandbox.stats()["graphql_requests"]
        creates, reads = asked.get("CreatePrescriptionTemplate", 0), asked.get("Catalog", 0)
        sandbox.fail_next({"kind": "drop_after"})
        made = await s.catalogs.create_template(
            catalog, template_input("Lost answer", treatment.id, private=True)
        )
        assert made.name == "Lost answer"
        assert sandbox.stats()["graphql_requests"].get("Catalog", 0) == reads + 1  # checked
        named = [r for r in await s.catalogs.templates() if r.template.name == "Lost answer"]
        assert [r.template.id for r in named] == [made.id]  # one template, not two
        stats = sandbox.stats()["graphql_requests"]
        assert stats.get("CreatePrescriptionTemplate", 0) == creates + 1

        sandbox.fail_next({"kind": "error_after"})
        gone = await s.catalogs.delete_template(catalog.id, made)
        assert gone.id == made.id
        assert made.id not in {r.template.id for r in await s.catalogs.templates()}

    on_qt(scenario)


def test_a_resend_changes_the_earlier_send_for_its_treatment_not_a_new_one(
    fresh_sandbox: Any, on_qt: Any
) -> None:
    """Two earlier sends went through unseen, the first for another treatment (the user changed
    it in between): the one for this treatment is changed, not joined by a third template."""
    sandbox = fresh_sandbox(patients=5)

    async def scenario(http: Any) -> None:
        s = services(sandbox, http, token(sandbox, PRESCRIBER))
        catalog = (await s.catalogs.catalogs())[0]  # as the form read it, before any send
        first, second = catalog.treatments[0], catalog.treatments[1]
        name = "Switched treatment"
        earlier = [
            template_input(name, first.id, private=True),
            template_input(name, second.id, private=True),
        ]
        saved = [await s.catalogs.create_template(catalog, asked) for asked in earlier]
        now = template_input(name, second.id, private=True, quantity="60")
        strays: list[Any] = []
        made = await s.catalogs.create_template(catalog, now, earlier=earlier, strays=strays)
        assert made.id == saved[1].id and made.dispense_quantity == 60
        assert [t.id for t in strays] == [saved[0].id]  # for the first treatment: it stays
        named = [r.template for r in await s.catalogs.templates() if r.template.name == name]
        assert sorted(t.id for t in named) == sorted(t.id for t in saved)  # no third one

    on_qt(scenario)
