"""Sending orders against the running sandbox over HTTP: pickup near a ZIP (preferred first,
saved as preferred), mail order, the patient choosing; address checks; one write per order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from order_support import patient_with_new_rx
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from ui_support import Connection, settle, tab_walk, until
from write_support import answer, gone, new_writes, shot, signed_in, writes

from photon_desktop.domain import FulfillmentType, OrderState, PrescriptionState
from photon_desktop.ui.orders.launch import open_new_order
from photon_desktop.ui.orders.new_order import NewOrderWindow

Run = Callable[..., Any]
ARABIC_INDIC_ZERO = 0x0660
ARABIC_INDIC_1000 = "\u0661\u0660\u0660\u0660"
FULL_WIDTH_02115 = "\uff10\uff12\uff11\uff11\uff15"


async def opened(conn: Connection, widgets: list[QWidget], patient_id: str, ids: list[str]):  # type: ignore[no-untyped-def]
    window = open_new_order(conn.workspace, patient_id, ids)
    assert isinstance(window, NewOrderWindow)
    window.resize(1100, 720)
    widgets.append(window)
    await until(lambda: window.picker is not None and window.fills.count() > 0)
    return window


def test_pickup_near_a_zip_saved_as_preferred(
    arun: Run, sandbox: Any, widgets: list[QWidget], scheme: str
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient, rx = await patient_with_new_rx(conn, offset=10)
            window = await opened(conn, widgets, patient.id, [rx.id])
            assert [f.id for f in window.chosen_fills()] == [rx.id]
            window.pickup_radio.setChecked(True)
            picker = window.picker
            assert picker is not None
            assert picker.zip.text() == patient.address.postal_code  # type: ignore[union-attr]

            # A typed ZIP: pharmacies around it, nearest first, with their distance.
            picker.zip.setText("10001")
            picker.search_now()
            await until(lambda: picker.list.count() > 0 and "10001" in picker.status.text())
            first = picker.list.item(0).text()
            assert "about" in first and "mi" in first
            picker.zip.setText("00000")
            picker.search_now()
            await until(lambda: "not a known US ZIP" in picker.status.text())
            picker.zip.setText("10001")
            picker.search_now()
            await until(lambda: picker.list.count() > 0 and "10001" in picker.status.text())
            already = {p.id for p in patient.preferred_pharmacies}
            rows = [picker.list.item(r) for r in range(picker.list.count())]
            fresh = next(i for i in rows if i.data(256).id not in already)
            assert not fresh.text().startswith("★")
            picker.list.setCurrentItem(fresh)
            chosen = picker.pharmacy
            assert chosen is not None
            window.save_preferred.setChecked(True)
            shot(window, f"order-new-{scheme}")

            # Address checks happen before anything is sent.
            window.address.edits["zip"].setText("1234")
            assert not window.review()
            assert "5 digits" in window.address.errors["zip"].text()
            window.address.edits["zip"].setText("10001")
            window.address.edits["state"].setText("CA")
            assert not window.review()
            assert "is in NY, not CA" in window.address.errors["zip"].text()
            window.address.set_address(patient.address)

            before = writes(sandbox)
            assert window.review()
            text = window.review_text.toPlainText()
            assert "Pickup at" in text and chosen.name in text and rx.treatment.name in text
            assert "preferred pharmacy" in text
            shot(window, f"order-review-{scheme}")
            window.send_button.click()
            assert not window.send_button.isEnabled()
            await until(lambda: window.stack.currentWidget() is window.done_text)
            order = window.order
            assert order is not None and order.pharmacy is not None
            assert order.pharmacy.id == chosen.id and order.state is OrderState.PENDING
            assert new_writes(sandbox, before) == {"createOrder": 1, "updatePatient": 1}
            window.send()  # a second press does nothing
            await settle(0.1)
            assert new_writes(sandbox, before) == {"createOrder": 1, "updatePatient": 1}
            after = await conn.services.patients.get(patient.id)
            assert chosen.id in [p.id for p in after.preferred_pharmacies]
            shot(window, f"order-sent-{scheme}")

            # The next order lists the preferred pharmacy first.
            _, rx2 = await patient_with_new_rx(conn, offset=10, drug="amlodipine")
            second = await opened(conn, widgets, patient.id, [rx2.id])
            assert second.pickup_radio.isChecked()  # the patient has a preferred pickup
            assert second.picker is not None
            await until(lambda: second.picker.list.count() > 0)  # type: ignore[union-attr]
            texts = [second.picker.list.item(r).text() for r in range(second.picker.list.count())]  # type: ignore[union-attr]
            starred = [t for t in texts if t.startswith("★ Preferred: ")]
            assert texts[: len(starred)] == starred  # preferred pharmacies come first
            assert any(t.startswith("★ Preferred: " + chosen.name) for t in starred)

    arun(scenario(), timeout=90)


def test_mail_order_and_patient_choice(arun: Run, sandbox: Any, widgets: list[QWidget]) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient, rx = await patient_with_new_rx(conn, offset=12)
            window = await opened(conn, widgets, patient.id, [rx.id])
            window.mail_radio.setChecked(True)
            mail = window.mail_picker
            assert mail is not None
            await until(lambda: mail.list.count() > 0)
            assert not mail.zip.isVisible()  # mail order has no "near"
            if mail.pharmacy is None:
                mail.list.setCurrentRow(0)
            assert mail.pharmacy is not None
            assert FulfillmentType.MAIL_ORDER in mail.pharmacy.fulfillment_types
            assert window.review() and "Mail order from" in window.review_text.toPlainText()
            window.send_button.click()
            await until(lambda: window.order is not None)
            assert window.order.pharmacy.id == mail.pharmacy.id  # type: ignore[union-attr]

            # Patient chooses: no pharmacy; the order waits for the patient.
            _, rx2 = await patient_with_new_rx(conn, offset=12, drug="omeprazole")
            other = await opened(conn, widgets, patient.id, [rx2.id])
            other.patient_radio.setChecked(True)
            for row in range(other.fills.count()):
                other.fills.item(row).setCheckState(other.fills.item(0).checkState().Unchecked)
            assert not other.review() and "at least one" in other.fills_error.text()
            for row in range(other.fills.count()):
                item = other.fills.item(row)
                if item.data(256).id == rx2.id:
                    item.setCheckState(item.checkState().Checked)
            assert other.review()
            other.send_button.click()
            await until(lambda: other.order is not None)
            assert other.order is not None and other.order.pharmacy is None
            assert other.order.state in (OrderState.PENDING, OrderState.ROUTING)

    arun(scenario(), timeout=90)


def test_a_lost_order_answer_is_found_not_sent_twice(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "staff") as staff, signed_in(sandbox, "prescriber") as doc:
            patient, rx = await patient_with_new_rx(doc, offset=14)
            window = await opened(staff, widgets, patient.id, [rx.id])
            window.patient_radio.setChecked(True)
            assert window.review()
            before = writes(sandbox)
            sandbox.fail_next({"kind": "drop_after"})
            window.send_button.click()
            await until(lambda: window.order is not None or "Not sent" in window.message.text())
            assert window.order is not None and window.order.fills[0].prescription_id == rx.id
            assert new_writes(sandbox, before) == {"createOrder": 1}

    arun(scenario(), timeout=60)


def test_closing_after_an_unknown_outcome_says_it_may_be_sent_not_unsent(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    """The connection drops on the send and the check finds nothing: the order may still be
    saved, so neither the message nor closing's question may call it unsent."""

    async def scenario() -> None:
        async with signed_in(sandbox, "staff") as staff, signed_in(sandbox, "prescriber") as doc:
            patient, rx = await patient_with_new_rx(doc, offset=23)
            window = await opened(staff, widgets, patient.id, [rx.id])
            window.patient_radio.setChecked(True)
            assert window.review()
            before = writes(sandbox)
            sandbox.fail_next({"kind": "drop", "operation": "CreateOrder"})
            window.send_button.click()
            await until(lambda: "may still save it" in window.message.text())
            assert "Not sent" not in window.message.text() and window.order is None
            # Sent again and refused this time: that proves nothing about the first send.
            sandbox.fail_next({"kind": "status", "status": 503, "operation": "CreateOrder"})
            window.send_button.click()
            await until(lambda: "503" in window.message.text())
            window.close_button.click()
            question = await answer("Discard this order?", "Keep editing")
            assert isinstance(question, QMessageBox)
            asked = question.text()
            assert "may still save it" in asked and "Check the patient's orders" in asked
            assert "has not been sent" not in asked
            await settle(0.1)
            assert not gone(window) and new_writes(sandbox, before) == {}

    arun(scenario(), timeout=60)


def test_a_handed_over_draft_prescription_is_listed_and_marked(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "staff") as conn:
            drafts = await conn.services.prescriptions.list(state=PrescriptionState.DRAFT, first=20)
            draft = next(rx for rx in drafts.items if rx.fills_remaining > 0)
            window = await opened(conn, widgets, draft.patient_id, [draft.id])
            rows = [window.fills.item(r) for r in range(window.fills.count())]
            mine = next(i for i in rows if i.data(256).id == draft.id)
            assert mine.text().startswith("Draft (activated by this order): ")
            assert [rx.id for rx in window.chosen_fills()] == [draft.id]

    arun(scenario(), timeout=60)


def test_signing_out_closes_the_new_order_unsent(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient, rx = await patient_with_new_rx(conn, offset=16)
            window = await opened(conn, widgets, patient.id, [rx.id])
            window.patient_radio.setChecked(True)
            assert window.review()
            before = writes(sandbox)
            await conn.session.sign_out()
            await until(lambda: gone(window))
            assert new_writes(sandbox, before) == {}

    arun(scenario(), timeout=60)


def test_zips_in_other_digits_are_refused_and_searching_goes_on(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    """Arabic-Indic or full-width digits look like a ZIP but are not one: they are refused with
    the ZIP message, and no such search leaves the list searching or stops later windows loading."""

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient, rx = await patient_with_new_rx(conn, offset=18)
            window = await opened(conn, widgets, patient.id, [rx.id])
            window.pickup_radio.setChecked(True)
            picker = window.picker
            assert picker is not None
            for n in range(11):  # more searches than the app has worker threads
                picker.zip.setText(ARABIC_INDIC_1000 + chr(ARABIC_INDIC_ZERO + n % 10))
                picker.search_now()
                await until(lambda: "Searching" not in picker.status.text())
                assert "Enter a 5-digit US ZIP code" in picker.status.text()
            picker.zip.setText("10001")
            picker.search_now()
            await until(lambda: picker.list.count() > 0 and "10001" in picker.status.text())
            picker.list.setCurrentRow(0)

            window.address.edits["zip"].setText(FULL_WIDTH_02115)
            window.review_button.click()
            assert window.step() == 0 and "Fix the marked fields" in window.message.text()
            assert window.address.errors["zip"].text() == (
                "A ZIP code has 5 digits, or 5+4 like 12345-6789."
            )
            assert window.address.edits["zip"].text() == FULL_WIDTH_02115  # kept to correct

            window.close()
            other, rx2 = await patient_with_new_rx(conn, offset=19)
            second = await opened(conn, widgets, other.id, [rx2.id])
            assert second.picker is not None

    arun(scenario(), timeout=90)


def test_tabbing_through_the_pharmacy_list_chooses_nothing(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    """Qt makes the first row current when the list gets the focus, without highlighting it:
    only a visible choice (arrow keys, Space, Enter, a click) is the pharmacy."""

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient, rx = await patient_with_new_rx(conn, offset=20)
            window = await opened(conn, widgets, patient.id, [rx.id])
            window.activateWindow()
            window.pickup_radio.setChecked(True)
            picker = window.picker
            assert picker is not None
            # Every search done (the ZIP filled from the patient's address starts one too): a
            # list refilled under the keys below would make its own "current row".
            await until(lambda: not picker.searching)
            assert picker.list.count() > 1, (picker.zip.text(), picker.status.text())
            picker.radius.setFocus(Qt.FocusReason.TabFocusReason)
            await until(lambda: QApplication.focusWidget() is picker.radius)
            QTest.keyClick(picker.radius, Qt.Key.Key_Tab)
            await until(lambda: QApplication.focusWidget() is picker.list)
            state = (picker.searching, picker.status.text(), picker.list.count())
            assert picker.list.currentRow() == 0, state  # Qt's focus-in, not a choice
            QTest.keyClick(picker.list, Qt.Key.Key_Tab)
            await settle(0.1)
            state = (picker.searching, picker.status.text(), picker.list.count())
            assert picker.pharmacy is None and picker.list.selectedItems() == [], state
            assert not window.review()
            assert window.pharmacy_error.text() == "Choose a pharmacy in the list."
            assert window.message.text() == "Fix the marked fields before reviewing."

            # Keys that highlight a row choose it, and with the problem fixed the marks go.
            picker.list.setFocus(Qt.FocusReason.TabFocusReason)
            await until(lambda: QApplication.focusWidget() is picker.list)
            QTest.keyClick(picker.list, Qt.Key.Key_Space)
            first = picker.list.item(0).data(256)
            assert picker.pharmacy == first and picker.list.item(0).isSelected()
            assert window.pharmacy_error.isHidden() and window.message.text() == ""
            QTest.keyClick(picker.list, Qt.Key.Key_Down)
            second = picker.list.item(1).data(256)
            assert picker.pharmacy == second and picker.list.item(1).isSelected()
            assert window.review() and second.name in window.review_text.toPlainText()

    arun(scenario(), timeout=60)


def test_tab_goes_down_the_left_column_then_the_right_then_the_buttons(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    """The pharmacy pickers are built once the patient has loaded, so they joined the window's
    focus chain last (after the address, and after "Save as preferred")."""

    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient, rx = await patient_with_new_rx(conn, offset=21)
            window = await opened(conn, widgets, patient.id, [rx.id])
            window.show()
            window.activateWindow()
            window.pickup_radio.setChecked(True)
            picker = window.picker
            assert picker is not None
            window.fills.setFocus(Qt.FocusReason.TabFocusReason)
            await until(lambda: QApplication.focusWidget() is window.fills)
            address = [window.address.edits[k] for k in ("street1", "street2", "city", "state")]
            expected = [
                window.fills,
                *address,
                window.address.edits["zip"],
                window.pickup_radio,  # the checked one of the three: arrows move between them
                picker.name,
                picker.zip,
                picker.radius,
                picker.list,
                window.save_preferred,
                window.close_button,
                window.review_button,
                window.fills,
            ]
            assert tab_walk(window.fills, len(expected) - 1) == expected
            back = tab_walk(window.fills, len(expected) - 1, Qt.Key.Key_Backtab)
            assert back == expected[::-1]

            # Mail order: its own picker (no ZIP, no radius) in the same place.
            window.mail_radio.setChecked(True)
            mail = window.mail_picker
            assert mail is not None
            window.mail_radio.setFocus(Qt.FocusReason.TabFocusReason)
            await until(lambda: QApplication.focusWidget() is window.mail_radio)
            after = [window.mail_radio, mail.name, mail.list, window.close_button]
            assert tab_walk(window.mail_radio, 3) == after

    arun(scenario(), timeout=60)


def test_a_name_that_matches_nothing_says_so_once(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient, rx = await patient_with_new_rx(conn, offset=24)
            window = await opened(conn, widgets, patient.id, [rx.id])
            window.pickup_radio.setChecked(True)
            picker = window.picker
            assert picker is not None
            picker.zip.setText("10001")
            picker.name.setText("Zzyzx")
            picker.search_now()
            await until(lambda: picker.status.text().startswith("No pharmacy"))
            # The search widened to its widest before giving up; the status says what was
            # looked for and how far, once (not "within 100 mi … (none within 25 mi)").
            assert picker.status.text() == (
                "No pharmacy matching “Zzyzx” within 100 mi of 10001 (New York, NY)."
            )

    arun(scenario(), timeout=60)


def test_esc_or_cancel_asks_before_dropping_a_chosen_pharmacy(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "prescriber") as conn:
            patient, rx = await patient_with_new_rx(conn, offset=22)
            window = await opened(conn, widgets, patient.id, [rx.id])
            window.pickup_radio.setChecked(True)
            picker = window.picker
            assert picker is not None
            await until(lambda: picker.list.count() > 0)
            picker.list.setCurrentRow(0)
            chosen = picker.pharmacy
            assert chosen is not None and window.unsent_changes
            before = writes(sandbox)

            QTest.keyClick(window, Qt.Key.Key_Escape)
            await answer("Discard this order?", "Keep editing")
            await settle(0.1)
            assert not gone(window) and picker.pharmacy == chosen

            assert window.review()  # a reviewed order is unsent work too
            window.close_button.click()
            await answer("Discard this order?", "Discard order")
            await until(lambda: gone(window))
            assert new_writes(sandbox, before) == {}

            # Nothing chosen: closes at once.
            other = await opened(conn, widgets, patient.id, [rx.id])
            assert not other.unsent_changes
            other.close_button.click()
            await until(lambda: gone(other))

    arun(scenario(), timeout=60)
