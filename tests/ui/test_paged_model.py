"""The cursor-paged table model: pages load on demand, once each, and failures stop the flood."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.modeltest import ModelTester
from ui_support import next_emission, until

from photon_desktop import errors
from photon_desktop.domain import Page
from photon_desktop.ui.common.paged_model import ITEM_ROLE, SORT_ROLE, Column, PagedTableModel

COLUMNS = [
    Column("Number", lambda n: f"#{n}", sort_key=lambda n: n),
    Column("Parity", lambda n: "even" if n % 2 == 0 else "odd"),
]


class Server:
    """Numbers 0..total-1 in pages of ``size``; records each cursor asked for."""

    def __init__(self, total: int, size: int = 10) -> None:
        self.total, self.size = total, size
        self.asked: list[str | None] = []
        self.fail_next: errors.PhotonError | None = None
        self.gate: asyncio.Event | None = None

    async def fetch(self, after: str | None) -> Page[int]:
        self.asked.append(after)
        if self.gate is not None:
            await self.gate.wait()
        await asyncio.sleep(0)
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        start = 0 if after is None else int(after)
        items = tuple(range(start, min(start + self.size, self.total)))
        end = start + len(items)
        return Page(items, str(end) if items else None, end < self.total)


def test_first_page_then_more_on_demand(
    arun: Callable[..., Any], qtmodeltester: ModelTester
) -> None:
    server = Server(25)
    model = PagedTableModel(server.fetch, COLUMNS, page_size=10)

    async def scenario() -> None:
        model.start()
        await next_emission(model.first_page_loaded)
        assert model.rowCount() == 10
        assert model.data(model.index(3, 0)) == "#3"
        assert model.headerData(1, Qt.Orientation.Horizontal) == "Parity"
        assert model.canFetchMore()
        model.fetchMore()
        model.fetchMore()  # a second ask while a page is in flight must not send it twice
        await next_emission(model.page_loaded)
        model.fetchMore()
        await next_emission(model.page_loaded)
        assert model.rowCount() == 25
        assert not model.canFetchMore()
        assert server.asked == [None, "10", "20"]

    arun(scenario())
    assert model.item(24) == 24
    assert model.data(model.index(4, 0), ITEM_ROLE) == 4
    assert model.data(model.index(4, 0), SORT_ROLE) == 4
    assert model.data(model.index(4, 1), SORT_ROLE) == "even"
    qtmodeltester.check(model)


def test_a_failed_page_stops_fetching_until_retry(
    arun: Callable[..., Any], qtmodeltester: ModelTester
) -> None:
    server = Server(30)
    model = PagedTableModel(server.fetch, COLUMNS)
    failures: list[object] = []
    model.failed.connect(failures.append)

    async def scenario() -> None:
        model.start()
        await next_emission(model.first_page_loaded)
        server.fail_next = errors.OfflineError("Photon could not be reached.")
        model.fetchMore()
        await next_emission(model.failed)
        assert isinstance(model.error, errors.OfflineError)
        assert not model.canFetchMore()  # the view keeps asking; no request storm
        model.fetchMore()
        assert server.asked == [None, "10"]
        model.retry()
        await next_emission(model.page_loaded)
        assert model.rowCount() == 20 and model.error is None
        assert server.asked == [None, "10", "10"]

    arun(scenario())
    assert len(failures) == 1
    qtmodeltester.check(model)


def test_an_unexpected_exception_becomes_an_error_not_a_crash(arun: Callable[..., Any]) -> None:
    async def broken(_after: str | None) -> Page[int]:
        raise KeyError("id")

    model = PagedTableModel(broken, COLUMNS)

    async def scenario() -> None:
        model.start()
        (error,) = await next_emission(model.failed)
        assert isinstance(error, errors.ResponseError)
        assert "could not be loaded" in str(error)

    arun(scenario())
    assert model.rowCount() == 0 and not model.loading


def test_cancel_drops_the_page_in_flight(arun: Callable[..., Any]) -> None:
    server = Server(30)
    server.gate = asyncio.Event()
    model = PagedTableModel(server.fetch, COLUMNS)
    changes: list[bool] = []
    model.loading_changed.connect(changes.append)

    async def scenario() -> None:
        model.start()
        await until(lambda: server.asked)
        model.cancel()
        await until(lambda: not model.loading)
        server.gate.set()
        await asyncio.sleep(0.05)

    arun(scenario())
    assert model.rowCount() == 0
    assert changes == [True, False]


def test_a_view_scrolled_to_the_bottom_loads_the_next_page(
    arun: Callable[..., Any], qapp: QApplication, qtmodeltester: ModelTester
) -> None:
    server = Server(200, size=20)
    model = PagedTableModel(server.fetch, COLUMNS, page_size=20)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view = QTableView()
    view.resize(400, 300)
    view.setModel(proxy)
    view.show()

    async def scenario() -> None:
        model.start()
        await until(lambda: model.rowCount() >= 20)
        await asyncio.sleep(0.05)
        before = model.rowCount()
        view.scrollToBottom()
        await until(lambda: model.rowCount() > before)
        proxy.sort(0, Qt.SortOrder.DescendingOrder)
        assert proxy.data(proxy.index(0, 0)) == f"#{model.rowCount() - 1}"

    try:
        arun(scenario())
        qtmodeltester.check(proxy)
    finally:
        view.close()
        view.deleteLater()
        qapp.processEvents()
