"""A new search or filter and the detail beside the list, against the sandbox over HTTP: the
detail shows one of the new rows or nothing, never a record the list no longer holds (a chart
left beside search results reads as one of them); a record opened from a link stays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget
from test_patients import make_page
from ui_support import Connection, next_emission, signed_in, until

from photon_desktop.domain import PrescriptionState
from photon_desktop.ui.common.states import State
from photon_desktop.ui.patients.list import PatientsPage
from photon_desktop.ui.prescriptions.list import PrescriptionsPage

Run = Callable[..., Any]


def _shows_nothing(page: PatientsPage | PrescriptionsPage) -> bool:
    detail = page.detail
    return detail.record is None and detail.record_id is None and detail.state.state is State.EMPTY


async def first_page(widgets: list[QWidget], conn: Connection) -> PatientsPage:
    """The patients page (``test_patients.make_page``) once its first page is painted."""
    page = make_page(widgets, conn.workspace)
    await next_emission(page.first_page_loaded)
    return page


async def _open_row(page: PatientsPage, row: int) -> str:
    """Pick ``row`` as the user would; its record's id once the detail shows it."""
    index = page.list.proxy.index(row, 0)
    page.list.table.setCurrentIndex(index)
    chosen = page.list.current_patient()
    assert chosen is not None
    await until(lambda: page.detail.patient is not None and page.detail.patient.id == chosen.id)
    return chosen.id


def test_a_search_that_finds_nothing_leaves_no_chart_beside_it(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            page = await first_page(widgets, conn)
            await _open_row(page, 2)
            page.list.set_search("Zzyzxq")
            await until(lambda: page.list.state.state is State.EMPTY)
            await until(lambda: _shows_nothing(page))
            assert page.detail.title.text() == ""
            assert not page.detail.header.isVisibleTo(page)  # no Prescribe, no Edit

    arun(scenario())


def test_a_search_keeps_the_chart_of_a_patient_it_finds_and_selects_that_row(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            page = await first_page(widgets, conn)
            shown = await _open_row(page, 3)
            assert page.detail.patient is not None
            page.list.set_search(page.detail.patient.name.last)
            await next_emission(page.list.refiltered)
            current = page.list.current_patient()
            assert current is not None and current.id == shown
            assert page.detail.record_id == shown and page.detail.patient is not None

            # A second search that drops that patient: the chart goes with it.
            others = [
                page.list.model.item(r)  # type: ignore[union-attr]
                for r in range(page.list.model.rowCount())  # type: ignore[union-attr]
            ]
            other = next(
                (p.name.last for p in others if p.name.last != page.detail.patient.name.last),
                "Zzyzxq",
            )
            page.list.set_search(other)
            await next_emission(page.list.refiltered)
            await until(lambda: _shows_nothing(page))

    arun(scenario())


def test_a_patient_opened_from_a_link_stays_while_the_list_first_loads(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    """The page built by a link's visit loads its list after the link opened a record that
    need not be on that first page: only a new search or filter drops the record shown."""

    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            everyone = await conn.services.patients.search(None, first=100)
            far = everyone.items[-1]
            page = PatientsPage(conn.workspace, page_size=10)
            page.resize(1100, 600)
            page.show()
            widgets.append(page)
            page.open(far.id)
            await next_emission(page.first_page_loaded)
            await until(lambda: page.detail.patient is not None)
            assert page.detail.patient is not None and page.detail.patient.id == far.id
            assert page.list.current_patient() is None  # not among the first ten rows

    arun(scenario())


def test_a_new_state_filter_drops_a_prescription_it_no_longer_lists(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        async with signed_in(sandbox) as conn:
            page = PrescriptionsPage(conn.workspace)
            page.resize(1280, 760)
            page.show()
            widgets.append(page)
            page.set_state(PrescriptionState.ACTIVE)
            await next_emission(page.list.refiltered)
            model = page.list.model
            assert model is not None and model.rowCount() > 0
            page.list.table.setCurrentIndex(page.list.proxy.index(0, 0))
            chosen = model.item(page.list.proxy.mapToSource(page.list.table.currentIndex()).row())
            await until(lambda: page.detail.record is not None)
            assert page.detail.record_id == chosen.id

            page.set_state(PrescriptionState.EXPIRED)
            await next_emission(page.list.refiltered)
            await until(lambda: _shows_nothing(page))

            # Back to all states: the list holds it again, but nothing is reopened by itself.
            page.set_state(None)
            await next_emission(page.list.refiltered)
            assert _shows_nothing(page)

    arun(scenario())
