"""Creating and editing patients against the running sandbox: validation marks (ours and the
server's), a failed save that keeps what was typed, no double submit, and the saved record shown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from ui_support import Connection, fill, next_emission, until

from photon_desktop.domain import NameInput, PatientInput, Sex
from photon_desktop.ui.patients.form import PatientForm
from photon_desktop.ui.patients.list import PatientsPage
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]


GOOD = {
    "first": "Rosalind",
    "last": "Franklin",
    "dob": "07/25/1980",
    "sex": "FEMALE",
    "phone": "(202) 555-0188",
    "email": "rosalind@example.com",
    "street1": "1 Helix Way",
    "city": "Boston",
    "state": "MA",
    "zip": "02115",
}


def marked(form: PatientForm) -> set[str]:
    return {key for key, field in form.fields.items() if field.error}


def operations(conn: Connection, name: str) -> int:
    return sum(1 for e in conn.services.request_log.entries if e.operation == name)


def make_page(widgets: list[QWidget], workspace: Workspace) -> PatientsPage:
    page = PatientsPage(workspace, page_size=25)
    page.resize(1100, 700)
    page.show()
    widgets.append(page)
    return page


def test_client_side_validation_marks_each_bad_field_and_sends_nothing(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            page = make_page(widgets, conn.workspace)
            await next_emission(page.first_page_loaded)
            page.new_patient()
            form = page.form
            assert form is not None and form.isVisible()
            form.save_button.click()
            assert marked(form) == {"first", "last", "dob", "sex", "phone"}
            first = form.fields["first"]
            assert first.message.isVisible() and first.message.text() == "Enter the first name."
            assert first.editor.accessibleDescription() == "Enter the first name."
            assert "border: 2px solid" in first.editor.styleSheet()
            assert form.banner.text() == "Please correct the 5 marked fields."

            tomorrow = (date.today() + timedelta(days=1)).isoformat()
            fill(form, **{**GOOD, "dob": tomorrow, "zip": "2115", "email": "not-an-email"})
            form.save_button.click()
            assert marked(form) == {"dob", "zip", "email"}
            assert "future" in form.fields["dob"].message.text()
            # Typing into a marked field clears its mark.
            fill(form, zip="02115")
            assert "zip" not in marked(form)

            # A ZIP from another state is refused here, as a new order would refuse it later.
            fill(form, **{**GOOD, "state": "NY"})
            form.save_button.click()
            assert marked(form) == {"zip"}
            assert form.fields["zip"].message.text() == "ZIP 02115 is in MA, not NY."
            fill(form, zip="00000")
            form.save_button.click()
            assert form.fields["zip"].message.text() == "00000 is not a known US ZIP code."
            assert form.fields["zip"].value() == "00000"  # kept to correct
            assert operations(conn, "CreatePatient") == 0
        finally:
            await conn.aclose()

    arun(scenario())


def test_server_refusal_marks_the_field_and_keeps_the_form(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            page = make_page(widgets, conn.workspace)
            await next_emission(page.first_page_loaded)
            page.new_patient()
            form = page.form
            assert form is not None
            # Only Photon knows which external IDs are taken.
            taken = "EXT-TAKEN-1"
            await conn.services.patients.create(
                PatientInput(
                    name=NameInput("Other", "Owner"),
                    date_of_birth=date(1970, 1, 1),
                    sex=Sex.MALE,
                    phone="+12025550177",
                    external_id=taken,
                )
            )
            fill(form, **{**GOOD, "external_id": taken})
            form.save_button.click()
            assert not form.save_button.isEnabled()
            await until(lambda: form.fields["external_id"].error is not None)
            field = form.fields["external_id"]
            assert "already used" in (field.error or "")
            assert field.editor.accessibleDescription() == field.error
            # The banner says the error's own message, once.
            banner = form.banner.text()
            assert banner.startswith("Photon did not accept some of the details.")
            assert banner.count("Photon did not accept") == 1 and "refused" not in banner
            assert form.isVisible() and form.save_button.isEnabled()
            assert form.fields["first"].value() == "Rosalind"
            assert form.fields["zip"].value() == "02115"
        finally:
            await conn.aclose()

    arun(scenario())


def test_a_failed_save_keeps_what_was_typed_then_saves_once_and_shows_it(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            page = make_page(widgets, conn.workspace)
            await next_emission(page.first_page_loaded)
            page.new_patient()
            form = page.form
            assert form is not None
            fill(form, **GOOD)
            # The create (not the duplicate check before it) meets a 503.
            search = conn.services.patients.search

            async def search_then_fail(*args: Any, **kwargs: Any) -> Any:
                page = await search(*args, **kwargs)
                sandbox.fail_next({"kind": "status", "status": 503})
                return page

            conn.services.patients.search = search_then_fail  # type: ignore[method-assign]
            form.save_button.click()
            await until(lambda: form.banner.text().startswith("Not saved"))
            conn.services.patients.search = search  # type: ignore[method-assign]
            assert form.isVisible()
            assert {k: form.fields[k].value() for k in GOOD} == GOOD
            assert form.save_button.isEnabled()

            # Slow answers: Save is disabled in flight and a second click sends nothing.
            sandbox.set_faults(latency_ms=400)
            before = operations(conn, "CreatePatient")
            form.save_button.click()
            assert not form.save_button.isEnabled() and form.saving
            form.submit()
            QTest.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
            (saved,) = await next_emission(form.saved, within=15)
            sandbox.reset_faults()
            assert operations(conn, "CreatePatient") - before == 1
            assert saved.name.first == "Rosalind" and saved.phone == "+12025550188"
            await until(lambda: not form.isVisible())
            assert page.detail.patient is not None and page.detail.patient.id == saved.id
            assert page.detail.title.text() == saved.name.full
            assert page.detail.fields.text("Address").startswith("1 Helix Way")
        finally:
            await conn.aclose()

    arun(scenario(), timeout=40)


def test_edit_shows_the_saved_record_in_the_detail_and_the_list(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            page = make_page(widgets, conn.workspace)
            await next_emission(page.first_page_loaded)
            table = page.list.table
            table.selectRow(3)
            target = page.list.current_patient()
            assert target is not None
            await next_emission(page.detail.loaded)
            page.detail.edit_button.click()
            form = page.form
            assert form is not None and form.windowTitle() == "Edit patient"
            assert form.fields["first"].value() == target.name.first
            new_email = f"edited.{target.id.lower()}@example.com"
            fill(form, email=new_email, gender="Non-binary")
            form.save_button.click()
            (saved,) = await next_emission(form.saved, within=15)
            assert saved.email == new_email and saved.gender == "Non-binary"
            assert page.detail.fields.text("Email") == new_email
            assert page.detail.fields.text("Gender") == "Non-binary"
            row = page.list.model.find_row(lambda p: p.id == target.id)  # type: ignore[union-attr]
            assert page.list.model.item(row).email == new_email  # type: ignore[union-attr]
            fresh = await conn.services.patients.get(target.id)
            assert fresh.email == new_email

            # Emptying the email and gender removes them: not "saved" while they stay.
            page.detail.edit_button.click()
            form = page.form
            assert form is not None and form.fields["email"].value() == new_email
            fill(form, email="", gender="")
            form.save_button.click()
            (saved,) = await next_emission(form.saved, within=15)
            assert saved.email is None and saved.gender is None
            assert page.detail.fields.text("Email") != new_email
            assert page.detail.fields.text("Gender") != "Non-binary"
            fresh = await conn.services.patients.get(target.id)
            assert (fresh.email, fresh.gender) == (None, None)
        finally:
            await conn.aclose()

    arun(scenario(), timeout=30)


def test_escape_closes_the_form_unless_saving(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            page = make_page(widgets, conn.workspace)
            await next_emission(page.first_page_loaded)
            page.new_patient()
            form = page.form
            assert form is not None and form.isVisible()
            QTest.keyClick(form, "\x1b")  # Esc
            await asyncio.sleep(0)
            assert not form.isVisible()
        finally:
            await conn.aclose()

    arun(scenario())
