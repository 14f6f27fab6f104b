"""The patient form's submission id, against the running sandbox: a lost answer is reported once
with where to check, and a resend after editing a field reuses the form's externalId (one patient,
never two) without putting the app's id in the clinic's External ID field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget
from ui_support import Connection, fill, next_emission, until

from photon_desktop.services import is_app_external_id
from photon_desktop.ui.patients.form import PatientForm
from photon_desktop.ui.patients.list import PatientsPage
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]

PERSON = {
    "first": "Barbara",
    "last": "Mcclintock",
    "dob": "06/16/1982",
    "sex": "FEMALE",
    "phone": "(202) 555-0142",
}


async def open_form(sandbox: Any, widgets: list[QWidget]) -> tuple[Connection, PatientsPage]:
    conn = Connection(sandbox, Workspace())
    await conn.as_m2m()
    page = PatientsPage(conn.workspace, page_size=25)
    page.show()
    widgets.append(page)
    await next_emission(page.first_page_loaded)
    page.new_patient()
    assert page.form is not None
    return conn, page


def after_duplicate_check(conn: Connection, faults: list[dict[str, Any]]) -> Callable[[], None]:
    """Queue ``faults`` for the requests after the form's duplicate search; returns an undo."""
    search = conn.services.patients.search
    armed = [True]

    async def search_then_fail(*args: Any, **kwargs: Any) -> Any:
        page = await search(*args, **kwargs)
        if armed[0]:
            armed[0] = False
            conn.sandbox.fail_next(*faults)
        return page

    conn.services.patients.search = search_then_fail  # type: ignore[method-assign]

    def undo() -> None:
        conn.services.patients.search = search  # type: ignore[method-assign]

    return undo


def test_a_lost_answer_then_a_resend_after_an_edit_saves_one_patient(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn, page = await open_form(sandbox, widgets)
        try:
            form = page.form
            assert form is not None
            fill(form, **PERSON)
            # The create happens but its answer is lost, and every check read fails (3 tries).
            undo = after_duplicate_check(
                conn, [{"kind": "drop_after"}] + [{"kind": "status", "status": 503}] * 3
            )
            form.save_button.click()
            await until(lambda: form.banner.isVisible() and form.save_button.isEnabled(), 20)
            undo()
            text = form.banner.text()
            assert "could not check whether it was saved" in text
            assert text.count("Check the patient list") == 1
            assert "before saving again" not in text
            # The app's id is not typed into the clinic's field.
            assert form.fields["external_id"].value() == ""

            # The user changes a field and saves again, even past the duplicate warning (the
            # lost save did create her): the same submission, so still one patient.
            fill(form, email="barbara@example.com")
            form.save_button.click()
            await until(lambda: form.duplicate_box is not None)
            box = form.duplicate_box
            assert box is not None
            next(b for b in box.buttons() if b.text() == "Create anyway").click()
            (saved,) = await next_emission(form.saved, within=20)
            assert saved.external_id == form.submission_id
            assert is_app_external_id(saved.external_id)
            found = await conn.services.patients.search("Mcclintock", first=50)
            same = [p for p in found.items if p.name.first == "Barbara"]
            assert [p.id for p in same] == [saved.id]

            # Editing that patient: the clinic's field is empty, the app's id shown apart.
            edit = PatientForm(conn.workspace, saved)
            widgets.append(edit)
            assert edit.fields["external_id"].value() == ""
            assert edit.app_id_label.text() == f"Assigned by Photon Desktop: {saved.external_id}"
            unchanged = edit.validate()
            assert unchanged is not None and unchanged.external_id is None
            # The detail names it the same way, not as if the clinic had typed it.
            page.detail.show_record(saved)
            assert page.detail.fields.text("External ID") == (
                f"{saved.external_id} (assigned by Photon Desktop)"
            )
        finally:
            await conn.aclose()

    arun(scenario(), timeout=60)


def test_the_clinics_own_external_id_is_sent_as_typed(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn, page = await open_form(sandbox, widgets)
        try:
            form = page.form
            assert form is not None
            fill(form, **{**PERSON, "first": "Lise", "last": "Meitner"}, external_id="MRN-77")
            data = form.validate()
            assert data is not None and data.external_id == "MRN-77"
            fill(form, external_id="")
            data = form.validate()
            assert data is not None and data.external_id == form.submission_id
        finally:
            await conn.aclose()

    arun(scenario())
