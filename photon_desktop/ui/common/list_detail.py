"""A feature page: its list on the left, the selected record's detail on the right, in a splitter
whose sizes are remembered (when sane) and whose default gives both sides room at 1200x760.

Tab goes as the page reads: the list's filter bar, the list, then the detail (its actions, then
its contents). The order is set
once the page is in its window (``tab_order`` says why not before).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QEvent, Qt, Signal
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from photon_desktop.ui.common import preferences
from photon_desktop.ui.common.paged_list import PagedList
from photon_desktop.ui.common.preferences import Preference
from photon_desktop.ui.common.record_detail import RecordDetail
from photon_desktop.ui.common.tab_order import tab_through


class ListDetailPage(QWidget):
    """Implements the main window's ``Page`` protocol for a list + detail feature.

    ``first_page_loaded`` once the list's first page of rows has been painted; ``navigated``
    when the user opens a record (picks a row, or follows a link here).
    """

    first_page_loaded = Signal()
    navigated = Signal()

    def __init__(
        self,
        paged: PagedList[Any],
        detail: RecordDetail[Any],
        splitter_preference: Preference[QByteArray | None],
        *,
        default_sizes: tuple[int, int] = (560, 470),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.list = paged
        self.detail = detail
        self._splitter_preference = splitter_preference
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName(f"{splitter_preference.key.split('/')[0]}Splitter")
        self.splitter.addWidget(paged)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        preferences.restore_splitter(self.splitter, splitter_preference, list(default_sizes))
        self.splitter.splitterMoved.connect(self._remember_splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        paged.first_page_loaded.connect(self.first_page_loaded)
        paged.current_changed.connect(lambda record: detail.load(str(record.id)))
        paged.activated.connect(self._on_activated)
        paged.picked.connect(lambda _record: self.navigated.emit())
        paged.activated.connect(lambda _record: self.navigated.emit())
        paged.refiltered.connect(self._follow_new_filter)

    # -- tab order

    def order_tabs(self) -> None:
        """Tab through the filter bar, the list, then the detail; only once the page is inside a
        window (the main window's stack): while it is its own window nothing can move."""
        if not self.isWindow():
            parts = [*self.list.bar_widgets(), self.list, self.detail.header, self.detail]
            tab_through(self, parts)  # the detail's actions (its header) before its contents

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ParentChange:
            self.order_tabs()  # moved into a window: its chain went to that window's end

    # -- the Page protocol

    def refresh(self) -> None:
        """F5: reload the list (its rows stay until the answer) and the record shown."""
        self.list.reload(keep_rows=True)
        self.detail.refresh()

    def can_refresh(self) -> bool:
        return self.list.allowed()

    def focus_search(self) -> bool:
        return False

    def refresh_icons(self) -> None:
        self.list.refresh_icons()

    def cancel_tasks(self) -> None:
        self.list.cancel_tasks()
        self.detail.cancel_tasks()

    # -- links

    def open(self, record_id: str) -> None:
        """Show one record's detail (from a link elsewhere in the app)."""
        self.navigated.emit()
        self.detail.load(record_id)

    def _follow_new_filter(self) -> None:
        """A new search or filter answered: the detail shows one of its rows, or nothing. A
        record kept beside rows it is not among reads as one of them (the chart of a patient
        searched for, with Prescribe under it, when it is the one shown before the search)."""
        shown = self.detail.record_id
        if shown is not None and not self.list.awaits(shown):
            if not self.list.select_if_present(shown):  # its row already current: no change
                self.detail.clear()

    def _on_activated(self, record: Any) -> None:
        self.detail.load(str(record.id))
        self.detail.focus_content()

    def _remember_splitter(self, _pos: int, _index: int) -> None:
        preferences.remember_splitter(self.splitter, self._splitter_preference)
