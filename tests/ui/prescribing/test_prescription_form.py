"""Writing prescriptions against the running sandbox over HTTP, as a signed-in prescriber."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from formulary_support import exact_quantity_template
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from ui_support import Connection, settle, until
from write_support import (
    answer,
    gone,
    new_writes,
    open_windows,
    pick_first,
    shot,
    signed_in,
    window_of,
    writes,
)

from photon_desktop.domain import PrescriptionInput, PrescriptionState
from photon_desktop.ui.orders.launch import open_new_order
from photon_desktop.ui.orders.new_order import NewOrderWindow
from photon_desktop.ui.prescriptions.drafts import drafts_for, owner_of
from photon_desktop.ui.prescriptions.form import PrescriptionForm
from photon_desktop.ui.prescriptions.launch import open_prescription_form
from photon_desktop.ui.prescriptions.rx_editor import RxEditor

Run = Callable[..., Any]


async def first_patient(
    conn: Connection, offset: int = 0, *, with_address: bool = False
) -> tuple[str, str]:
    """The patient at ``offset`` in the list (``with_address``: the first from there that has an
    address, as an order needs one). The list is the shared sandbox's: other tests add patients,
    some without an address, and their random names can land at any offset."""
    page = await conn.services.patients.search(None, first=offset + (20 if with_address else 1))
    for summary in page.items[offset:]:
        if not with_address or (await conn.services.patients.get(summary.id)).address is not None:
            return summary.id, summary.name.full
    raise AssertionError("no patient with an address")


async def ready_form(
    conn: Connection, widgets: list[QWidget], offset: int = 0, *, with_address: bool = False
) -> tuple[PrescriptionForm, RxEditor]:
    patient_id, name = await first_patient(conn, offset, with_address=with_address)
    form = open_prescription_form(conn.workspace, patient_id, name)
    assert form is not None
    widgets.append(form)
    editor = form.editors[0]
    await until(lambda: editor.unit.count() > 1 and form.patient is not None)
    return form, editor


async def choose(editor: RxEditor, term: str) -> None:
    editor.search.edit.setText(term)
    editor.search.search_now()
    await pick_first(editor.search.results)
    await until(lambda: editor.treatment is not None)


def fill(editor: RxEditor, quantity: str = "30", unit: str = "Tablet") -> None:
    editor.quantity.setText(quantity)
    editor.unit.setCurrentIndex(editor.unit.findData(unit))
    editor.refills.setValue(2)
    editor.days_supply.setText("30")
    editor.instructions.setPlainText("Take 1 tablet by mouth once daily")
    editor.notes.setPlainText("Patient prefers blister packs")
    editor.diagnoses.setText("i10, E11.9")


def test_prescriber_writes_two_prescriptions_reviews_signs_and_sends(
    arun: Run, sandbox: Any, widgets: list[QWidget], scheme: str
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, first = await ready_form(conn, widgets)
            form.resize(1100, 720)

            # Nothing typed: every required field says what is missing; nothing is sent.
            before = writes(sandbox)
            assert not form.review()
            assert set(first.problems) == {"treatment", "quantity", "unit", "instructions"}
            assert "Fix the marked fields" in form.message.text()

            # Bad values are named under their fields.
            first.quantity.setText("0")
            first.days_supply.setText("ten")
            first.diagnoses.setText("E11.9, diabetes")
            assert not form.review()
            assert "greater than 0" in first.problems["quantity"]
            assert "whole number" in first.problems["days_supply"]
            assert "DIABETES" in first.problems["diagnoses"]
            assert first.not_before.minimumDate() == QDate.currentDate()  # never in the past

            # Search needs 3 letters; the newest search wins.
            first.search.edit.setText("at")
            first.search.search_now()
            assert "at least 3" in first.search.status.text()
            first.search.edit.setText("lisin")
            first.search.search_now()
            first.search.edit.setText("atorva")
            first.search.search_now()
            await until(lambda: first.search.results.count() > 0)
            await settle(0.3)
            labels = [
                first.search.results.item(i).text() for i in range(first.search.results.count())
            ]
            assert any("Atorvastatin" in t for t in labels)
            assert not any("Lisinopril" in t for t in labels)
            await pick_first(first.search.results)
            assert first.treatment is not None and "Atorvastatin" in first.treatment.name
            fill(first)

            second = form.add_card()
            await choose(second, "glucose meter")
            fill(second, quantity="1", unit="Each")
            second.dispense_as_written.setChecked(True)
            second.refills.setValue(0)
            second.diagnoses.setText("")
            assert form.tabs.count() == 2 and "Blood Glucose" in form.tabs.tabText(1)
            await settle(0.1)  # layouts settle once the search results are gone
            shot(form, f"rx-form-{scheme}")

            # Review shows exactly what will be sent.
            assert form.review()
            text = form.review_page.text.toPlainText()
            assert "Prescription 1 of 2" in text and "Prescription 2 of 2" in text
            assert "30 Tablet" in text and "2 (3 fills in total)" in text
            assert "I10, E11.9" in text and "Generic substitution permitted" in text
            assert "Dispense as written — no substitution" in text and "0 (1 fill in total)" in text
            assert "Patient prefers blister packs" in text
            assert new_writes(sandbox, before) == {}
            shot(form, f"rx-review-{scheme}")

            # Sign and send: the only write, disabled while in flight.
            form.send_button.click()
            assert not form.send_button.isEnabled()
            await until(lambda: form.created)
            assert new_writes(sandbox, before) == {"createPrescriptions": 1}
            created = form.created
            assert [rx.external_id for rx in created] == [first.external_id, second.external_id]
            atorva = await conn.services.prescriptions.get(created[0].id)
            assert atorva.fills_allowed == 3 and atorva.dispense_unit == "Tablet"
            assert atorva.effective_date == date.today() and atorva.days_supply == 30
            assert atorva.state is PrescriptionState.ACTIVE
            assert created[1].dispense_as_written is True and created[1].fills_allowed == 1
            assert "2 prescriptions signed for" in form.done_page.text()
            assert "No pharmacy has them yet: send them to one now" in form.done_page.text()
            shot(form, f"rx-sent-{scheme}")

            # A second click (or Ctrl+Return) cannot send again.
            form.send()
            await settle(0.2)
            assert new_writes(sandbox, before) == {"createPrescriptions": 1}

            # "Send to a pharmacy" opens the new order with these prescriptions ticked.
            assert form.after_button.isVisible() and form.after_button.isEnabled()
            form.after_button.click()
            order = await window_of(NewOrderWindow)
            widgets.append(order)
            await until(lambda: order.fills.count() > 0)
            assert {rx.id for rx in order.chosen_fills()} == {rx.id for rx in created}
            order.close()
            form.close()
            assert not form.isVisible()  # sent: closing asks nothing

    arun(scenario(), timeout=90)


def test_server_problems_land_on_their_fields_and_a_resend_reuses_the_external_id(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, editor = await ready_form(conn, widgets, offset=1)
            await choose(editor, "lisinopril")
            fill(editor)
            # A unit Photon does not know (as an old template could carry) passes the form's
            # check; Photon refuses it, and the message lands under the unit.
            editor.unit.addItem("Bushel", "Bushel")
            editor.unit.setCurrentIndex(editor.unit.count() - 1)
            external = editor.external_id
            before = writes(sandbox)
            assert form.review()
            form.send_button.click()
            await until(lambda: editor.problems.get("unit"))
            assert "dispenseUnit" in editor.problems["unit"]
            assert form.stack.currentWidget() is form.edit_page
            assert "did not accept" in form.message.text()

            editor.unit.setCurrentIndex(editor.unit.findData("Tablet"))
            assert form.review()
            form.send_button.click()
            await until(lambda: form.created)
            assert form.created[0].external_id == external  # the same id on the resend
            assert new_writes(sandbox, before) == {"createPrescriptions": 1}

    arun(scenario(), timeout=60)


def test_a_lost_answer_is_checked_and_a_failed_send_is_resent_once(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            # Photon saves the prescription but the answer never arrives: the form finds it
            # by its externalId and reports success, without sending again.
            form, editor = await ready_form(conn, widgets, offset=5)
            await choose(editor, "levothyroxine")
            fill(editor)
            before = writes(sandbox)
            assert form.review()
            sandbox.fail_next({"kind": "drop_after"})
            form.send_button.click()
            await until(lambda: form.created or "Not sent" in form.message.text())
            assert form.created and form.created[0].external_id == editor.external_id
            assert new_writes(sandbox, before) == {"createPrescriptions": 1}

            # The connection drops before Photon runs it. The check finds nothing, but the app
            # cannot tell that Photon will not run it yet: never "Not sent". Sign and send
            # again sends it once (the same externalId).
            other, card = await ready_form(conn, widgets, offset=6)
            await choose(card, "losartan")
            fill(card)
            before = writes(sandbox)
            assert other.review()
            sandbox.fail_next({"kind": "drop"})
            other.send_button.click()
            await until(lambda: "may still save it" in other.message.text())
            assert "Not sent" not in other.message.text()
            assert not other.created and new_writes(sandbox, before) == {}
            assert other.send_button.isEnabled() and other.send_button.text() == "Sign and send"
            other.send_button.click()
            await until(lambda: other.created)
            assert other.created[0].external_id == card.external_id
            assert new_writes(sandbox, before) == {"createPrescriptions": 1}

    arun(scenario(), timeout=60)


def test_closing_after_an_unknown_outcome_keeps_a_draft_that_cannot_make_a_second(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    """The connection drops on Sign and send and nothing is found: closing must not call the
    prescriptions unsent, and the draft it keeps sends with the same externalId."""

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, editor = await ready_form(conn, widgets, offset=31)
            await choose(editor, "losartan")
            fill(editor)
            assert form.review()
            before = writes(sandbox)
            sandbox.fail_next({"kind": "drop", "operation": "CreatePrescriptions"})
            form.send_button.click()
            await until(lambda: "may still save it" in form.message.text())
            form.close()
            question = await answer("Prescriptions not confirmed", "Keep as draft")
            assert isinstance(question, QMessageBox)
            asked = question.text()
            assert "may still save it" in asked and "Check the patient's prescriptions" in asked
            assert "have not been sent" not in asked
            await until(lambda: gone(form))
            draft = drafts_for(conn.workspace).get(owner_of(conn.workspace), form.patient_id)
            assert draft is not None and draft.items[0].external_id == editor.external_id
            assert new_writes(sandbox, before) == {}

    arun(scenario(), timeout=60)


def test_an_unknown_outcome_says_so_and_a_resend_cannot_make_a_second_prescription(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, editor = await ready_form(conn, widgets, offset=7)
            await choose(editor, "amlodipine")
            fill(editor)
            assert form.review()
            before = writes(sandbox)
            # Saved, answer lost, and every check fails too: the form cannot know.
            sandbox.fail_next({"kind": "drop_after"}, *[{"kind": "status"}] * 3)
            form.send_button.click()
            await until(lambda: "could not check whether" in form.message.text())
            assert not form.created and new_writes(sandbox, before) == {"createPrescriptions": 1}
            # Sending again carries the same externalId: Photon refuses a second record. The
            # form says it was saved already (or shows the saved one, if the service looks it
            # up after the refusal); either way nothing doubles.
            form.send_button.click()
            await until(
                lambda: (
                    bool(form.created)
                    or "already saved by an earlier attempt" in form.message.text()
                )
            )
            assert all(rx.external_id == editor.external_id for rx in form.created)
            assert new_writes(sandbox, before) == {"createPrescriptions": 1}
            saved = await conn.services.prescriptions.list(patient_id=form.patient_id, first=100)
            assert [rx.external_id for rx in saved.items].count(editor.external_id) == 1

    arun(scenario(), timeout=60)


def test_an_organization_template_fills_the_card(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, editor = await ready_form(conn, widgets, offset=8)
            editor.search.edit.setText("day")
            editor.search.search_now()
            results = editor.search.results
            await until(lambda: results.count() > 1)
            rows = [results.item(r) for r in range(results.count())]
            matches = [row.data(Qt.ItemDataRole.UserRole) for row in rows]
            headers = [row.text() for row, m in zip(rows, matches, strict=True) if m is None]
            # Templates come first, the prescriber's own apart, as Photon's web app shows them.
            assert headers[:2] == ["Personal templates", "Organization templates"]
            templates = [m for m in matches if m is not None and m.template is not None]
            assert templates and all(
                m.template.is_private == (m.group == "Personal templates") for m in templates
            )
            first_org = next(
                r
                for r, m in enumerate(matches)
                if m in templates and m.group == "Organization templates"
            )
            results.itemClicked.emit(results.item(first_org))
            match = matches[first_org]
            template = match.template
            assert template is not None and editor.treatment == template.treatment
            assert editor.quantity.text() == f"{template.dispense_quantity:g}"
            assert editor.unit.currentData() == template.dispense_unit
            assert editor.refills.value() == (template.fills_allowed or 1) - 1
            assert editor.instructions.toPlainText() == template.instructions
            assert form.review()  # a template is a complete prescription

    arun(scenario(), timeout=60)


def test_typing_searches_once_when_the_typing_pauses(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            _form, editor = await ready_form(conn, widgets, offset=9)
            await conn.services.catalog.catalogs()  # cached for the session, as in the app
            before = dict(sandbox.stats()["graphql_requests"])
            for typed in ("l", "li", "lis", "lisi", "lisin", "lisino"):
                editor.search.edit.setText(typed)  # keystrokes, faster than the debounce
            await until(lambda: editor.search.results.count() > 0)
            after = sandbox.stats()["graphql_requests"]
            asked = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k)}
            assert asked == {"SearchMedications": 1, "SearchMedicalEquipment": 1}
            texts = [
                editor.search.results.item(r).text() for r in range(editor.search.results.count())
            ]
            assert all("lisino" in t.lower() for t in texts if t.startswith("   "))

    arun(scenario(), timeout=60)


def test_a_quantity_is_sent_as_written_or_refused_with_how_to_write_it(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, editor = await ready_form(conn, widgets, offset=11)
            await choose(editor, "atorva")
            fill(editor, quantity="1,000")
            assert not form.review()
            assert "without a comma: 1000 for a thousand" in editor.problems["quantity"]
            assert editor.quantity.text() == "1,000"  # kept as typed, to correct
            for typed in ("1_000", "1e9", "1e-300"):
                editor.quantity.setText(typed)
                assert not form.review()
                assert "in digits" in editor.problems["quantity"]
            editor.quantity.setText("1000000")
            assert not form.review()
            assert "at most 100000" in editor.problems["quantity"]

            editor.quantity.setText("1000")
            assert form.review()
            assert "1000 Tablet" in form.review_page.text.toPlainText()

    arun(scenario(), timeout=60)


def test_the_review_and_a_template_show_the_exact_quantity(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            [catalog, *_] = await conn.services.catalogs.catalogs()
            data = exact_quantity_template("Zexact quantity", catalog.treatments[0].id, "Tablet")
            template = await conn.services.catalogs.create_template(catalog, data)
            try:
                form, editor = await ready_form(conn, widgets, offset=12)
                editor.search.edit.setText("Zexact")
                editor.search.search_now()
                await pick_first(editor.search.results)
                assert editor.quantity.text() == "12345.678"  # the template's, not 12345.7

                editor.quantity.setText("1.234567891")
                assert form.review()
                assert "1.234567891 Tablet" in form.review_page.text.toPlainText()
                form.send_button.click()
                await until(lambda: form.created)
                assert form.created[0].dispense_quantity == 1.234567891
                assert "1.234567891 Tablet" in form.done_page.text()
            finally:
                await conn.services.catalogs.delete_template(catalog.id, template)

    arun(scenario(), timeout=60)


def test_tab_moves_on_past_a_chosen_treatment_and_its_problem_lands_on_a_visible_control(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, editor = await ready_form(conn, widgets, offset=13)
            form.show()
            form.activateWindow()
            await choose(editor, "atorva")
            for key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                form.template_button.setFocus(Qt.FocusReason.OtherFocusReason)
                await settle(0.02)
                visited = []
                for _ in range(25):
                    QTest.keyClick(QApplication.focusWidget(), key)
                    focused = QApplication.focusWidget()
                    assert focused is not None and focused.isVisible()
                    visited.append(focused)
                # Round the window and back, never stuck on one control.
                assert editor.search.change in visited and editor.instructions in visited
                assert visited.count(form.template_button) <= 2

            # The same treatment twice: the problem's focus goes to a control the user sees.
            # Picked with the keyboard: the focus stays in the field, on "Change".
            second = form.add_card()
            QTest.keyClicks(second.search.edit, "atorva")
            results = second.search.results
            await until(lambda: results.count() > 1)
            results.setFocus(Qt.FocusReason.OtherFocusReason)
            results.setCurrentRow(1)  # row 0 is its group's heading
            QTest.keyClick(results, Qt.Key.Key_Return)
            assert second.treatment is not None
            assert QApplication.focusWidget() is second.search.change
            fill(editor)
            fill(second)
            assert not form.review()
            assert "already prescription 1" in second.problems["treatment"]
            assert QApplication.focusWidget() is second.search.change

    arun(scenario(), timeout=60)


def test_limits_and_counts_read_as_meant(arun: Run, sandbox: Any, widgets: list[QWidget]) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient_id, _ = await first_patient(conn, 14)
            found = await conn.services.catalog.medications("omeprazole", first=1)
            await conn.services.prescriptions.create_many(
                [
                    PrescriptionInput(
                        patient_id=patient_id,
                        treatment_id=found.items[0].id,
                        dispense_quantity=30,
                        dispense_unit="Capsule",
                        fills_allowed=1,
                        instructions="Take 1 capsule before breakfast",
                    )
                ]
            )
            form, editor = await ready_form(conn, widgets, offset=14)
            await until(lambda: "Omeprazole" in form.chart.active.text())
            assert "Take 1 capsule before breakfast (1 fill left)" in form.chart.active.text()

            await choose(editor, "atorva")
            fill(editor)
            editor.days_supply.setText("3651")
            assert not form.review()
            assert editor.problems["days_supply"] == (
                "Days supply is a whole number of days, from 1 to 3650."
            )
            editor.days_supply.setText("3650")
            editor.refills.setValue(1)
            assert form.review()
            form.send_button.click()
            await until(lambda: form.created)
            assert "30 Tablet, 1 refill (" in form.done_page.text()
            assert "1 prescription signed for" in form.done_page.text()
            assert "No pharmacy has it yet: send it to one now" in form.done_page.text()

    arun(scenario(), timeout=60)


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")  # offscreen
def test_send_to_a_pharmacy_twice_is_one_window_and_one_order(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    """Each new-order window has its own externalId, so two windows for the same prescriptions
    could each send an order: a second "Send to a pharmacy" brings the open one forward, and
    once it has sent, the form's done page says so and offers no second order."""
    from order_support import patient_with_new_rx

    from photon_desktop.ui.prescriptions.detail import PrescriptionDetail

    async def send(window: NewOrderWindow) -> None:
        await until(lambda: window.review_button.isEnabled() and window.fills.count() > 0)
        window.patient_radio.setChecked(True)
        assert window.review(), window.message.text()
        window.send_button.click()
        await until(lambda: window.order is not None)

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            form, editor = await ready_form(conn, widgets, offset=32, with_address=True)
            await choose(editor, "atorva")
            fill(editor)
            assert form.review()
            form.send_button.click()
            await until(lambda: bool(form.created))
            before = writes(sandbox)
            form.after_button.click()
            form.after_button.click()  # a double-click
            await settle(0.2)
            windows = open_windows(NewOrderWindow)
            widgets.extend(windows)
            assert len(windows) == 1
            await send(windows[0])
            assert new_writes(sandbox, before) == {"createOrder": 1}
            assert "Sent to a pharmacy" in form.done_page.text()
            assert windows[0].order is not None and windows[0].order.id in form.done_page.text()
            assert "No pharmacy has" not in form.done_page.text()  # no longer true
            assert not form.after_button.isEnabled()
            windows[0].close()

            # From a prescription's detail: two presses, one window.
            _, rx = await patient_with_new_rx(conn, offset=34)
            detail = PrescriptionDetail(conn.workspace)
            widgets.append(detail)
            detail.show()
            detail.load(rx.id)
            await until(lambda: detail.record is not None)
            detail.write_actions.order_button.click()
            detail.write_actions.order_button.click()
            await settle(0.2)
            windows = open_windows(NewOrderWindow)
            widgets.extend(windows)
            assert len(windows) == 1 and windows[0].patient_id == rx.patient_id

    arun(scenario(), timeout=90)


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise")  # offscreen
def test_a_prescription_signed_while_its_patients_order_window_is_open_gets_its_own(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    """The order window open for the patient does not list a prescription signed since: a
    window of its own lists it (never a window that silently leaves it out), and the form says
    it was sent only for an order that fills it."""
    from order_support import patient_with_new_rx

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient, first = await patient_with_new_rx(conn, offset=36)
            older = open_new_order(conn.workspace, patient.id, [first.id])
            assert older is not None
            widgets.append(older)
            await until(lambda: older.review_button.isEnabled() and older.fills.count() > 0)

            form = open_prescription_form(conn.workspace, patient.id, patient.name.full)
            assert form is not None
            widgets.append(form)
            editor = form.editors[0]
            await until(lambda: editor.unit.count() > 1 and form.patient is not None)
            await choose(editor, "atorva")
            fill(editor)
            assert form.review()
            form.send_button.click()
            await until(lambda: bool(form.created))
            signed = form.created[0].id
            form.after_button.click()
            await until(lambda: len(open_windows(NewOrderWindow)) == 2)
            newer = next(w for w in open_windows(NewOrderWindow) if w is not older)
            widgets.append(newer)
            await until(lambda: signed in [rx.id for rx in newer.chosen_fills()])
            assert signed not in [rx.id for rx in older.chosen_fills()]

            older.patient_radio.setChecked(True)  # the other order goes first: not the form's
            assert older.review()
            older.send_button.click()
            await until(lambda: older.order is not None)
            await settle(0.1)
            assert "Sent to a pharmacy" not in form.done_page.text()
            newer.patient_radio.setChecked(True)
            assert newer.review()
            newer.send_button.click()
            await until(lambda: "Sent to a pharmacy" in form.done_page.text())
            assert not form.after_button.isEnabled()

    arun(scenario(), timeout=90)
