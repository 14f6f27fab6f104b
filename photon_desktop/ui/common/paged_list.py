"""A server list shown page by page, with its filter bar: the patient, prescription and order
lists are this widget with their own filters and columns.

- Every reload builds a new ``PagedTableModel`` whose fetcher carries a generation number; an
  answer for an older generation is dropped and the older model's request cancelled.
- A refresh (F5) keeps the rows shown until the new first page arrives; a failed refresh, or a
  failed later page, keeps them too and says so in a banner with Retry. Only a new filter starts
  from an empty list.
- Columns fit the width (long cells elide; the tooltip has the whole text); the header's context
  menu hides or shows columns, remembered per list. Sorting, when enabled, sorts the rows loaded
  so far (Photon has no sort argument).
- ``first_page_loaded`` fires once the first page of rows has been painted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.domain import Page
from photon_desktop.ui.common import icons, theme
from photon_desktop.ui.common.copy_id import copy_id_action, copy_selected_id
from photon_desktop.ui.common.paged_model import ITEM_ROLE, SORT_ROLE, Column, PagedTableModel
from photon_desktop.ui.common.preferences import Preference
from photon_desktop.ui.common.record_detail import NOT_CONNECTED
from photon_desktop.ui.common.rows_table import fit_columns, one_tab_stop
from photon_desktop.ui.common.states import StateView, stopped_text
from photon_desktop.ui.workspace import Workspace


class Identified(Protocol):
    """A record the list can find again (every Photon record has an id)."""

    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=Identified)
Fetcher = Callable[[str | None], Awaitable[Page[T]]]
SORT_HINT = "Sorts the rows loaded so far; scroll to load more. Click again to reverse."


class _SortProxy(QSortFilterProxyModel):
    """Sorts by the model's SORT_ROLE; keeps fetchMore flowing to the paged source."""

    def lessThan(
        self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex
    ) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:
            return b is not None
        return bool(a < b)


class PagedList(QWidget, Generic[T]):
    """Filter bar (``bar``: features add their widgets) over a table or a state.

    ``fetcher()`` is asked at each reload for a page fetcher bound to the current filter;
    ``empty_state()`` shows what "nothing" means for that filter. Signals: ``current_changed``
    (record) as the selection moves, ``picked`` (record) when the user moved it (not the list
    finding a record again after a reload), ``activated`` (record) on Enter/double-click,
    ``refiltered`` when the first page for a new filter (``reload(refilter=True)``) has arrived.
    """

    first_page_loaded = Signal()
    current_changed = Signal(object)
    picked = Signal(object)
    activated = Signal(object)
    refiltered = Signal()

    def __init__(
        self,
        workspace: Workspace,
        columns: Sequence[Column[T]],
        *,
        kind: str,
        kinds: str,
        permission: str,
        fetcher: Callable[[], Fetcher[T]],
        empty_state: Callable[[StateView], None],
        hidden: Preference[list[str]],
        page_size: int = 50,
        sortable: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        workspace.connecting_changed.connect(self._on_connecting)
        self._columns = tuple(columns)
        self._kind, self._kinds = kind, kinds
        self._permission = permission
        self._fetcher = fetcher
        self._empty_state = empty_state
        self._hidden = hidden
        self.page_size = page_size
        self._generation = 0
        self._pending: PagedTableModel[T] | None = None  # a refresh's model, until its first page
        self._select_when_loaded: str | None = None
        self._refilter_generation: int | None = None  # a reload for a new filter, until it answers
        self._selecting = False  # the list itself is moving the selection
        self.model: PagedTableModel[T] | None = None

        self.bar = QHBoxLayout()
        self.bar.setContentsMargins(0, 0, 0, 0)

        self.proxy = _SortProxy(self)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setDynamicSortFilter(True)
        self.table = QTableView(self)
        self.table.setAccessibleName(f"{kinds.capitalize()} list")
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        theme.use_plain_style(self.table)  # no check boxes in its cells (see there)
        one_tab_stop(self.table)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.table.verticalHeader().setVisible(False)
        # Fixed row heights: scrolling 100,000 rows must never measure rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.table.setModel(self.proxy)
        if sortable:
            header.setToolTip(SORT_HINT)
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            header.setSortIndicatorClearable(True)
            self.table.setSortingEnabled(True)
        self._apply_hidden()
        self.table.activated.connect(self._on_activated)
        self.table.doubleClicked.connect(self._on_activated)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        # One fit per burst of resizes and loads (each fit measures every shown cell's text).
        self._fit = QTimer(self, singleShot=True, interval=0)
        self._fit.timeout.connect(self.fit_columns)
        self._viewport = self.table.viewport()
        self._viewport.installEventFilter(self)
        self._paint_pending: int | None = None
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        self.copy_id = copy_id_action(self.table, f"Copy {kind} ID", self._current_id)

        self.state = StateView(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.state)
        self.stack.addWidget(self.table)

        # Rows already shown stay when a refresh or a later page fails; this says so.
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("List problem")
        self.banner_retry = QPushButton("Retry", self)
        self.banner_retry.setAccessibleName(f"Retry loading {kinds}")
        self.banner_retry.clicked.connect(self._retry)
        banner = QHBoxLayout()
        banner.setContentsMargins(0, 0, 0, 0)
        banner.addWidget(self.banner, 1)
        banner.addWidget(self.banner_retry)
        self._banner_bar = QWidget(self)
        self._banner_bar.setLayout(banner)
        self._banner_bar.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 6, 12)
        layout.addLayout(self.bar)
        layout.addWidget(self._banner_bar)
        layout.addWidget(self.stack, 1)
        workspace.availability_changed.connect(self._on_availability)

    # ------------------------------------------------------------------ public

    @property
    def generation(self) -> int:
        return self._generation

    def allowed(self) -> bool:
        ws = self._workspace
        return ws.ready and not ws.unavailable and ws.session.has(self._permission)

    def why_not(self) -> str:
        if not self._workspace.ready:
            return NOT_CONNECTED
        return self._workspace.session.why_not(self._permission)

    @property
    def loading(self) -> bool:
        """A page is being fetched: the first, a later one, or a refresh's (the rows shown stay
        until it answers)."""
        return any(m is not None and m.loading for m in (self.model, self._pending))

    @property
    def stopped(self) -> bool:
        """The environment's server has stopped: the list shows that, not rows or errors."""
        return self._workspace.ready and bool(self._workspace.unavailable)

    def current(self) -> T | None:
        index = self.table.currentIndex()
        return index.data(ITEM_ROLE) if index.isValid() else None

    def copy_current_id(self) -> None:
        copy_selected_id(self, self._current_id)

    def _current_id(self) -> tuple[str, str] | None:
        record = self.current()
        return None if record is None else (self._kind, record.id)

    def bar_widgets(self) -> list[QWidget]:
        """The filter bar's widgets, left to right."""
        items = (self.bar.itemAt(i) for i in range(self.bar.count()))
        return [w for item in items if item is not None and (w := item.widget()) is not None]

    def refresh_icons(self) -> None:
        self.copy_id.setIcon(icons.icon("copy"))

    def cancel_tasks(self) -> None:
        self._generation += 1
        for model in (self.model, self._pending):
            if model is not None:
                model.cancel()

    def reload(self, *, keep_rows: bool = False, refilter: bool = False) -> None:
        """Start again from the first page. ``keep_rows`` (F5): the rows stay until it answers.
        ``refilter``: for a new search or filter (``refiltered`` follows its first page)."""
        self._generation += 1
        generation = self._generation
        if refilter:
            self._refilter_generation = generation
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self.stopped:
            self._set_model(None)  # its rows died with the server
            self._show(lambda: self.state.show_stopped(stopped_text(f"no {self._kinds} to show")))
            return
        if not self.allowed():
            self._set_model(None)
            self._show_why_not()
            return
        fetch = self._fetcher()

        async def guarded(after: str | None) -> Page[T]:
            if generation != self._generation:
                raise asyncio.CancelledError  # a newer filter took over
            page = await fetch(after)
            if generation != self._generation:
                raise asyncio.CancelledError  # the answer to a filter no longer shown
            return page

        model = PagedTableModel(guarded, self._columns, page_size=self.page_size)
        model.first_page_loaded.connect(lambda: self._on_first_page(generation, model))
        model.failed.connect(lambda error: self._on_failed(generation, model, error))
        keep = keep_rows and self.model is not None and self.model.rowCount() > 0
        if keep:
            self._pending = model
        else:
            self._show(lambda: self.state.show_loading(f"Loading {self._kinds}…"))
            self._set_model(model)
        model.start()

    def awaits(self, record_id: str) -> bool:
        """``record_id`` is to be selected once it is among the rows (``select_when_loaded``)."""
        return self._select_when_loaded == record_id

    def select_when_loaded(self, record_id: str) -> None:
        """Select ``record_id`` once it is among the rows (now, or after the next first page)."""
        if not self.select_if_present(record_id):
            self._select_when_loaded = record_id

    def show_record(self, record: T, matches: bool, *, insert: bool = False) -> None:
        """A record changed here: update its row, drop it if it no longer ``matches`` the filter,
        or (``insert``, a new record that matches) put it first."""
        if self.model is None:
            return
        record_id = record.id
        current = self.current()
        shown = current is not None and current.id == record_id
        row = self.model.find_row(lambda r: r.id == record_id)
        if row >= 0 and matches:
            self.model.replace_row(row, record)
        elif row >= 0:
            self.model.remove_row(row)
        elif insert and matches:
            self.model.insert_row(0, record)
            self.stack.setCurrentWidget(self.table)
        if matches and (shown or insert):  # never pulls the user back from another row
            self.select_if_present(record_id)

    # ------------------------------------------------------------------ internals

    def _on_availability(self) -> None:
        """Stopped: say so at once (requests in flight are dropped); running again: load."""
        self.reload()

    def _show_why_not(self) -> None:
        connecting = self._workspace.connecting
        if connecting and not self._workspace.ready:
            text = f"Connecting to {connecting}…"
            self._show(lambda: self.state.show_loading(text, skeleton=True))
        else:
            self._show(lambda: self.state.show_message(self.why_not()))

    def _on_connecting(self) -> None:
        if not self.stopped and not self.allowed():
            self._show_why_not()

    def _show(self, show: Callable[[], None]) -> None:
        self._banner_bar.setVisible(False)
        show()
        self.stack.setCurrentWidget(self.state)

    def _set_model(self, model: PagedTableModel[T] | None) -> None:
        old = self.model
        if old is not None and old is not model:
            old.cancel()  # Python keeps it alive until its cancelled request unwinds
        self.model = model
        self.proxy.setSourceModel(model)  # type: ignore[arg-type]
        self._apply_hidden()

    def _on_first_page(self, generation: int, model: PagedTableModel[T]) -> None:
        if generation != self._generation:
            return
        current = self.current()
        if model is self._pending:
            self._pending = None
            self._set_model(model)
            if current is not None and self._select_when_loaded is None:
                self._select_when_loaded = current.id
        self._banner_bar.setVisible(False)
        if model.rowCount() == 0:
            self._empty_state(self.state)
            self.stack.setCurrentWidget(self.state)
        else:
            self.stack.setCurrentWidget(self.table)
            self._fit.start()
        if self._select_when_loaded is not None and self.select_if_present(
            self._select_when_loaded
        ):
            self._select_when_loaded = None
        if self._refilter_generation == generation:
            self._refilter_generation = None
            self.refiltered.emit()
        if model.rowCount() and self.table.isVisible():
            # "Painted" means painted: announce after the rows' next paint has finished.
            self._paint_pending = generation
            self.table.viewport().update()
        else:
            QTimer.singleShot(0, lambda: self._announce(generation))

    def _on_failed(self, generation: int, model: PagedTableModel[T], error: object) -> None:
        if generation != self._generation:
            return
        if isinstance(error, errors.PermissionMissing):
            self._pending = None
            self._set_model(None)
            self._show(lambda: self.state.show_message(self.why_not() or str(error)))
            return
        if model is self._pending:
            self._pending = None
            self._say(
                f"Could not refresh the {self._kinds}: {error} Showing the rows loaded before."
            )
        elif model.rowCount() == 0:
            text = f"Could not load {self._kinds}: {error}"
            self._show(lambda: self.state.show_error(text, retry=self.reload))
        else:
            self._say(f"Could not load more {self._kinds}: {error}")

    def _say(self, text: str) -> None:
        self.banner.setText(text)
        self._banner_bar.setVisible(True)

    def _retry(self) -> None:
        self._banner_bar.setVisible(False)
        if self.model is not None and self.model.error is not None:
            self.model.retry()
        else:
            self.reload(keep_rows=True)

    def select_if_present(self, record_id: str) -> bool:
        """Select ``record_id`` if it is among the rows; False if it is not."""
        if self.model is None:
            return False
        row = self.model.find_row(lambda r: r.id == record_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self._selecting = True
        try:
            self.table.setCurrentIndex(index)
        finally:
            self._selecting = False
        self.table.scrollTo(index)
        return True

    def fit_columns(self) -> None:
        if self.model is not None:
            fit_columns(self.table, scroll=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The event type first: nothing else is touched while the table is being destroyed.
        kind = event.type()
        if kind == QEvent.Type.Resize and watched is self._viewport:
            self._fit.start()
        elif (
            kind == QEvent.Type.Paint
            and self._paint_pending is not None
            and watched is self._viewport
        ):
            generation, self._paint_pending = self._paint_pending, None
            QTimer.singleShot(0, lambda: self._announce(generation))
        return False

    def _announce(self, generation: int) -> None:
        if generation == self._generation:
            self.first_page_loaded.emit()

    def _on_activated(self, index: QModelIndex) -> None:
        record = index.data(ITEM_ROLE)
        if record is not None:
            self.activated.emit(record)

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        record = current.data(ITEM_ROLE) if current.isValid() else None
        if record is not None:
            self.current_changed.emit(record)
            if not self._selecting:
                self.picked.emit(record)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.setCurrentIndex(index)
        menu = QMenu(self)
        menu.setAccessibleName(f"{self._kind.capitalize()} actions")
        menu.addAction(self.copy_id)
        open_action = menu.addAction(f"Open {self._kind}")
        open_action.triggered.connect(lambda: self._on_activated(index))
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------------ columns

    def _apply_hidden(self) -> None:
        hidden = set(self._hidden.get())
        for col, column in enumerate(self._columns):
            self.table.setColumnHidden(col, column.title in hidden)

    def set_column_visible(self, title: str, visible: bool) -> None:
        hidden = [t for t in self._hidden.get() if t != title]
        if not visible:
            hidden.append(title)
        self._hidden.set(hidden)
        self._apply_hidden()
        self.fit_columns()

    def _header_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.setAccessibleName("Columns")
        shown = [c.title for c in self._columns if c.title not in self._hidden.get()]
        for column in self._columns:
            action = menu.addAction(column.title)
            action.setCheckable(True)
            action.setChecked(column.title in shown)
            action.setEnabled(not (column.title in shown and len(shown) == 1))
            action.toggled.connect(
                lambda on, title=column.title: self.set_column_visible(title, on)
            )
        menu.popup(self.table.horizontalHeader().mapToGlobal(pos))
