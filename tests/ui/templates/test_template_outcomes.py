"""Template saves against a private sandbox, read by what Photon holds afterwards: a save whose
answer is lost or spoiled is found (creates carry no externalId, so Save again must not make a
second template), a cleared days supply is cleared, and "Saved" names what Photon kept instead
of what was asked."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from formulary_support import exact_quantity_template
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from test_templates_page import editor_of, opened
from ui_support import until
from write_support import new_writes, signed_in, writes

from photon_desktop.ui.templates.editor import TemplateEditor
from photon_desktop.ui.templates.page import TemplatesPage

CREATE = "CreatePrescriptionTemplate"


def type_new(editor: TemplateEditor, name: str, days: str) -> None:
    QTest.keyClicks(editor.name, name)
    editor.treatment.setCurrentIndex(1)
    editor.quantity.setText("14")
    editor.unit.setCurrentIndex(editor.unit.findData("Tablet"))
    editor.instructions.setPlainText("Take 1 tablet daily")
    editor.days_supply.setText(days)


def rows_named(page: TemplatesPage, name: str) -> int:
    return sum(page.model.item(r).template.name == name for r in range(page.model.rowCount()))


async def answered(page: TemplatesPage, editor: TemplateEditor) -> None:
    """The editor closed (saved) or shows Photon's answer."""
    await until(
        lambda: (
            page.editor is None
            or (editor.save_button.isEnabled() and editor.message.text() not in ("", "Saving…"))
        ),
        within=20,
    )


async def new_saved_with_its_answer_lost(
    conn: Any, widgets: list[QWidget], name: str
) -> tuple[TemplatesPage, TemplateEditor, Any]:
    """A new template saved while its answer is lost and the catalog cannot be read to check:
    the page, its editor (saying why) and the sandbox's writes before the save."""
    sandbox = conn.sandbox
    page = await opened(conn, widgets)
    page.new_button.click()
    editor = await editor_of(page)
    type_new(editor, name, "7")
    before = writes(sandbox)
    check_fails = {"kind": "status", "status": 503, "operation": "Catalog"}
    sandbox.fail_next({"kind": "drop_after", "operation": CREATE}, *[check_fails] * 3)
    editor.save_button.click()
    await answered(page, editor)
    return page, editor, before


@pytest.mark.parametrize("fault", ["error_after", "drop_after"])
def test_a_template_with_a_blank_days_supply_saved_under_a_spoiled_answer_reads_as_saved(
    fault: str, fresh_sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    """Photon fills in the treatment's days supply when none is given; the check must still
    recognise the template, or the user is told to save again and gets two."""
    sandbox = fresh_sandbox(patients=5)
    name = f"Blank days, {fault}"

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            page = await opened(conn, widgets)
            page.new_button.click()
            editor = await editor_of(page)
            type_new(editor, name, "")
            before = writes(sandbox)
            sandbox.fail_next({"kind": fault, "operation": CREATE})
            editor.save_button.click()
            await answered(page, editor)
            assert page.editor is None, editor.message.text()
            await until(lambda: page.message.text() == f"Saved “{name}”.")
            assert rows_named(page, name) == 1
            assert new_writes(sandbox, before) == {"createPrescriptionTemplate": 1}

    arun(scenario(), timeout=60)


def test_a_create_whose_outcome_is_unknown_is_looked_for_before_it_is_sent_again(
    fresh_sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    """The answer is lost and so is the check: the editor says the template may be saved (not
    "could not save"), and Save finds it instead of creating a second one."""
    sandbox = fresh_sandbox(patients=5)
    name = "Unknown outcome"

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            page, editor, before = await new_saved_with_its_answer_lost(conn, widgets, name)
            assert page.editor is not None
            said = editor.message.text()
            assert "could not check whether it was saved" in said
            assert not said.startswith("Could not save")

            editor.save_button.click()  # as the message invites, once the list is back
            await until(lambda: page.editor is None, within=20)
            await until(lambda: page.message.text() == f"Saved “{name}”.")
            assert rows_named(page, name) == 1
            assert new_writes(sandbox, before) == {"createPrescriptionTemplate": 1}

    arun(scenario(), timeout=60)


def test_a_template_corrected_after_an_unknown_outcome_changes_the_one_first_saved(
    fresh_sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    """The first save may have gone through; the user fixes the instructions and saves again:
    the template the first send made is changed, not joined by a second one."""
    sandbox = fresh_sandbox(patients=5)
    name = "Corrected after a lost answer"

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            page, editor, before = await new_saved_with_its_answer_lost(conn, widgets, name)
            assert "could not check whether it was saved" in editor.message.text()

            editor.instructions.setPlainText("Take 2 tablets daily with food")
            editor.save_button.click()
            await until(lambda: page.editor is None, within=20)
            await until(lambda: page.message.text() == f"Saved “{name}”.")
            assert rows_named(page, name) == 1
            [catalog, *_] = await conn.services.catalogs.catalogs()
            [held] = [t for t in catalog.templates if t.name == name]
            assert held.instructions == "Take 2 tablets daily with food"
            assert new_writes(sandbox, before) == {
                "createPrescriptionTemplate": 1,
                "updatePrescriptionTemplate": 1,
            }

    arun(scenario(), timeout=60)


def test_a_treatment_changed_after_an_unknown_outcome_says_the_first_one_stays(
    fresh_sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    """The first save went through unseen; the user picks another treatment and saves again.
    Photon cannot move a template to another treatment, so the first one stays: the page says
    so, naming its treatment, instead of leaving a template the user did not mean to keep."""
    sandbox = fresh_sandbox(patients=5)
    name = "Treatment changed after a lost answer"

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            page, editor, before = await new_saved_with_its_answer_lost(conn, widgets, name)
            first = editor.treatment.currentText()
            editor.treatment.setCurrentIndex(2)
            assert editor.treatment.currentText() != first
            editor.save_button.click()
            await until(lambda: page.editor is None, within=20)
            await until(lambda: page.message.text().startswith(f"Saved “{name}”."))
            stray = (await conn.services.catalogs.catalogs())[0]
            [kept] = [t for t in stray.templates if t.name == name and t.treatment.name in first]
            assert kept.treatment.name in page.message.text()
            assert "delete that one if it is not wanted" in page.message.text()
            assert rows_named(page, name) == 2
            assert new_writes(sandbox, before) == {"createPrescriptionTemplate": 2}

    arun(scenario(), timeout=60)


async def editing_days_of(
    conn: Any, widgets: list[QWidget], name: str
) -> tuple[TemplatesPage, TemplateEditor, Any]:
    """The page and the editor of a new private template of 25 days, and its catalog."""
    [catalog, *_] = await conn.services.catalogs.catalogs()
    data = exact_quantity_template(name, catalog.treatments[0].id, "Milliliter")
    data = replace(data, dispensing=replace(data.dispensing, days_supply=25))
    made = await conn.services.catalogs.create_template(catalog, data)
    page = await opened(conn, widgets)
    assert page.select(made.id)
    page.edit_selected()
    editor = await editor_of(page)
    assert editor.days_supply.text() == "25"
    return page, editor, catalog


async def stored_days(conn: Any, catalog: Any, name: str) -> list[int | None]:
    now = await conn.services.catalogs.catalog(catalog.id)
    return [t.days_supply for t in now.templates if t.name == name]


@pytest.mark.parametrize("fault", [None, "error_after", "drop_after"])
def test_a_days_supply_cleared_on_edit_is_cleared_in_photon(
    fault: str | None, fresh_sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    """A blank days supply is sent as a removal, not left out (which keeps the old one); a lost
    answer is then found by the same fields, not reported as "could not save"."""
    sandbox = fresh_sandbox(patients=5)
    name = f"Clear days, {fault}"

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            page, editor, catalog = await editing_days_of(conn, widgets, name)
            editor.days_supply.setText("")
            before = writes(sandbox)
            if fault:
                sandbox.fail_next({"kind": fault, "operation": "UpdatePrescriptionTemplate"})
            editor.save_button.click()
            await answered(page, editor)
            assert page.editor is None, editor.message.text()
            await until(lambda: page.message.text() == f"Saved “{name}”.")
            assert await stored_days(conn, catalog, name) == [None]
            assert new_writes(sandbox, before) == {"updatePrescriptionTemplate": 1}
            page.edit_selected()
            assert (await editor_of(page)).days_supply.text() == ""

    arun(scenario(), timeout=60)


def test_a_change_photon_did_not_make_is_said_not_reported_as_saved(
    fresh_sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    """Photon's answer is what it keeps: if that is not what was asked, "Saved" says so (a
    stand-in Photon that keeps the days supply, for this one call)."""
    sandbox = fresh_sandbox(patients=5)
    name = "Days kept"

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            page, editor, catalog = await editing_days_of(conn, widgets, name)
            service = conn.services.catalogs
            real = service.update_template

            async def keeping_the_days(catalog_id: str, template_id: str, data: Any) -> Any:
                kept = replace(data.dispensing, days_supply=25)
                return await real(catalog_id, template_id, replace(data, dispensing=kept))

            service.update_template = keeping_the_days  # type: ignore[method-assign]
            editor.days_supply.setText("")
            editor.save_button.click()
            await answered(page, editor)
            assert page.editor is None, editor.message.text()
            await until(lambda: page.message.text().startswith("Saved"))
            assert page.message.text() == (
                f"Saved “{name}”, but Photon kept 25 days as its days supply."
            )
            assert await stored_days(conn, catalog, name) == [25]

    arun(scenario(), timeout=60)
