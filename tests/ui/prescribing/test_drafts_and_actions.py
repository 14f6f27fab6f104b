"""Drafts kept when the sign-in changes, the unsent-changes question, and the prescription
detail's write actions (duplicate, cancel) — against the sandbox over HTTP."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from test_prescription_form import choose, fill, first_patient, ready_form
from ui_support import settle, until
from write_support import (
    answer,
    gone,
    new_writes,
    open_windows,
    shot,
    signed_in,
    window_of,
    writes,
)

from photon_desktop.domain import PrescriptionInput
from photon_desktop.ui.patients.detail import PatientDetail
from photon_desktop.ui.prescriptions.detail import PrescriptionDetail
from photon_desktop.ui.prescriptions.drafts import drafts_for, owner_of
from photon_desktop.ui.prescriptions.form import PrescriptionForm
from photon_desktop.ui.prescriptions.launch import open_prescription_form

Run = Callable[..., Any]
# The form already open is brought forward (raise), which the offscreen platform cannot do.
BROUGHT_FORWARD = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")


def test_sign_out_closes_the_form_unsent_and_the_draft_comes_back(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, editor = await ready_form(conn, widgets, offset=2)
            await choose(editor, "metformin")
            fill(editor)
            owner, patient_id = owner_of(conn.workspace), form.patient_id
            external, treatment = editor.external_id, editor.treatment
            before = writes(sandbox)

            await conn.session.sign_out()
            await until(lambda: gone(form))
            assert new_writes(sandbox, before) == {}
            draft = drafts_for(conn.workspace).get(owner, patient_id)
            assert draft is not None and draft.items[0].external_id == external
            assert "sign-in changed" in draft.reason

            # Someone else (staff) cannot prescribe: no form, and the page says who can.
            await conn.as_user("staff")
            assert open_prescription_form(conn.workspace, patient_id) is None
            detail = PatientDetail(conn.workspace)
            widgets.append(detail)
            detail.show()
            detail.load(patient_id)
            await until(lambda: detail.patient is not None)
            actions = detail.chart_actions
            assert not actions.prescribe_button.isVisible()
            assert actions.who_prescribes.text() == (
                "Only a signed-in prescriber can write prescriptions."
            )
            assert actions.order_button.isVisible() and actions.allergy_button.isVisible()
            # On one line of its own under the buttons, however many buttons there are.
            detail.resize(600, 700)
            await settle(0.05)
            note = actions.who_prescribes.geometry()
            assert note.top() >= actions.pharmacy_button.geometry().bottom()
            assert note.height() < 2 * actions.who_prescribes.fontMetrics().lineSpacing()
            # The staff member does not see the prescriber's draft.
            assert drafts_for(conn.workspace).of(owner_of(conn.workspace)) == []

            # The prescriber signs in again: "New prescription" reopens the draft as it was.
            await conn.session.sign_out()
            await conn.as_user("prescriber")
            await until(lambda: actions.prescribe_button.isVisible())
            actions.prescribe_button.click()
            again = await window_of(PrescriptionForm)
            widgets.append(again)
            restored = again.editors[0]
            assert restored.external_id == external  # a resend can never be a second record
            assert restored.treatment == treatment
            assert restored.instructions.toPlainText() == "Take 1 tablet by mouth once daily"
            assert "Restored the unsent prescriptions" in again.notice.text()
            assert drafts_for(conn.workspace).get(owner, patient_id) is None

    arun(scenario(), timeout=90)


def test_closing_with_unsent_edits_asks_first(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, editor = await ready_form(conn, widgets, offset=3)
            editor.instructions.setPlainText("Apply twice daily")
            QTest.keyClick(form, Qt.Key.Key_Escape)
            await answer("Unsent prescriptions", "Keep editing")
            await settle(0.05)
            assert form.isVisible()
            form.close()
            await answer("Unsent prescriptions", "Discard")
            await until(lambda: gone(form))
            assert drafts_for(conn.workspace).get(owner_of(conn.workspace), form.patient_id) is None

    arun(scenario(), timeout=60)


def test_duplicate_and_cancel_from_the_prescription_detail(
    arun: Run, sandbox: Any, widgets: list[QWidget], scheme: str
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient_id, _ = await first_patient(conn, offset=4)
            rx = await an_omeprazole_prescription(conn, patient_id)
            detail = PrescriptionDetail(conn.workspace)
            detail.resize(900, 640)
            widgets.append(detail)
            detail.show()
            detail.load(rx.id)
            await until(lambda: detail.record is not None)
            actions = detail.write_actions
            assert actions.cancel_button.isVisible() and actions.duplicate_button.isVisible()
            assert actions.order_button.isVisible()
            shot(detail, f"rx-detail-actions-{scheme}")

            actions.duplicate_button.click()
            copy = await window_of(PrescriptionForm)
            widgets.append(copy)
            card = copy.editors[0]
            assert card.treatment is not None and card.treatment.id == rx.treatment.id
            assert card.instructions.toPlainText() == "Take 1 capsule before breakfast"
            assert card.refills.value() == 1 and card.external_id != rx.external_id
            # Beside the form: the patient's active prescriptions, this one among them.
            await until(lambda: "Omeprazole" in copy.chart.active.text())
            assert "Take 1 capsule before breakfast (2 fills left)" in copy.chart.active.text()
            copy.close()
            await answer("Unsent prescriptions", "Discard")

            before = writes(sandbox)
            actions.cancel_button.click()
            box = await answer("Cancel prescription", "Keep prescription")
            assert "No pharmacy can fill it" in box.findChild(QWidget, "qt_msgbox_label").text()  # type: ignore[union-attr]
            await settle(0.05)
            assert new_writes(sandbox, before) == {}
            actions.cancel_button.click()
            actions.cancel_button.click()  # a double-click: one question, not two
            await answer("Cancel prescription", "Cancel prescription")
            await until(lambda: detail.badge.text() == "Canceled")
            await settle(0.1)
            asked = [
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()
            ]
            assert asked == []  # no second question, nor a "Not canceled" after it
            assert new_writes(sandbox, before) == {"cancelPrescription": 1}
            assert not actions.cancel_button.isVisible() and not actions.order_button.isVisible()

    arun(scenario(), timeout=60)


async def an_omeprazole_prescription(conn: Any, patient_id: str) -> Any:
    found = await conn.services.catalog.medications("omeprazole", first=1)
    [rx] = await conn.services.prescriptions.create_many(
        [
            PrescriptionInput(
                patient_id=patient_id,
                treatment_id=found.items[0].id,
                dispense_quantity=30,
                dispense_unit="Capsule",
                fills_allowed=2,
                instructions="Take 1 capsule before breakfast",
            )
        ]
    )
    return rx


async def duplicate(conn: Any, widgets: list[QWidget], rx: Any) -> None:
    detail = PrescriptionDetail(conn.workspace)
    widgets.append(detail)
    detail.show()
    detail.load(rx.id)
    await until(lambda: detail.record is not None)
    detail.write_actions.duplicate_button.click()
    await settle(0.05)


@BROUGHT_FORWARD
def test_a_duplicate_into_a_form_on_its_review_step_is_reviewed_and_sent_too(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, editor = await ready_form(conn, widgets, offset=21)
            await choose(editor, "atorva")
            fill(editor)
            assert form.review()
            rx = await an_omeprazole_prescription(conn, form.patient_id)
            before = writes(sandbox)

            await duplicate(conn, widgets, rx)
            # The review no longer shows everything: the form is back on its edit step, the
            # copy in front, and saying why.
            assert form.stack.currentWidget() is form.edit_page
            assert form.tabs.currentWidget() is form.editors[1]
            assert form.editors[1].instructions.toPlainText() == "Take 1 capsule before breakfast"
            assert "Added a copy of Omeprazole" in form.notice.text()
            form.send()  # Sign and send (Ctrl+Return is Review here): nothing unreviewed goes
            await settle(0.1)
            assert new_writes(sandbox, before) == {}

            assert form.review()
            text = form.review_page.text.toPlainText()
            assert "Prescription 2 of 2" in text and "Omeprazole" in text
            form.send_button.click()
            await until(lambda: form.created)
            assert [p.external_id for p in form.created] == [e.external_id for e in form.editors]
            assert new_writes(sandbox, before) == {"createPrescriptions": 1}
            assert not form.unsent_changes

    arun(scenario(), timeout=60)


@BROUGHT_FORWARD
def test_a_duplicate_after_the_form_has_sent_opens_a_fresh_form(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, editor = await ready_form(conn, widgets, offset=22)
            await choose(editor, "atorva")
            fill(editor)
            assert form.review()
            form.send_button.click()
            await until(lambda: form.created)
            rx = await an_omeprazole_prescription(conn, form.patient_id)

            await duplicate(conn, widgets, rx)
            await until(lambda: len(open_windows(PrescriptionForm)) == 2)
            [fresh] = [w for w in open_windows(PrescriptionForm) if w is not form]
            widgets.append(fresh)
            assert fresh.stack.currentWidget() is fresh.edit_page
            assert [e.treatment.id for e in fresh.editors if e.treatment] == [rx.treatment.id]
            # The sent form still says what it sent, and nothing was added to it.
            assert form.isVisible() and form.stack.currentWidget() is form.done_page
            assert len(form.editors) == 1
            form.close()
            await until(lambda: gone(form))
            # Closing the sent form leaves the fresh one as the patient's form.
            assert open_prescription_form(conn.workspace, form.patient_id) is fresh
            fresh.close()  # the copy is unsent: closing asks
            await answer("Unsent prescriptions", "Discard")
            await until(lambda: gone(fresh))

    arun(scenario(), timeout=60)


def test_cancelling_a_prescription_canceled_elsewhere_shows_it_canceled(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient_id, _ = await first_patient(conn, offset=30)
            rx = await an_omeprazole_prescription(conn, patient_id)
            detail = PrescriptionDetail(conn.workspace)
            widgets.append(detail)
            detail.show()
            detail.load(rx.id)
            await until(lambda: detail.record is not None)
            await conn.services.prescriptions.cancel(rx.id)  # someone else, meanwhile
            assert detail.badge.text() == "Active"

            detail.write_actions.cancel_button.click()
            await answer("Cancel prescription", "Cancel prescription")
            box = await answer("Not canceled", "OK")
            text = box.findChild(QWidget, "qt_msgbox_label").text()  # type: ignore[union-attr]
            assert text == "This prescription was already canceled; nothing was changed."
            await until(lambda: detail.badge.text() == "Canceled")
            assert not detail.write_actions.cancel_button.isVisible()

    arun(scenario(), timeout=60)


def test_a_sign_out_while_a_template_saves_from_the_form_waits_for_its_answer(
    arun: Run, sandbox: Any, widgets: list[QWidget], caplog: pytest.LogCaptureFixture
) -> None:
    """The template's dialog is the form's child: closing the form mid-save ended the save
    unanswered (and its task then touched deleted widgets). The form now waits, as it does for
    its own send, and the template's answer is shown."""
    caplog.set_level(logging.WARNING)

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, editor = await ready_form(conn, widgets, offset=42)
            await choose(editor, "atorva")
            fill(editor)
            form.template_button.click()
            await until(lambda: form.template_editor is not None)
            template = form.template_editor
            assert template is not None
            await until(lambda: template.unit.count() > 5)
            template.name.setText("Saved while signing out")
            before = writes(sandbox)
            sandbox.set_faults(latency_ms=800, operations=["CreatePrescriptionTemplate"])
            template.save_button.click()
            await until(lambda: template.saving)
            await conn.session.sign_out()
            assert not gone(form)  # still waiting for the template's answer
            await until(lambda: not shiboken6.isValid(template) or not template.saving, 10)
            sandbox.reset_faults()
            # Whatever Photon answered (saved, or refused once the sign-in ended), it is shown:
            # a saved template closes its dialog; a refused one says why in it.
            saved = new_writes(sandbox, before).get("createPrescriptionTemplate", 0)
            if saved:
                await until(lambda: gone(template))
            else:
                assert shiboken6.isValid(template) and template.message.text()

    arun(scenario(), timeout=60)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@BROUGHT_FORWARD
def test_prescribing_twice_from_a_patient_refreshes_the_patient_once_per_send(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    """ "Prescribe" pressed again brings the same form forward; the patient page does not follow
    it a second time (one refresh per send, not one per press)."""

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient_id, _name = await first_patient(conn, offset=23)
            detail = PatientDetail(conn.workspace)
            widgets.append(detail)
            detail.show()
            detail.load(patient_id)
            await until(lambda: detail.patient is not None)
            refreshes: list[None] = []
            detail.refresh = lambda: refreshes.append(None)  # type: ignore[method-assign]

            detail.chart_actions.prescribe_button.click()
            form = await window_of(PrescriptionForm)
            widgets.append(form)
            detail.chart_actions.prescribe_button.click()
            detail.chart_actions.prescribe_button.click()
            assert open_windows(PrescriptionForm) == [form]
            editor = form.editors[0]
            await until(lambda: editor.unit.count() > 1 and form.patient is not None)
            await choose(editor, "metformin")
            fill(editor)
            assert form.review()
            form.send_button.click()
            await until(lambda: form.created)
            await settle(0.1)
            assert len(refreshes) == 1

    arun(scenario(), timeout=60)
