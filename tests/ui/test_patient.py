"""The patient detail against the running sandbox: one request for the whole record, links into
prescriptions and orders, removals after a non-blocking confirmation, and unavailable parts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from ui_support import Connection, next_emission, until

from photon_desktop.domain import Name, Patient, Sex
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.formatting import fmt_phone
from photon_desktop.ui.common.states import State
from photon_desktop.ui.patients.detail import PatientDetail
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]


async def graphql(sandbox: Any, query: str, variables: dict[str, Any] | None = None) -> Any:
    async with httpx.AsyncClient(timeout=10) as web:
        answer = await web.post(
            sandbox.graphql_url,
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {sandbox.m2m_token()}"},
        )
    body = answer.json()
    assert not body.get("errors"), body
    return body["data"]


async def patient_with_allergies_and_pharmacies(sandbox: Any) -> str:
    """A new patient of this test's own (two allergies, two preferred pharmacies)."""
    data = await graphql(sandbox, "{ allergens { id } pharmacies(first: 2) { id } }")
    allergens = [a["id"] for a in data["allergens"][:2]]
    pharmacies = [p["id"] for p in data["pharmacies"][:2]]
    created = await graphql(
        sandbox,
        """mutation($a: [AllergenInput], $p: [ID]) {
             createPatient(name: {first: "Detail", last: "Testpatient"}, dateOfBirth: "1980-02-03",
                           sex: FEMALE, phone: "+12025550143", allergies: $a,
                           preferredPharmacies: $p) { id } }""",
        {"a": [{"allergenId": a} for a in allergens], "p": pharmacies},
    )
    return str(created["createPatient"]["id"])


async def seeded_patient_with_history(conn: Connection) -> Patient:
    page = await conn.services.patients.search(None, first=40)
    for summary in page.items:
        patient = await conn.services.patients.get(summary.id)
        if patient.prescriptions and patient.orders:
            return patient
    raise AssertionError("no seeded patient with prescriptions and orders")


def make_detail(widgets: list[QWidget], workspace: Workspace) -> PatientDetail:
    detail = PatientDetail(workspace)
    detail.resize(700, 900)
    detail.show()
    widgets.append(detail)
    return detail


def test_the_whole_record_from_one_request_with_links(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any, qtmodeltester: ModelTester
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            expected = await seeded_patient_with_history(conn)
            detail = make_detail(widgets, conn.workspace)
            before = len(conn.services.request_log.entries)
            detail.load(expected.id)
            assert detail.state.state is State.LOADING
            (shown,) = await next_emission(detail.loaded)
            assert shown.id == expected.id
            requests = conn.services.request_log.entries[before:]
            assert [r.operation for r in requests] == ["GetPatient"]
            assert detail.title.text() == expected.name.full
            assert detail.fields.text("Photon ID") == expected.id
            assert detail.fields.text("Phone") == fmt_phone(expected.phone)
            assert detail.prescriptions_model.rowCount() == len(expected.prescriptions)
            assert detail.orders_model.rowCount() == len(expected.orders)
            state = detail.prescriptions_model.index(0, 1).data()
            assert state == expected.prescriptions[0].state.value.capitalize()
            for model in (
                detail.prescriptions_model,
                detail.orders_model,
                detail.allergies_model,
                detail.pharmacies_model,
                detail.medications_model,
            ):
                qtmodeltester.check(model)
            opened: list[str] = []
            detail.open_prescription.connect(opened.append)
            detail.open_order.connect(opened.append)
            detail.prescriptions_table.doubleClicked.emit(detail.prescriptions_model.index(0, 0))
            detail.orders_table.activated.emit(detail.orders_model.index(0, 0))
            assert opened == [expected.prescriptions[0].id, expected.orders[0].id]
            # M2M may edit patients: the Edit button is there and enabled.
            assert detail.edit_button.isEnabled()
        finally:
            await conn.aclose()

    arun(scenario())


def test_remove_an_allergy_after_confirming_and_cancel_keeps_it(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any, qapp: QApplication
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            patient_id = await patient_with_allergies_and_pharmacies(sandbox)
            detail = make_detail(widgets, conn.workspace)
            detail.load(patient_id)
            await next_emission(detail.loaded)
            assert detail.allergies_model.rowCount() == 2
            assert not detail.remove_allergy_button.isEnabled()  # nothing selected yet
            detail.allergies_table.selectRow(0)
            assert detail.remove_allergy_button.isEnabled()
            doomed = detail.allergies_model.item(0).allergen

            def question() -> QMessageBox | None:
                boxes = [w for w in detail.findChildren(QMessageBox) if w.isVisible()]
                return boxes[0] if boxes else None

            # Cancel: nothing is sent, the allergy stays.
            detail.remove_allergy_button.click()
            await until(question)
            box = question()
            assert box is not None and doomed.name in box.text()
            box.escapeButton().click()  # Cancel, as Esc would
            await until(lambda: question() is None)
            await asyncio.sleep(0.05)
            assert detail.allergies_model.rowCount() == 2

            # Confirm: removed on the server, the detail shows the returned record.
            detail.allergies_table.selectRow(0)
            detail.remove_allergy_button.click()
            await until(question)
            box = question()
            assert box is not None
            remove = next(
                b
                for b in box.buttons()
                if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
            )
            remove.click()
            (changed,) = await next_emission(detail.changed)
            assert [a.allergen.id for a in changed.allergies] != [doomed.id]
            assert doomed.id not in [a.allergen.id for a in changed.allergies]
            assert detail.allergies_model.rowCount() == 1
            again = await conn.services.patients.get(patient_id)
            assert doomed.id not in [a.allergen.id for a in again.allergies]

            # The same for a preferred pharmacy; a failed removal can be tried again.
            detail.pharmacies_table.selectRow(1)
            pharmacy = detail.pharmacies_model.item(1)
            sandbox.fail_next(
                {"kind": "status", "status": 500, "operation": "RemovePatientPreferredPharmacy"}
            )
            detail.remove_pharmacy_button.click()
            await until(question)
            box = question()
            assert box is not None
            next(
                b
                for b in box.buttons()
                if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
            ).click()
            await until(lambda: "Remove pharmacy failed" in detail.notice.text(), 20)
            assert detail.pharmacies_table.selectionModel().hasSelection()
            assert detail.remove_pharmacy_button.isEnabled()
            assert detail.pharmacies_model.rowCount() == 2
            detail.remove_pharmacy_button.click()
            await until(question)
            box = question()
            assert box is not None and pharmacy.name in box.text()
            next(
                b
                for b in box.buttons()
                if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
            ).click()
            await next_emission(detail.changed)
            assert [p.id for p in detail.patient.preferred_pharmacies] == [  # type: ignore[union-attr]
                detail.pharmacies_model.item(0).id
            ]
            assert pharmacy.id not in [p.id for p in detail.patient.preferred_pharmacies]  # type: ignore[union-attr]
        finally:
            await conn.aclose()

    arun(scenario())


def test_unavailable_parts_show_their_reason(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            detail = make_detail(widgets, conn.workspace)
            reason = "Your sign-in does not allow you to see prescriptions."
            detail.show_record(
                Patient(
                    id="pat_x",
                    name=Name("Ada", "Lovelace", "Ada Lovelace"),
                    date_of_birth=date(1990, 1, 2),
                    sex=Sex.FEMALE,
                    phone="+12025550100",
                    unavailable={"prescriptions": reason},
                )
            )
            assert detail.prescriptions.reason.isVisible()
            assert detail.prescriptions.reason.text() == reason
            assert not detail.prescriptions.content.isVisible()
            assert detail.orders.empty.isVisible() and detail.orders.empty.text() == "No orders."
        finally:
            await conn.aclose()

    arun(scenario())


def test_a_missing_patient_says_so(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            detail = make_detail(widgets, conn.workspace)
            detail.load("pat_doesnotexist")
            await until(
                lambda: (
                    detail.state.state is State.EMPTY
                    and "does not exist" in detail.state.label.text()
                )
            )
        finally:
            await conn.aclose()

    arun(scenario())


def test_a_removal_answering_after_the_user_moved_on_leaves_them_where_they_are(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    """Remove an allergy of patient A on a slow server, then choose patient B: when the removal
    answers, B stays shown and selected (it pulled the list and the detail back to A)."""
    from ui_support import m2m_window
    from write_support import answer, new_writes, writes

    async def scenario() -> None:
        async with m2m_window(sandbox, widgets) as (conn, window):
            page = window.patients
            rows = page.list
            await until(lambda: rows.model is not None and rows.model.rowCount() > 2)
            assert rows.model is not None
            with_allergy = None
            for row in range(min(rows.model.rowCount(), 25)):
                candidate = await conn.services.patients.get(rows.model.item(row).id)
                if candidate.allergies:
                    with_allergy = row
                    break
            assert with_allergy is not None
            other = 0 if with_allergy != 0 else 1
            a_id, b_id = rows.model.item(with_allergy).id, rows.model.item(other).id
            rows.table.selectRow(with_allergy)
            detail = page.detail
            await until(lambda: detail.patient is not None and detail.patient.id == a_id)
            detail.allergies_table.selectRow(0)
            sandbox.set_faults(latency_ms=800, operations=["RemovePatientAllergy"])
            before = writes(sandbox)
            detail.remove_allergy_button.click()
            await answer("Remove allergy", "Remove allergy")
            rows.table.selectRow(other)  # while the removal is out
            await until(lambda: detail.patient is not None and detail.patient.id == b_id)
            await until(lambda: new_writes(sandbox, before) == {"removePatientAllergy": 1}, 5)
            await until(lambda: not tasks.running(detail), 5)  # its answer is handled
            sandbox.reset_faults()
            assert detail.patient is not None and detail.patient.id == b_id
            current = rows.current_patient()
            assert current is not None and current.id == b_id

    arun(scenario(), timeout=60)
