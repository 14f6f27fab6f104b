""" "Save as a personal template" in the prescription form, against a private sandbox signed in
as the demo prescriber: the editor opens with the card's fields, private, in the catalog holding
the treatment; the saved template is seen only by its author and prefills the next prescription;
a treatment no catalog holds gets Photon's answer under its field."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget
from ui_support import Connection, settle, until
from write_support import pick_first, signed_in, writes

from photon_desktop.domain.prescription_rules import TREATMENT_MISSING
from photon_desktop.services.treatment_search import PERSONAL, search_treatments
from photon_desktop.ui.prescriptions.form import PrescriptionForm
from photon_desktop.ui.prescriptions.launch import open_prescription_form
from photon_desktop.ui.prescriptions.rx_editor import RxEditor
from photon_desktop.ui.templates.editor import TemplateEditor


async def ready_form(conn: Connection, widgets: list[QWidget]) -> tuple[PrescriptionForm, RxEditor]:
    patient = (await conn.services.patients.search(None, first=1)).items[0]
    form = open_prescription_form(conn.workspace, patient.id, patient.name.full)
    assert form is not None
    widgets.append(form)
    card = form.editors[0]
    await until(lambda: card.unit.count() > 1 and form.patient is not None)
    return form, card


async def choose(card: RxEditor, term: str) -> None:
    card.search.edit.setText(term)
    card.search.search_now()
    await pick_first(card.search.results)
    await until(lambda: card.treatment is not None)


async def template_editor(form: PrescriptionForm) -> TemplateEditor:
    form.template_button.click()
    await until(lambda: form.template_editor is not None and form.template_editor.isVisible())
    assert form.template_editor is not None
    return form.template_editor


def test_a_prescription_is_saved_as_a_personal_template(
    fresh_sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    sandbox = fresh_sandbox(patients=5)

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, card = await ready_form(conn, widgets)
            form.template_button.click()
            await settle()
            assert card.problems == {"treatment": TREATMENT_MISSING}  # nothing to save yet

            await choose(card, "famotidine")  # in no catalog
            card.quantity.setText("60")
            card.unit.setCurrentIndex(card.unit.findData("Tablet"))
            card.instructions.setPlainText("Take 1 tablet twice daily")
            editor = await template_editor(form)
            assert editor.private.isChecked() and editor.private.isEnabled()
            assert "(not in this catalog)" in editor.treatment.currentText()
            editor.save_button.click()
            await until(lambda: "treatment" in editor.problems)
            assert "catalog first" in editor.problems["treatment"]
            editor.reject()

            card.search.set_treatment(None)
            await choose(card, "lisinopril 20")
            card.quantity.setText("90")
            card.refills.setValue(3)
            card.days_supply.setText("90")
            card.instructions.setPlainText("Take 1 tablet every morning")
            editor = await template_editor(form)
            assert editor.catalog.currentText() == "Sandbox Family Medicine formulary"
            assert editor.quantity.text() == "90" and editor.refills.value() == 3
            editor.name.setText("Lisinopril 20, 90 days (mine)")
            editor.save_button.click()
            await until(lambda: "Saved your template" in form.notice.text())
            assert writes(sandbox).get("createPrescriptionTemplate", 0) == 1
            assert card.quantity.text() == "90"  # the prescription itself is untouched

            found = await search_treatments(conn.services.catalog, "lisinopril 20")
            mine = [
                m
                for m in found
                if m.template and m.template.name == "Lisinopril 20, 90 days (mine)"
            ]
            assert len(mine) == 1 and mine[0].group == PERSONAL  # Photon's group for isPrivate
            assert mine[0].template is not None and mine[0].template.is_private
            assert mine[0].template.fills_allowed == 4

        async with signed_in(sandbox, "staff") as other:
            names = {r.template.name for r in await other.services.catalogs.templates()}
            assert "Lisinopril 20, 90 days (mine)" not in names

    arun(scenario(), timeout=60)
