"""The patient list against the running sandbox over HTTP: paging by scrolling, search as you type,
stale answers dropped, empty/error states, copying an id, and the permission message."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.modeltest import ModelTester
from ui_support import Connection, next_emission, until

from photon_desktop.domain import Page, PatientSummary
from photon_desktop.ui.common.states import State
from photon_desktop.ui.patients.list import PatientsPage
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]
PAGE = 25


def names(page: PatientsPage) -> list[str]:
    model = page.list.proxy
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def spy_on_searches(conn: Connection) -> list[tuple[str | None, str | None]]:
    """Record (name, after) of every search the view asks the service for."""
    asked: list[tuple[str | None, str | None]] = []
    real = conn.services.patients.search

    async def search(name: str | None = None, **kw: Any) -> Page[PatientSummary]:
        asked.append((name, kw.get("after")))
        return await real(name, **kw)

    conn.services.patients.search = search  # type: ignore[method-assign]
    return asked


def make_page(widgets: list[QWidget], workspace: Workspace) -> PatientsPage:
    page = PatientsPage(workspace, page_size=PAGE)
    page.resize(1100, 600)
    page.show()
    widgets.append(page)
    return page


def test_scrolling_loads_more_and_search_filters_on_the_server(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any, qtmodeltester: ModelTester
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            page = make_page(widgets, conn.workspace)
            await next_emission(page.first_page_loaded)
            model = page.list.model
            assert model is not None
            assert page.list.stack.currentWidget() is page.list.table
            await until(lambda: model.rowCount() >= PAGE and not model.loading)
            first = model.rowCount()
            page.list.table.scrollToBottom()
            await until(lambda: model.rowCount() > first)
            qtmodeltester.check(model)
            qtmodeltester.check(page.list.proxy)

            # Search as you type: the debounce sends one query for the whole word.
            last_name = model.item(0).name.last
            asked = spy_on_searches(conn)
            QTest.keyClicks(page.list.search, last_name)
            await next_emission(page.first_page_loaded)
            assert page.list.query == last_name
            assert [name for name, after in asked if after is None] == [last_name]  # debounced
            shown = names(page)
            assert shown and all(last_name.lower() in n.lower() for n in shown)

            # Nothing matches: the empty state says so and offers to clear the search.
            page.list.set_search("Zzyzxq")
            await until(lambda: page.list.state.state is State.EMPTY)
            assert page.list.state.label.text() == "No patients match “Zzyzxq”."
            assert page.list.state.button.text() == "Clear search"
            page.list.state.button.click()
            await next_emission(page.first_page_loaded)
            assert page.list.search.text() == "" and len(names(page)) >= PAGE
        finally:
            await conn.aclose()

    arun(scenario())


def test_a_newer_search_supersedes_a_slow_older_one(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            real = conn.services.patients.search
            release = asyncio.Event()

            async def search(name: str | None, **kw: Any) -> Page[PatientSummary]:
                answer = await real(name, **kw)
                if name == "a":
                    await release.wait()  # the older search answers last
                return answer

            conn.services.patients.search = search  # type: ignore[method-assign]
            page = make_page(widgets, conn.workspace)
            await next_emission(page.first_page_loaded)
            page.list.set_search("a")
            await asyncio.sleep(0.05)
            page.list.set_search("Zzyzxq")
            await until(lambda: page.list.state.state is State.EMPTY)
            release.set()
            await asyncio.sleep(0.2)
            assert page.list.state.state is State.EMPTY  # the stale "a" rows never appear
            assert page.list.stack.currentWidget() is page.list.state
            assert page.list.model is not None and page.list.model.rowCount() == 0
        finally:
            await conn.aclose()

    arun(scenario())


def test_failure_shows_retry_and_copy_id(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            # Every try of the first page fails (reads are retried by the API layer).
            sandbox.set_faults(error_rate=1.0)
            page = make_page(widgets, conn.workspace)
            await until(lambda: page.list.state.state is State.ERROR, within=20)
            assert page.list.state.label.text().startswith("Could not load patients")
            assert page.list.state.button.text() == "Retry"
            sandbox.reset_faults()
            page.list.state.button.click()
            await next_emission(page.first_page_loaded)
            table = page.list.table
            table.setFocus()
            table.selectRow(2)
            expected = page.list.current_patient()
            assert expected is not None
            QTest.keySequence(table, "Ctrl+C")
            assert QGuiApplication.clipboard().text() == expected.id
        finally:
            await conn.aclose()

    arun(scenario(), timeout=40)


def test_without_read_patient_the_list_says_why(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            page = make_page(widgets, conn.workspace)
            assert "Not connected" in page.list.state.label.text()
            await conn.as_m2m()
            await next_emission(page.first_page_loaded)
            conn.session.permissions = conn.session.permissions - {"read:patient"}
            conn.session.changed.emit()
            assert page.list.state.state is State.MESSAGE
            assert "see patients" in page.list.state.label.text()
            assert not page.list.table.isVisible()
        finally:
            await conn.aclose()

    arun(scenario())


def test_sorting_orders_loaded_rows(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            page = make_page(widgets, conn.workspace)
            await next_emission(page.first_page_loaded)
            page.list.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
            proxy = page.list.proxy
            births = [
                proxy.index(r, 0).data(page.list.proxy.sortRole()) for r in range(proxy.rowCount())
            ]
            dobs = [proxy.mapToSource(proxy.index(r, 0)).row() for r in range(proxy.rowCount())]
            assert page.list.model is not None
            dates = [page.list.model.item(r).date_of_birth for r in dobs]
            assert dates == sorted(dates) and births
        finally:
            await conn.aclose()

    arun(scenario())


def test_enter_on_a_row_opens_its_record(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            page = make_page(widgets, conn.workspace)
            await next_emission(page.first_page_loaded)
            table = page.list.table
            table.setFocus()
            QTest.keyClick(table, Qt.Key.Key_Down)
            QTest.keyClick(table, Qt.Key.Key_Down)
            chosen = page.list.current_patient()
            assert chosen is not None
            QTest.keyClick(table, Qt.Key.Key_Return)
            await until(
                lambda: page.detail.patient is not None and page.detail.patient.id == chosen.id
            )
            assert page.detail.title.text() == chosen.name.full
            focus = QApplication.focusWidget()
            assert focus is not None and page.detail.isAncestorOf(focus)  # keyboard followed
        finally:
            await conn.aclose()

    arun(scenario())


def test_token_expiry_reads_naturally() -> None:
    from photon_desktop.ui.status import format_remaining

    assert format_remaining(-5) == "expired"
    assert format_remaining(45.9) == "45 s"
    assert format_remaining(125) == "2 min 5 s"
    assert format_remaining(3725) == "1 h 2 min"


def test_a_failed_later_page_keeps_the_rows_and_retry_loads_it(
    arun: Run, sandbox: Any, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_m2m()
            page = make_page(widgets, conn.workspace)
            await next_emission(page.first_page_loaded)
            model = page.list.model
            assert model is not None
            await until(lambda: not model.loading)
            loaded = model.rowCount()
            sandbox.set_faults(error_rate=1.0)
            page.list.table.scrollToBottom()
            await until(lambda: model.error is not None, within=20)
            assert model.rowCount() == loaded
            assert page.list.stack.currentWidget() is page.list.table  # rows stay on screen
            assert page.list.banner.isVisible()
            assert "Could not load more patients" in page.list.banner.text()
            sandbox.reset_faults()
            page.list.banner_retry.click()
            await until(lambda: model.rowCount() > loaded)
            assert model.error is None and not page.list.banner.isVisible()
        finally:
            await conn.aclose()

    arun(scenario(), timeout=40)
