"""The GraphQL console against the running sandbox with a real session: schema validation that
refuses before sending (problems underlined), completion from the schema, runs shown as tree and
JSON, history without values, mutations confirmed with their permission, off in Production unless
switched on, and the server's permission error shown as one."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QMessageBox, QWidget
from ui_support import Connection, signed_in, until

from photon_desktop.auth.environments import EnvironmentKind
from photon_desktop.ui.common import preferences
from photon_desktop.ui.support.console import ConsoleView
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]

# The completion popup asks the offscreen platform for things it cannot do; nothing of ours.
OFFSCREEN_POPUP = pytest.mark.qt_log_ignore(
    "does not support raise", "grabbing the keyboard", "propagateSizeHints"
)

MUTATION = """mutation Prescribe($patientId: ID!, $treatmentId: ID!) {
  createPrescription(patientId: $patientId, treatmentId: $treatmentId, dispenseQuantity: 30,
      dispenseUnit: "tablet", instructions: "Take one daily", fillsAllowed: 1) { id }
}"""


def make(workspace: Workspace, widgets: list[QWidget]) -> ConsoleView:
    view = ConsoleView(workspace)
    view.resize(1100, 650)
    view.show()
    widgets.append(view)
    return view


def type_query(view: ConsoleView, text: str) -> None:
    view.editor.setPlainText(text)
    view.editor.moveCursor(QTextCursor.MoveOperation.End)


def calls(conn: Connection) -> int:
    return len(conn.services.request_log.entries)


def underlined(view: ConsoleView) -> bool:
    block = view.editor.document().firstBlock()
    while block.isValid():
        for part in block.layout().formats():
            if part.format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline:
                return True
        block = block.next()
    return False


@OFFSCREEN_POPUP
def test_validation_completion_run_and_history(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            view = make(conn.workspace, widgets)
            # Not in the schema: underlined, and Run sends nothing.
            type_query(view, "query { patients(first: 2) { id nope } }")
            sent = calls(conn)
            view.run()
            await until(lambda: "Not sent" in view.status.text())
            assert calls(conn) == sent
            assert "Cannot query field 'nope'" in view.problems.text()
            assert underlined(view)
            type_query(view, "query { patients(first: 2) { id } }")
            assert view.check() == [] and not underlined(view)

            # Completion: fields of the type at the cursor, arguments, enum values.
            type_query(view, "query { patients(first: 2) { na")
            assert view.editor.complete() == ["name"]
            view.editor.insert_completion("name")
            assert view.editor.toPlainText().endswith("{ name")
            type_query(view, "query { patients(fi")
            assert view.editor.complete() == ["filter", "first"]
            type_query(view, "query { orders(filter: {state: ")
            assert "PLACED" in view.editor.complete()

            # A run with variables: the answer as a tree and as JSON.
            target = (await conn.services.patients.search(None, first=1)).items[0]
            type_query(
                view,
                "query Find($name: String) { patients(filter: {name: $name}, first: 5) "
                "{ id name { last } dateOfBirth } }",
            )
            view.variables.setPlainText(json.dumps({"name": target.name.last}))
            view.run()
            await until(lambda: view.status.text() == "Done.")
            assert view.last_answer is not None and view.last_answer.data is not None
            assert target.id in view.json.toPlainText()
            assert view.tree.topLevelItem(0).text(0) == "data"
            assert view.run_button.isEnabled()

            history = preferences.console_history(conn.environment.key).get()
            assert len(history) == 1
            entry = json.loads(history[0])
            assert "patients" in entry["query"] and entry["variables"] == {"name": "***"}
            assert target.name.last not in history[0]
            # Loading it back from the History box fills the editor.
            view.history.setCurrentIndex(0)
            view.history.activated.emit(0)
            assert "query Find" in view.editor.toPlainText()

            # Bad variables JSON: said plainly, nothing sent.
            view.variables.setPlainText("{name: ")
            sent = calls(conn)
            view.run()
            await until(lambda: "not valid JSON" in view.status.text())
            assert calls(conn) == sent

    arun(scenario(), timeout=40)


async def answer_box(view: ConsoleView, button: str) -> str:
    await until(lambda: getattr(view, "confirm_box", None) is not None)
    box = view.confirm_box
    assert isinstance(box, QMessageBox)
    text = box.text()
    next(b for b in box.buttons() if b.text() == button).click()
    return text


def test_a_mutation_asks_names_its_permission_and_reports_the_refusal(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            view = make(conn.workspace, widgets)
            assert not view.allow_mutations.isVisible()  # not Production
            patient = (await conn.services.patients.search(None, first=1)).items[0]
            type_query(view, MUTATION)
            variables = {"patientId": patient.id, "treatmentId": "med_1"}
            view.variables.setPlainText(json.dumps(variables))
            sent = calls(conn)
            view.run()
            text = await answer_box(view, "Cancel")
            assert "write:prescription (NOT granted to this session)" in text
            await until(lambda: "cancelled" in view.status.text())
            assert calls(conn) == sent

            view.run()
            await answer_box(view, "Run mutation")
            await until(lambda: view.status.text().startswith("Permission missing"))
            assert calls(conn) == sent + 1
            assert "prescri" in view.status.text().lower()

    arun(scenario(), timeout=40)


def test_production_mutations_are_off_unless_switched_on_for_the_session(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        conn.environment = replace(
            conn.environment, kind=EnvironmentKind.PRODUCTION, name="Photon Production"
        )
        try:
            await conn.as_m2m()
            view = make(conn.workspace, widgets)
            assert view.allow_mutations.isVisible() and not view.allow_mutations.isChecked()
            type_query(view, MUTATION)
            assert view.check() == []
            assert view.problems.text() == (
                "Changes records; needs write:prescription (NOT granted to this session)."
            )
            view.variables.setPlainText('{"patientId": "pat_1", "treatmentId": "med_1"}')
            sent = calls(conn)
            view.run()
            await until(lambda: "changes are off in Production" in view.status.text())
            assert calls(conn) == sent
            view.allow_mutations.setChecked(True)
            view.run()
            text = await answer_box(view, "Cancel")
            assert "Photon Production" in text
            assert calls(conn) == sent
            # The choice is for this session only: a new environment starts with it off.
            conn.workspace.environment_changed.emit()
            assert not view.allow_mutations.isChecked()
        finally:
            await conn.aclose()

    arun(scenario(), timeout=40)
