"""The Prescription templates page and editor against a private sandbox, signed in through
/authorize: organization and private templates (private ones only for their author), a new
template refused field by field by the prescription rules and then saved, edited, and deleted
after confirming. Screenshots of the editor light and dark."""

from __future__ import annotations

from typing import Any

from formulary_support import exact_quantity_template, shot
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from ui_support import Connection, column, settle, until
from write_support import answer, signed_in, writes

from photon_desktop.domain.prescription_rules import (
    INSTRUCTIONS_MISSING,
    QUANTITY_BAD,
    TREATMENT_MISSING,
    UNIT_MISSING,
)
from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.templates.editor import NAME_MISSING, TemplateEditor
from photon_desktop.ui.templates.page import ONLY_ME, ORGANIZATION, TemplatesPage


async def opened(conn: Connection, widgets: list[QWidget]) -> TemplatesPage:
    page = TemplatesPage(conn.workspace)
    widgets.append(page)
    page.resize(1100, 600)
    page.show()
    await until(lambda: page.model.rowCount() > 0)
    return page


async def editor_of(page: TemplatesPage) -> TemplateEditor:
    await until(lambda: page.editor is not None and page.editor.isVisible())
    assert page.editor is not None
    await until(lambda: page.editor is not None and page.editor.unit.count() > 5)
    return page.editor


def test_private_templates_are_seen_only_by_their_author(
    sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            mine = column((await opened(conn, widgets)).model, "Visible to")
        async with signed_in(sandbox, "staff") as conn:
            theirs = column((await opened(conn, widgets)).model, "Visible to")
        assert ONLY_ME in mine and ORGANIZATION in mine
        assert set(theirs) == {ORGANIZATION}
        assert len(theirs) == mine.count(ORGANIZATION)

    arun(scenario(), timeout=60)


def test_a_template_is_checked_created_edited_and_deleted(
    fresh_sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    sandbox = fresh_sandbox(patients=5)

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            page = await opened(conn, widgets)
            count = page.model.rowCount()
            page.new_button.click()
            editor = await editor_of(page)
            editor.save_button.click()
            await settle()
            assert editor.problems == {
                "name": NAME_MISSING,
                "treatment": TREATMENT_MISSING,
                "quantity": QUANTITY_BAD,
                "unit": UNIT_MISSING,
                "instructions": INSTRUCTIONS_MISSING,
            }
            QTest.keyClicks(editor.name, "Short course")
            editor.treatment.setCurrentIndex(1)
            QTest.keyClicks(editor.quantity, "0")
            editor.unit.setCurrentIndex(editor.unit.findData("Tablet"))
            QTest.keyClicks(editor.instructions, "Take 1 tablet daily")
            QTest.keyClicks(editor.days_supply, "1.5")
            editor.save_button.click()
            await settle()
            assert set(editor.problems) == {"quantity", "days_supply"}
            assert writes(sandbox).get("createPrescriptionTemplate", 0) == 0

            editor.quantity.setText("14")
            editor.days_supply.setText("7")
            editor.refills.setValue(1)
            editor.private.setChecked(True)
            editor.save_button.click()
            await until(lambda: page.editor is None)
            await until(lambda: page.model.rowCount() == count + 1)
            row = page.selected()
            assert row is not None and row.template.name == "Short course"
            assert row.template.is_private and row.template.fills_allowed == 2
            assert writes(sandbox).get("createPrescriptionTemplate", 0) == 1
            assert "Saved “Short course”" in page.message.text()

            page.edit_selected()
            editor = await editor_of(page)
            assert not editor.treatment.isEnabled() and not editor.private.isEnabled()
            assert editor.quantity.text() == "14" and editor.refills.value() == 1
            editor.quantity.setText("28")
            editor.save_button.click()
            await until(lambda: page.editor is None)
            await until(lambda: (page.selected() or row).template.dispense_quantity == 28)
            stored = await conn.services.catalogs.catalog(row.catalog.id)
            assert [t.dispense_quantity for t in stored.templates if t.id == row.template.id] == [
                28
            ]

            page.delete_button.click()
            await answer("Delete template", "Cancel")
            await settle(0.1)
            assert page.model.rowCount() == count + 1
            page.select(row.template.id)
            page.delete_button.click()
            await answer("Delete template", "Delete")
            await until(lambda: page.model.rowCount() == count)
            assert writes(sandbox).get("deletePrescriptionTemplate", 0) == 1
            assert not page.select(row.template.id)

    arun(scenario(), timeout=60)


def test_an_exact_quantity_survives_editing_the_template(
    fresh_sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    sandbox = fresh_sandbox(patients=5)

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            [catalog, *_] = await conn.services.catalogs.catalogs()
            data = exact_quantity_template("Exact quantity", catalog.treatments[0].id, "Milliliter")
            template = await conn.services.catalogs.create_template(catalog, data)
            page = await opened(conn, widgets)
            assert page.select(template.id)
            shown = column(page.model, "Dispensing")
            assert any(text.startswith("12345.678 Milliliter,") for text in shown)
            page.edit_selected()
            editor = await editor_of(page)
            assert editor.quantity.text() == "12345.678"
            editor.name.setText("Exact quantity, renamed")
            editor.save_button.click()
            await until(lambda: page.editor is None)
            stored = await conn.services.catalogs.catalog(catalog.id)
            [saved] = [t for t in stored.templates if t.id == template.id]
            assert (saved.name, saved.dispense_quantity) == ("Exact quantity, renamed", 12345.678)

    arun(scenario(), timeout=60)


def test_a_refused_template_save_reads_as_a_permission_message(
    fresh_sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    sandbox = fresh_sandbox(patients=5)

    async def scenario() -> None:
        async with signed_in(sandbox, "staff") as conn:
            page = await opened(conn, widgets)
            page.table.selectRow(0)
            page.edit_selected()
            editor = await editor_of(page)
            editor.quantity.setText("99")
            sandbox.fail_next({"kind": "status", "status": 403})
            editor.save_button.click()
            await until(lambda: "did not allow" in editor.message.text())
            assert editor.isVisible() and editor.save_button.isEnabled()
            assert writes(sandbox).get("updatePrescriptionTemplate", 0) == 0
            editor.reject()

    arun(scenario(), timeout=60)


def test_template_editor_screens(
    sandbox: Any, arun: Any, widgets: list[QWidget], theme: Theme
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            page = await opened(conn, widgets)
            page.table.selectRow(0)
            page.edit_selected()
            editor = await editor_of(page)
            editor.instructions.clear()
            editor.save_button.click()
            await settle(0.2)
            assert editor.problems == {"instructions": INSTRUCTIONS_MISSING}
            scheme = "dark" if theme.dark else "light"
            shot(editor, f"template-editor-{scheme}")
            shot(page, f"templates-{scheme}")
            editor.reject()

    arun(scenario(), timeout=60)


def test_signing_in_as_someone_else_reloads_the_templates_they_see(
    sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "m2m") as conn:
            page = await opened(conn, widgets)
            assert set(column(page.model, "Visible to")) == {ORGANIZATION}
            await conn.as_user("prescriber")
            await until(lambda: ONLY_ME in column(page.model, "Visible to"))

    arun(scenario(), timeout=60)


def test_esc_asks_before_dropping_what_was_typed_in_the_editor(
    sandbox: Any, arun: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            page = await opened(conn, widgets)
            before = writes(sandbox)
            page.open_editor(None)
            editor = await editor_of(page)
            QTest.keyClick(editor, Qt.Key.Key_Escape)  # nothing typed: closes at once
            await until(lambda: page.editor is None)

            page.open_editor(None)
            editor = await editor_of(page)
            QTest.keyClicks(editor.name, "My long template")
            editor.instructions.setPlainText("Lots of typing")
            QTest.keyClick(editor, Qt.Key.Key_Escape)
            await answer("Discard changes?", "Keep editing")
            await settle(0.05)
            assert editor.isVisible() and editor.name.text() == "My long template"
            assert editor.instructions.toPlainText() == "Lots of typing"
            editor.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
            await answer("Discard changes?", "Discard changes")
            await until(lambda: page.editor is None)
            assert writes(sandbox) == before

    arun(scenario(), timeout=60)
