"""The services behind the write windows, against the running sandbox over HTTP (M2M token):
treatment search order, and chart additions that keep what the chart already holds."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from test_sandbox_services import services

from photon_desktop.errors import InvalidInput
from photon_desktop.services.treatment_search import (
    CATALOG,
    EQUIPMENT,
    MEDICATION,
    TEMPLATE,
    search_treatments,
)


def test_treatment_search_lists_the_catalog_first_then_medications_then_equipment(
    sandbox: Any, on_qt: Any
) -> None:
    async def scenario(http: Any) -> None:
        s = services(sandbox, http)
        assert await search_treatments(s.catalog, "at") == []  # fewer than 3 letters
        catalog = (await s.catalog.catalogs())[0]
        word = catalog.treatments[0].name.split()[0]
        found = await search_treatments(s.catalog, word.lower())
        groups = [m.group for m in found]
        order = [TEMPLATE, CATALOG, MEDICATION, EQUIPMENT]
        assert groups == sorted(groups, key=order.index)
        assert groups[0] in (TEMPLATE, CATALOG)
        plain = [m.treatment.id for m in found if m.template is None]
        assert len(plain) == len(set(plain))  # a treatment found twice is listed once
        assert all(word.lower() in m.label.lower() for m in found)
        supplies = await search_treatments(s.catalog, "glucose")
        assert any(m.treatment.kind == "MedicalEquipment" for m in supplies)

    on_qt(scenario)


def test_chart_additions_keep_the_chart_and_refuse_repeats(sandbox: Any, on_qt: Any) -> None:
    async def scenario(http: Any) -> None:
        s = services(sandbox, http)
        page = await s.patients.search(None, first=60)
        patient = await s.patients.get(page.items[55].id)
        allergens = await s.catalog.allergens()
        had = {a.allergen.id for a in patient.allergies}
        new = next(a for a in allergens if a.id not in had)
        onset = date.today() - timedelta(days=400)
        after = await s.chart.add_allergy(patient, new.id, comment=" rash ", onset=onset)
        assert {a.allergen.id for a in after.allergies} == had | {new.id}
        added = next(a for a in after.allergies if a.allergen.id == new.id)
        assert added.comment == "rash" and added.onset == onset
        with pytest.raises(InvalidInput) as repeat:
            await s.chart.add_allergy(after, new.id)
        assert "already recorded" in repeat.value.fields["allergenId"]
        with pytest.raises(InvalidInput) as future:
            await s.chart.add_allergy(after, allergens[-1].id, onset=date.today() + timedelta(1))
        assert "future" in future.value.fields["onset"]

        med = (await s.catalog.medications("omeprazole", first=1)).items[0]
        history = {m.medication.id for m in after.medication_history}
        after = await s.chart.add_medication(after, med.id, active=False, comment="stopped")
        assert {m.medication.id for m in after.medication_history} == history | {med.id}
        assert {a.allergen.id for a in after.allergies} == had | {new.id}  # untouched

        pharmacies = await s.catalog.pharmacies(first=30)
        kept = {p.id for p in after.preferred_pharmacies}
        extra = next(p for p in pharmacies.items if p.id not in kept)
        after = await s.chart.add_preferred_pharmacy(after, extra.id)
        assert {p.id for p in after.preferred_pharmacies} == kept | {extra.id}
        same = await s.chart.add_preferred_pharmacy(after, extra.id)  # already there: no call
        assert same is after

    on_qt(scenario)
