"""Defects a clinic user met walking through the patient screens, against the sandbox: long names,
unsaved edits, duplicates, server-like validation, search by name + date of birth or phone, the
list following creates and edits, F5 and failures keeping the rows, copy feedback, the theme
switch, and Refresh with nothing connected."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWidget
from ui_support import Connection, fill, next_emission, settle, signed_in, until

from photon_desktop.domain import Name, NameInput, Patient, PatientInput, Sex
from photon_desktop.ui.common import preferences
from photon_desktop.ui.common.states import State
from photon_desktop.ui.main_window import MainWindow
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
}


def make_page(widgets: list[QWidget], workspace: Workspace) -> PatientsPage:
    page = PatientsPage(workspace, page_size=25)
    page.resize(1030, 700)
    page.show()
    widgets.append(page)
    return page


async def new_patient_form(
    widgets: list[QWidget], workspace: Workspace
) -> tuple[PatientsPage, PatientForm]:
    """The patients page, loaded, with its New patient form open."""
    page = make_page(widgets, workspace)
    await next_emission(page.first_page_loaded)
    page.new_patient()
    assert page.form is not None
    return page, page.form


async def answer(box_of: Callable[[], QMessageBox | None], text: str) -> None:
    """Click the button labelled ``text`` on the question box once it shows."""
    await until(lambda: (box := box_of()) is not None and box.isVisible())
    box = box_of()
    assert box is not None
    button = next(b for b in box.buttons() if b.text() == text)
    button.click()


def test_a_huge_name_is_capped_in_the_form_and_elided_in_the_detail(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            page, form = await new_patient_form(widgets, conn.workspace)
            width = form.width()
            first = form.fields["first"].editor
            assert isinstance(first, QLineEdit)
            first.setText("x" * 10_000)  # a paste
            assert len(first.text()) == 100
            await settle()
            assert form.width() == width
            form.reject()
            await answer(lambda: form.leave_box, "Discard changes")

            patient = await conn.services.patients.get(page.list.model.item(0).id)  # type: ignore[union-attr]
            long = Name(first="A" * 5000, last="B" * 5000, full="A" * 5000 + " " + "B" * 5000)
            before = page.width()
            page.detail.show_record(Patient(**{**_fields(patient), "name": long}))
            await settle()
            assert page.width() == before
            assert page.detail.title.elided()
            assert page.detail.title.toolTip() == long.full

    arun(scenario())


def _fields(patient: Patient) -> dict[str, Any]:
    return {name: getattr(patient, name) for name in patient.__struct_fields__}


def test_leaving_a_form_with_edits_asks_and_keeps_them_unless_discarded(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            _page, form = await new_patient_form(widgets, conn.workspace)
            fill(form, first="Rosalind")
            QTest.keyClick(form, Qt.Key.Key_Escape)
            await answer(lambda: form.leave_box, "Keep editing")
            await settle()
            assert form.isVisible() and form.fields["first"].value() == "Rosalind"
            form.close()  # the window's close button asks too
            await answer(lambda: form.leave_box, "Discard changes")
            await until(lambda: not form.isVisible())

    arun(scenario())


def test_many_errors_and_what_the_server_would_refuse(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            _page, form = await new_patient_form(widgets, conn.workspace)
            fill(
                form,
                first="Ada\tMay",
                last="Lovelace",
                dob="1850-01-01",
                phone="0123456789",
                email="adà@example.com",
                street1="1 Main St",
                city="Boston",
                state="MA",
                zip="٠٢١١٥",
            )
            form.save_button.click()
            await settle()
            assert {k for k, f in form.fields.items() if f.error} == {
                "first", "dob", "sex", "phone", "email", "zip",
            }  # fmt: skip
            message = form.fields["zip"].message
            assert message.isVisible()
            # Not clipped: the whole wrapped text has room, inside the dialog.
            assert message.height() >= message.heightForWidth(message.width())
            bottom = message.mapTo(form, message.rect().bottomLeft()).y()
            assert bottom <= form.height()
            assert form.fields["first"].value() == "Ada\tMay"  # nothing typed is lost

    arun(scenario())


def test_a_duplicate_is_caught_and_the_existing_patient_opened(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            existing = await conn.services.patients.create(
                PatientInput(
                    name=NameInput("Dorothy", "Hodgkin"),
                    date_of_birth=date(1910, 5, 12),
                    sex=Sex.FEMALE,
                    phone="+12025550166",
                )
            )
            page, form = await new_patient_form(widgets, conn.workspace)
            fill(form, first="dorothy", last="HODGKIN", dob="1910-05-12", sex="FEMALE",
                 phone="(202) 555-0100")  # fmt: skip
            creates = conn.services.request_log.entries
            before = sum(1 for e in creates if e.operation == "CreatePatient")
            form.save_button.click()
            await until(lambda: form.duplicate_box is not None)
            assert "date of birth" in form.duplicate_box.text()  # type: ignore[union-attr]
            await answer(lambda: form.duplicate_box, "Open existing")
            await until(lambda: page.detail.record is not None
                        and page.detail.record.id == existing.id)  # fmt: skip
            after = sum(
                1 for e in conn.services.request_log.entries if e.operation == "CreatePatient"
            )
            assert after == before  # nothing was created

    arun(scenario(), timeout=40)


def test_search_by_name_and_date_of_birth_or_phone(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            page = make_page(widgets, conn.workspace)
            await next_emission(page.first_page_loaded)
            assert "date of birth or phone" in page.list.search.placeholderText()
            target = page.list.model.item(2)  # type: ignore[union-attr]
            last = target.name.last
            born = target.date_of_birth
            page.list.set_search(f"{last} {born.strftime('%m/%d/%Y')}")
            await next_emission(page.first_page_loaded)
            shown = page.list.model.items()  # type: ignore[union-attr]
            assert target.id in [p.id for p in shown]
            assert all(p.date_of_birth == born for p in shown)
            page.list.set_search(f"{last} {target.phone}")
            await next_emission(page.first_page_loaded)
            shown = page.list.model.items()  # type: ignore[union-attr]
            assert target.id in [p.id for p in shown]
            assert all(p.phone == target.phone for p in shown)

    arun(scenario())


def test_the_list_follows_creates_and_edits_and_f5_keeps_the_rows(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            page = make_page(widgets, conn.workspace)
            await next_emission(page.first_page_loaded)

            # Created: selected in the list and shown in the detail.
            page.new_patient()
            form = page.form
            assert form is not None
            fill(form, **{**GOOD, "first": "Barbara", "last": "McClintock"})
            form.save_button.click()
            (saved,) = await next_emission(form.saved, within=15)
            await until(lambda: (p := page.list.current_patient()) is not None and p.id == saved.id)
            assert page.detail.record is not None and page.detail.record.id == saved.id

            # Edited out of the search: the row leaves the filtered list.
            page.list.set_search("McClintock")
            await next_emission(page.first_page_loaded)
            assert saved.id in [p.id for p in page.list.model.items()]  # type: ignore[union-attr]
            page.edit_patient()
            form = page.form
            assert form is not None
            fill(form, last="Franklin")
            form.save_button.click()
            await next_emission(form.saved, within=15)
            assert saved.id not in [p.id for p in page.list.model.items()]  # type: ignore[union-attr]

            # F5 keeps the rows while reloading; a failed reload keeps them with a banner.
            page.list.clear_search()
            await next_emission(page.first_page_loaded)
            rows = page.list.model.rowCount()  # type: ignore[union-attr]
            sandbox.set_faults(error_rate=1.0)
            page.refresh()
            assert page.list.stack.currentWidget() is page.list.table
            await until(lambda: page.list.banner.isVisible(), within=20)
            assert "Could not refresh" in page.list.banner.text()
            assert page.list.model.rowCount() == rows  # type: ignore[union-attr]
            assert page.list.state.state is not State.ERROR
            sandbox.reset_faults()
            page.list.banner_retry.click()
            await until(lambda: not page.list.banner.isVisible())

    arun(scenario(), timeout=60)


def test_window_copy_feedback_theme_switch_and_refresh_without_connection(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any, qapp: QApplication
) -> None:
    from photon_desktop.ui.common.theme import Theme

    async def scenario() -> None:
        theme = Theme(qapp, forced="light")
        conn = Connection(sandbox, Workspace())
        try:
            window = MainWindow(conn.workspace)
            window.show()
            widgets.append(window)
            assert not window.refresh_action.isEnabled()  # nothing connected
            assert not window.patients.list.refresh_button.isEnabled()
            assert "connect" in window.refresh_action.toolTip().lower()
            await conn.as_m2m()
            await next_emission(window.patients_page_shown)
            assert window.refresh_action.isEnabled()
            assert window.patients.list.refresh_button.isEnabled()

            table = window.patients.list.table
            table.selectRow(0)
            window.patients.list.copy_current_id()
            copied = QGuiApplication.clipboard().text()
            assert copied.startswith("pat_")
            assert window.statusBar().currentMessage() == f"Copied patient ID {copied}"

            window.theme_actions["dark"].trigger()
            assert theme.dark and preferences.THEME.get() == "dark"
            window.theme_actions["dark"].trigger()
            theme.force("light")
            again = MainWindow(conn.workspace)  # the next start applies the remembered scheme
            widgets.append(again)
            assert again.theme_actions["dark"].isChecked()
            assert theme.dark  # at once: before the window is first shown
            again.theme_actions["system"].trigger()
            assert preferences.THEME.get() == "system"
        finally:
            theme.setParent(None)
            await conn.aclose()

    arun(scenario())
