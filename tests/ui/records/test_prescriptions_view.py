"""Prescriptions: paging, filters, detail, states and permission, over a fake service layer."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.modeltest import ModelTester
from records_fakes import FakeServices, FakeSession
from ui_support import column, save_screenshot, settle, until

from photon_desktop import errors
from photon_desktop.domain import PrescriptionState
from photon_desktop.ui.common.records_page import DEBOUNCE_MS, PAGE_SIZE
from photon_desktop.ui.prescriptions.list import PrescriptionsPage
from photon_desktop.ui.workspace import Workspace


def last(services: FakeServices) -> dict[str, Any]:
    calls = services.prescriptions.calls
    return calls[-1] if calls else {"patient_id": None}


def make_page(widgets: list[QWidget], workspace: Workspace) -> PrescriptionsPage:
    page = PrescriptionsPage(workspace)
    page.resize(1200, 700)
    page.show()
    widgets.append(page)
    return page


def test_first_page_then_more_on_scroll(
    arun: Callable[..., Any],
    workspace: Workspace,
    widgets: list[QWidget],
    services: FakeServices,
    qtmodeltester: ModelTester,
) -> None:
    async def scenario() -> None:
        page = make_page(widgets, workspace)
        assert page.list.state.isVisible()  # loading state until the first page arrives
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
        assert page.list.table.isVisible()
        model = page.list.model
        assert model is not None
        assert model.rowCount() == PAGE_SIZE
        assert services.prescriptions.calls[0]["after"] is None
        # Scrolling to the bottom asks for the next page (no "next page" button).
        page.list.table.scrollToBottom()
        await until(lambda: model.rowCount() > PAGE_SIZE)
        assert services.prescriptions.calls[1]["after"] == str(PAGE_SIZE)
        ids = column(model, "ID")
        assert len(ids) == len(set(ids))
        qtmodeltester.check(model)

    arun(scenario())


def test_state_filter_asks_the_server_and_shows_only_that_state(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget], services: FakeServices
) -> None:
    async def scenario() -> None:
        page = make_page(widgets, workspace)
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
        assert page.state_combo.itemText(0) == "All states"
        assert page.state_combo.count() == 1 + len(PrescriptionState)
        page.set_state(PrescriptionState.ACTIVE)
        await until(lambda: last(services).get("state") is PrescriptionState.ACTIVE)
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
        assert page.list.model is not None
        assert set(column(page.list.model, "State")) == {"Active"}

    arun(scenario())


def test_patient_name_filter_is_debounced(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget], services: FakeServices
) -> None:
    async def scenario() -> None:
        page = make_page(widgets, workspace)
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
        before = len(services.prescriptions.calls)
        for text in ("G", "Gr", "Gra", "Grace"):
            page.patient_edit.setText(text)
        await settle(DEBOUNCE_MS / 1000 + 0.3)
        names = [c["patient_name"] for c in services.prescriptions.calls[before:]]
        assert names == ["Grace"]  # one request, for what was finally typed
        assert page.list.model is not None
        assert set(column(page.list.model, "Patient")) == {"Grace Hopper"}

    arun(scenario())


def test_set_patient_from_a_link_and_clear_it(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget], services: FakeServices
) -> None:
    async def scenario() -> None:
        page = make_page(widgets, workspace)
        page.set_patient("pat_03", "Alan Turing")
        await until(lambda: last(services)["patient_id"] == "pat_03")
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
        assert page.list.model is not None
        assert set(column(page.list.model, "Patient")) == {"Alan Turing"}
        assert page.patient_chip.isVisible() and "Alan Turing" in page.patient_chip.text()
        assert not page.patient_edit.isVisible()
        page.patient_chip.click()
        await until(lambda: last(services).get("patient_id", 0) is None)
        await until(lambda: page.list.model is not None and page.list.model.rowCount() == PAGE_SIZE)
        assert page.patient_edit.isVisible()

    arun(scenario())


def test_selecting_a_row_shows_its_detail(
    arun: Callable[..., Any],
    workspace: Workspace,
    widgets: list[QWidget],
    services: FakeServices,
    qtmodeltester: ModelTester,
    scheme: str,
) -> None:
    async def scenario() -> None:
        page = make_page(widgets, workspace)
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
        page.list.table.selectRow(2)
        detail = page.detail
        await until(lambda: detail.record is not None)
        rx = services.prescriptions.records[2]
        assert detail.title.text().startswith(rx.treatment.name)
        assert detail.badge.text() == "Depleted"
        assert detail.dates.values["Fills remaining"].text() == str(rx.fills_remaining)
        assert detail.dates.text("Expires") == "11/1/2027"  # the US locale, four-digit year
        assert detail.treatment.values["Quantity"].text() == "30 Tablet"
        assert detail.prescriber.values["Name"].text() == "Dr Maya Okafor"
        assert detail.fills_model.rowCount() == 1
        qtmodeltester.check(detail.fills_model)
        # Without a write permission no write action shows.
        bar = detail.action_bar
        assert not [b for b in bar.findChildren(QPushButton) if b.isVisibleTo(detail)]
        # A fill links to its order.
        wanted: list[str] = []
        detail.order_requested.connect(wanted.append)
        detail.fills_table.activated.emit(detail.fills_model.index(0, 0))
        assert wanted == [rx.fills[0].order_id]
        await settle(0.1)
        save_screenshot(page, f"prescriptions-{scheme}")

    arun(scenario())


def test_open_prescription_by_id_and_not_found(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget], services: FakeServices
) -> None:
    async def scenario() -> None:
        page = make_page(widgets, workspace)
        page.open_prescription("rx_0007")
        await until(lambda: page.detail.record is not None)
        assert page.detail.record.id == "rx_0007"  # type: ignore[union-attr]
        page.open_prescription("rx_missing")
        await until(lambda: "does not exist" in page.detail.state.label.text())
        assert page.detail.state.isVisible() and not page.detail.header.isVisible()

    arun(scenario())


def test_without_read_prescription_the_view_says_why_and_recovers_live(
    arun: Callable[..., Any],
    workspace: Workspace,
    widgets: list[QWidget],
    services: FakeServices,
    session: FakeSession,
) -> None:
    session.grant({"read:patient"})

    async def scenario() -> None:
        page = make_page(widgets, workspace)
        page.open_prescription("rx_0001")
        await settle()
        assert services.prescriptions.calls == [] and services.prescriptions.gets == []
        assert "read:prescription" in page.list.state.label.text()
        assert "read:prescription" in page.detail.state.label.text()
        assert not page.list.table.isVisible()
        session.grant({"read:patient", "read:prescription"})
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
        await until(lambda: page.detail.record is not None)

    arun(scenario())


@pytest.mark.parametrize("filtered", [False, True])
def test_empty_and_error_states_say_what_to_do(
    arun: Callable[..., Any],
    workspace: Workspace,
    widgets: list[QWidget],
    services: FakeServices,
    filtered: bool,
) -> None:
    async def scenario() -> None:
        if filtered:
            page = make_page(widgets, workspace)
            page.patient_edit.setText("Nobody")
            page.patient_edit.returnPressed.emit()
            await until(lambda: page.list.state.label.text().startswith("No prescriptions"))
            assert "Nobody" in page.list.state.label.text()
            assert "clear the filters" in page.list.state.label.text()
            return
        services.prescriptions.fail_with = errors.OfflineError("Photon could not be reached.")
        page = make_page(widgets, workspace)
        await until(lambda: "could not be reached" in page.list.state.label.text())
        assert page.list.state.button.isVisible()  # Retry
        services.prescriptions.fail_with = None
        page.list.state.button.click()
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
        assert page.list.table.isVisible()

    arun(scenario())


def test_a_newer_filter_supersedes_a_slow_older_answer(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget], services: FakeServices
) -> None:
    async def scenario() -> None:
        services.prescriptions.delay = 0.3
        page = make_page(widgets, workspace)
        await settle(0.05)
        services.prescriptions.delay = 0.0
        page.set_state(PrescriptionState.CANCELED)
        await settle(0.6)
        assert page.list.model is not None
        assert set(column(page.list.model, "State")) == {"Canceled"}

    arun(scenario())


def test_controls_have_accessible_names_and_ctrl_f_focuses_the_patient_filter(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget]
) -> None:
    from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QTableView

    async def scenario() -> None:
        page = make_page(widgets, workspace)
        page.open_prescription("rx_0002")
        await until(lambda: page.detail.record is not None)
        mine = [page.state_combo, page.patient_edit, page.patient_chip, page.list.table]
        mine += page.detail.findChildren(QTableView) + page.findChildren(QComboBox)
        mine += [w for w in page.findChildren(QLineEdit) if not isinstance(w.parent(), QComboBox)]
        mine += [b for b in page.findChildren(QPushButton) if b.parent() is page]
        assert [w for w in mine if not w.accessibleName()] == []
        page.set_patient("pat_01", "Ada Lovelace")
        page.focus_search()  # Ctrl+F from the main window
        assert page.patient_edit.isVisibleTo(page) and not page.patient_chip.isVisibleTo(page)

    arun(scenario())


def test_the_action_bar_gates_what_is_added_later(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget], session: FakeSession
) -> None:
    from PySide6.QtGui import QAction

    async def scenario() -> None:
        page = make_page(widgets, workspace)
        page.open_prescription("rx_0001")
        await until(lambda: page.detail.record is not None)
        bar = page.detail.action_bar
        assert not [b for b in bar.findChildren(QPushButton) if b.isVisibleTo(page)]
        cancel = QAction("Cancel prescription", bar)
        gate = bar.add(cancel, "write:prescription")
        assert bar.isVisibleTo(page)
        assert not cancel.isEnabled()
        assert "write:prescription" in cancel.toolTip()
        session.grant(set(session.permissions) | {"write:prescription"})
        assert gate.allowed and cancel.isEnabled()

    arun(scenario())


def test_switching_environment_reloads_once_and_clears_the_detail(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget]
) -> None:
    from photon_desktop.auth.environments import PHOTON_SANDBOX

    async def scenario() -> None:
        page = make_page(widgets, workspace)
        page.open_prescription("rx_0001")
        await until(lambda: page.detail.record is not None)
        other = FakeServices(prescriptions=3)
        workspace.set(PHOTON_SANDBOX, FakeSession({"read:prescription"}), other)  # type: ignore[arg-type]
        await until(lambda: page.list.model is not None and page.list.model.rowCount() == 3)
        await settle(0.1)
        assert len(other.prescriptions.calls) == 1  # one first page, not one per signal
        assert page.detail.record is None and page.detail.state.isVisible()

    arun(scenario())


def test_columns_can_be_shown_and_hidden_and_it_is_remembered(
    arun: Callable[..., Any], workspace: Workspace, widgets: list[QWidget], ui_settings: Any
) -> None:
    async def scenario() -> None:
        page = PrescriptionsPage(workspace)
        page.resize(1000, 600)
        page.show()
        widgets.append(page)
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
        table = page.list.table
        ids = next(
            c
            for c in range(table.model().columnCount())
            if table.model().headerData(c, Qt.Orientation.Horizontal) == "ID"
        )
        assert table.isColumnHidden(ids)  # hidden by default: the detail has it
        page.list.set_column_visible("ID", True)
        assert not table.isColumnHidden(ids)
        again = PrescriptionsPage(workspace)
        widgets.append(again)
        await until(lambda: again.list.model is not None and again.list.model.rowCount() > 0)
        assert not again.list.table.isColumnHidden(ids)

    arun(scenario())


def test_an_extreme_timestamp_shows_the_record_not_a_crash(
    arun: Callable[..., Any],
    workspace: Workspace,
    widgets: list[QWidget],
    services: FakeServices,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """0001-01-01T00:00:00Z west of Greenwich is before year 1 locally: Python's astimezone()
    overflows. The detail must show the record (or an error), never stay on "Loading…"."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        rx = services.prescriptions.records[1]
        services.prescriptions.records[1] = msgspec.structs.replace(
            rx, written_at=datetime(1, 1, 1, tzinfo=UTC)
        )

        async def scenario() -> None:
            page = make_page(widgets, workspace)
            await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
            page.list.table.selectRow(1)
            await until(lambda: page.detail.record is not None)
            assert page.detail.dates.text("Written").startswith("1/1/0001")

        arun(scenario())
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_record_the_view_cannot_draw_shows_an_error_not_loading(
    arun: Callable[..., Any],
    workspace: Workspace,
    widgets: list[QWidget],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from photon_desktop.ui.prescriptions.detail import PrescriptionDetail

    def broken(self: Any, record: Any) -> None:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(PrescriptionDetail, "_render", broken)

    async def scenario() -> None:
        page = make_page(widgets, workspace)
        await until(lambda: page.list.model is not None and page.list.model.rowCount() > 0)
        page.list.table.selectRow(0)
        detail = page.detail
        await until(lambda: "could not be shown" in detail.state.label.text())
        assert detail.stack.currentWidget() is detail.state

    arun(scenario())
