"""Template saves whose answer is lost or spoiled, against a private sandbox: the editor says what
Photon holds, and pressing Save again never makes a second template (creates carry no
externalId, so the app finds them by what they hold)."""

from __future__ import annotations

from typing import Any

import pytest
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
            page = await opened(conn, widgets)
            page.new_button.click()
            editor = await editor_of(page)
            type_new(editor, name, "7")
            before = writes(sandbox)
            check_fails = {"kind": "status", "status": 503, "operation": "Catalog"}
            sandbox.fail_next({"kind": "drop_after", "operation": CREATE}, *[check_fails] * 3)
            editor.save_button.click()
            await answered(page, editor)
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
