"""Adding an allergy, a medication-history entry and a preferred pharmacy from the patient page,
over HTTP as staff (``write:patient``); each save is one ``updatePatient`` and nothing is lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from ui_support import Connection, settle, until
from write_support import gone, new_writes, shot, signed_in, window_of, writes

from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.orders.list import OrdersPage
from photon_desktop.ui.patients.additions import (
    AddAllergyDialog,
    AddMedicationDialog,
    AddPharmacyDialog,
)
from photon_desktop.ui.patients.detail import PatientDetail
from photon_desktop.ui.prescriptions.list import PrescriptionsPage
from photon_desktop.ui.prescriptions.patient_chooser import PatientChooser
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]


def test_add_allergy_medication_and_pharmacy_from_the_patient_page(
    arun: Run, sandbox: Any, widgets: list[QWidget], scheme: str
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "staff") as conn:
            page = await conn.services.patients.search(None, first=40)
            summary = page.items[30]
            detail = PatientDetail(conn.workspace)
            detail.resize(1000, 760)
            detail.show()
            widgets.append(detail)
            detail.load(summary.id)
            await until(lambda: detail.patient is not None)
            actions = detail.chart_actions
            assert actions.isVisible() and actions.allergy_button.isVisible()
            shot(detail, f"patient-actions-{scheme}")
            before = writes(sandbox)
            start = detail.patient
            assert start is not None

            # Allergy: nothing chosen is refused in the dialog, then a real allergen is saved.
            actions.allergy_button.click()
            allergy = await window_of(AddAllergyDialog)
            allergy.save.click()
            await until(lambda: "choose the allergen" in allergy.message.text())
            known = {a.allergen.id for a in start.allergies}
            allergy.search.setText("a")
            await until(lambda: allergy.results.count() > 0)
            row = next(
                r
                for r in range(allergy.results.count())
                if allergy.results.item(r).data(256).id not in known
            )
            allergy.results.setCurrentRow(row)
            chosen_allergen = allergy.results.item(row).data(256)
            allergy.comment.setText("hives")
            shot(allergy, f"patient-add-allergy-{scheme}")
            allergy.save.click()
            await until(lambda: gone(allergy))
            await until(
                lambda: (
                    detail.patient is not None
                    and chosen_allergen.id in {a.allergen.id for a in detail.patient.allergies}
                )
            )
            assert known <= {a.allergen.id for a in detail.patient.allergies}  # none lost

            # Medication history, through the treatment search.
            actions.medication_button.click()
            medication = await window_of(AddMedicationDialog)
            history = {m.medication.id for m in detail.patient.medication_history}  # type: ignore[union-attr]
            medication.search.edit.setText("oral tablet")
            medication.search.search_now()
            results = medication.search.results
            await until(lambda: results.count() > 1)
            row = next(
                r
                for r in range(results.count())
                if results.item(r).data(256) is not None
                and results.item(r).data(256).treatment.id not in history
                and results.item(r).data(256).treatment.kind == "Medication"
            )
            new_id = results.item(row).data(256).treatment.id
            results.itemClicked.emit(results.item(row))
            assert medication.search.treatment is not None
            await settle(0.1)  # the layout settles once the results list is gone
            shot(medication, f"patient-add-medication-{scheme}")
            medication.save.click()
            await until(lambda: gone(medication))
            await until(
                lambda: new_id in {m.medication.id for m in detail.patient.medication_history}  # type: ignore[union-attr]
            )
            assert history < {m.medication.id for m in detail.patient.medication_history}  # type: ignore[union-attr]

            # Preferred pharmacy, from the picker around the patient's ZIP.
            actions.pharmacy_button.click()
            pharmacy = await window_of(AddPharmacyDialog)
            await until(lambda: not pharmacy.picker.searching)
            pharmacy.picker.zip.setText("10001")  # near where the patient works, say
            pharmacy.picker.search_now()
            await until(lambda: not pharmacy.picker.searching)
            assert pharmacy.picker.list.count() > 0, pharmacy.picker.status.text()
            already = {p.id for p in detail.patient.preferred_pharmacies}  # type: ignore[union-attr]
            rows = [pharmacy.picker.list.item(r) for r in range(pharmacy.picker.list.count())]
            fresh = next(i for i in rows if i.data(256).id not in already)
            pharmacy.picker.list.setCurrentItem(fresh)
            fresh_id = fresh.data(256).id
            shot(pharmacy, f"patient-add-pharmacy-{scheme}")
            pharmacy.save.click()
            await until(lambda: gone(pharmacy))
            await until(
                lambda: fresh_id in {p.id for p in detail.patient.preferred_pharmacies}  # type: ignore[union-attr]
            )
            assert new_writes(sandbox, before) == {"updatePatient": 3}

    arun(scenario(), timeout=90)


def test_ctrl_shift_p_asks_for_the_patient_first(
    arun: Run, sandbox: Any, widgets: list[QWidget], scheme: str
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            window = MainWindow(conn.workspace)
            widgets.append(window)
            window.show()
            prescribe, order = window.write_actions
            assert not prescribe.isEnabled() and not order.isEnabled()  # nobody signed in
            await conn.as_user("prescriber")
            assert prescribe.isEnabled() and order.isEnabled()
            QTest.keySequence(window, "Ctrl+Shift+P")  # no patient shown: choose one first
            chooser = await window_of(PatientChooser)
            chooser.edit.setText("a")
            chooser.search_now()
            await until(lambda: chooser.list.count() > 0)
            shot(chooser, f"patient-chooser-{scheme}")
            chooser.reject()
        finally:
            await conn.aclose()

    arun(scenario(), timeout=60)


def test_list_pages_offer_new_prescription_and_new_order_by_permission(
    arun: Run, sandbox: Any, widgets: list[QWidget], scheme: str
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox, "staff") as conn:
            rx_page = PrescriptionsPage(conn.workspace)
            orders = OrdersPage(conn.workspace)
            for page in (rx_page, orders):
                page.resize(1200, 640)
                page.show()
                widgets.append(page)
            await until(
                lambda: rx_page.list.model is not None and rx_page.list.model.rowCount() > 0
            )
            assert not rx_page.prescribe.button.isVisible()
            assert rx_page.prescribe.why.text() == (
                "Only a signed-in prescriber can write prescriptions."
            )
            assert orders.new_order.isVisible()
            await settle(0.1)
            shot(rx_page, f"prescriptions-page-staff-{scheme}")
            await conn.session.sign_out()
            await conn.as_user("prescriber")
            await until(lambda: rx_page.prescribe.button.isVisible())
            assert not rx_page.prescribe.why.isVisible()
            await until(
                lambda: rx_page.list.model is not None and rx_page.list.model.rowCount() > 0
            )
            await settle(0.1)
            shot(rx_page, f"prescriptions-page-prescriber-{scheme}")

    arun(scenario(), timeout=60)


def test_a_chart_addition_that_was_saved_is_shown_and_a_failed_one_is_sent_again_by_enter(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    """An allergy saved whose answer was lost is found and shown, never "Not saved"; after a
    real failure Enter sends again (it closed the dialog, with what was chosen); a dialog of
    the organization left behind closes."""

    async def scenario() -> None:
        async with signed_in(sandbox, "staff") as conn:
            page = await conn.services.patients.search(None, first=40)
            detail = PatientDetail(conn.workspace)
            detail.show()
            widgets.append(detail)
            detail.load(page.items[33].id)
            await until(lambda: detail.patient is not None)
            assert detail.patient is not None
            known = {a.allergen.id for a in detail.patient.allergies}

            async def allergy_dialog() -> tuple[AddAllergyDialog, Any]:
                detail.chart_actions.allergy_button.click()
                dialog = await window_of(AddAllergyDialog)
                assert QApplication.focusWidget() is dialog.search  # typing goes to the search
                QTest.keyClicks(dialog.search, "a")
                await until(lambda: dialog.results.count() > 0)
                row = next(
                    r
                    for r in range(dialog.results.count())
                    if dialog.results.item(r).data(256).id not in known
                )
                dialog.results.setCurrentRow(row)
                chosen = dialog.results.item(row).data(256)
                known.add(chosen.id)
                return dialog, chosen

            # Saved, but the answer is lost: the check finds it, the dialog closes as saved.
            dialog, chosen = await allergy_dialog()
            before = writes(sandbox)
            sandbox.fail_next({"kind": "drop_after", "operation": "AddPatientAllergies"})
            dialog.save.click()
            await until(lambda: gone(dialog))
            await until(
                lambda: chosen.id in {a.allergen.id for a in detail.patient.allergies}  # type: ignore[union-attr]
            )
            assert new_writes(sandbox, before) == {"updatePatient": 1}

            # Refused with a 503: "Not saved", and Enter (on Save again) sends it again.
            dialog, chosen = await allergy_dialog()
            before = writes(sandbox)
            sandbox.fail_next({"kind": "status", "status": 503, "operation": "AddPatientAllergies"})
            dialog.save.click()
            await until(lambda: dialog.message.text().startswith("Not saved"))
            assert dialog.save.isDefault() and QApplication.focusWidget() is dialog.save
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
            await until(lambda: gone(dialog))
            await until(
                lambda: chosen.id in {a.allergen.id for a in detail.patient.allergies}  # type: ignore[union-attr]
            )
            assert new_writes(sandbox, before) == {"updatePatient": 1}  # the 503 wrote nothing

            # Nothing matches: the list says so.
            detail.chart_actions.allergy_button.click()
            dialog = await window_of(AddAllergyDialog)
            QTest.keyClicks(dialog.search, "zzqx")
            await until(lambda: dialog.results.count() == 1)
            assert dialog.results.item(0).text() == "No allergen matches “zzqx”."
            # Another organization: the dialog (its patient is not there) closes.
            conn.workspace.environment_changed.emit()
            await until(lambda: gone(dialog))

    arun(scenario(), timeout=90)
