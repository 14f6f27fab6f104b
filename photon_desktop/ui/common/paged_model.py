"""A table model over a cursor-paged server list, loading the next page as the view scrolls.

Qt asks ``canFetchMore``/``fetchMore`` when a view needs rows past the end (scrolled to the
bottom, or the viewport is not yet full); the model then awaits the async page fetcher and appends
the page. One page is in flight at a time, so a fast scroll never sends the same cursor twice. A
failed page stops further fetching until ``retry()``: a view that keeps asking must not turn one
outage into a request storm.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from photon_desktop import errors
from photon_desktop.domain import Page
from photon_desktop.ui.common import tasks

log = logging.getLogger(__name__)

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)
_ROOT = QModelIndex()
_Index = QModelIndex | QPersistentModelIndex

#: The record itself (``model.data(index, ITEM_ROLE)``), for proxies and delegates.
ITEM_ROLE = int(Qt.ItemDataRole.UserRole) + 1
#: ``headerData(col, Horizontal, WHOLE_ROLE)``: True when the column's text must not be cut.
WHOLE_ROLE = int(Qt.ItemDataRole.UserRole) + 3
#: ``headerData(col, Horizontal, KEY_ROLE)``: True for the column a reader scans a list by.
KEY_ROLE = int(Qt.ItemDataRole.UserRole) + 4
#: A value that sorts correctly (dates as ISO strings, numbers as numbers) for a sort proxy.
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 2

_TEXT_ROLES = frozenset(
    {
        int(Qt.ItemDataRole.DisplayRole),
        int(Qt.ItemDataRole.ToolTipRole),
        int(Qt.ItemDataRole.AccessibleTextRole),
    }
)

PageFetcher = Callable[[str | None], Awaitable[Page[T]]]


class ColumnSpec(Protocol[T_contra]):
    """What the model needs of a column: a header and the text of a cell."""

    @property
    def title(self) -> str: ...

    @property
    def value(self) -> Callable[[T_contra], str]: ...


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    """A column: header, cell text, optionally a sort key when text order is wrong, whether its
    text must never be cut to fit (``whole``: dates, times, phone numbers), and whether it is the
    one a reader finds a row by (``key``: the patient's name, the treatment), which keeps its
    width before other wide columns when the table is narrow."""

    title: str
    value: Callable[[T], str]
    sort_key: Callable[[T], Any] | None = None
    whole: bool = False
    key: bool = False


def header_data(
    columns: Sequence[ColumnSpec[Any]],
    rows: int,
    section: int,
    orientation: Qt.Orientation,
    role: int,
) -> Any:
    """Column titles across the top, row numbers down the side (what every table model shows)."""
    if role in (WHOLE_ROLE, KEY_ROLE) and orientation == Qt.Orientation.Horizontal:
        flag = "whole" if role == WHOLE_ROLE else "key"
        return 0 <= section < len(columns) and bool(getattr(columns[section], flag, False))
    horizontal = orientation == Qt.Orientation.Horizontal and 0 <= section < len(columns)
    if role == Qt.ItemDataRole.ToolTipRole and horizontal:  # whole where a header is squeezed
        return columns[section].title
    if role != Qt.ItemDataRole.DisplayRole:
        return None
    if horizontal:
        return columns[section].title
    if orientation == Qt.Orientation.Vertical and 0 <= section < rows:
        return section + 1
    return None


class PagedTableModel(QAbstractTableModel, Generic[T]):
    """Rows of ``T`` fetched page by page through ``fetch(after_cursor) -> Page[T]``.

    ``start()`` loads the first page (views may also trigger it through ``fetchMore``). Signals:
    ``loading_changed(bool)`` while a page is in flight, ``page_loaded(int)`` with the row count
    after each page, ``first_page_loaded()`` once, ``failed(PhotonError)`` when a page fails.
    """

    loading_changed = Signal(bool)
    page_loaded = Signal(int)
    first_page_loaded = Signal()
    failed = Signal(object)

    def __init__(
        self,
        fetch: PageFetcher[T],
        columns: Sequence[ColumnSpec[T]],
        *,
        page_size: int = 50,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._columns = tuple(columns)
        self.page_size = page_size  # what the fetcher is expected to ask for; views read it
        self._rows: list[T] = []
        self._texts: list[tuple[str, ...] | None] = []  # cell texts per row, made on demand
        self._cursor: str | None = None
        self._has_more = True
        self._pages = 0
        self._loading = False
        self._error: errors.PhotonError | None = None
        self._task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ state

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def has_more(self) -> bool:
        return self._has_more

    @property
    def pages_loaded(self) -> int:
        return self._pages

    @property
    def error(self) -> errors.PhotonError | None:
        """The last page failure, until ``retry()``."""
        return self._error

    def item(self, row: int) -> T:
        return self._rows[row]

    def items(self) -> tuple[T, ...]:
        return tuple(self._rows)

    def find_row(self, match: Callable[[T], bool]) -> int:
        """The first loaded row whose record matches, or -1."""
        for row, record in enumerate(self._rows):
            if match(record):
                return row
        return -1

    def replace_row(self, row: int, record: T) -> None:
        """Show an edited record in place (after a save) without reloading the list."""
        self._rows[row] = record
        self._texts[row] = None
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1))

    def remove_row(self, row: int) -> None:
        """Drop a loaded record that no longer belongs in this list (it stopped matching)."""
        self.beginRemoveRows(_ROOT, row, row)
        del self._rows[row]
        del self._texts[row]
        self.endRemoveRows()

    def insert_row(self, row: int, record: T) -> None:
        """Show a record created here before the server lists it (a new patient, say)."""
        self.beginInsertRows(_ROOT, row, row)
        self._rows.insert(row, record)
        self._texts.insert(row, None)
        self.endInsertRows()

    # ------------------------------------------------------------------ loading

    def start(self) -> None:
        """Load the first page, unless a load already runs or has run."""
        if self._pages == 0 and not self._loading:
            self._load_next()

    def retry(self) -> None:
        """After a failure: forget it and load the page that failed."""
        self._error = None
        if not self._loading and self._has_more:
            self._load_next()

    def cancel(self) -> None:
        """Stop the page in flight (the view is going away or was superseded)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def canFetchMore(self, parent: _Index = _ROOT) -> bool:
        if parent.isValid():
            return False
        return self._has_more and not self._loading and self._error is None

    def fetchMore(self, parent: _Index = _ROOT) -> None:
        if self.canFetchMore(parent):
            self._load_next()

    def _load_next(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            # Qt may ask outside the app's loop (a model checker, teardown): nothing can await.
            log.debug("fetchMore without a running event loop ignored")
            return
        self._set_loading(True)
        self._task = tasks.spawn(self._load(self._cursor), owner=self, name="paged-model-fetch")

    async def _load(self, cursor: str | None) -> None:
        try:
            page = await self._fetch(cursor)
        except asyncio.CancelledError:
            self._set_loading(False)
            raise
        except errors.PhotonError as exc:
            self._fail(exc)
            return
        except Exception as exc:  # a bug or an unparsed answer must not kill the list
            log.exception("Page fetch failed")
            name = type(exc).__name__
            self._fail(errors.ResponseError(f"The list could not be loaded ({name})."))
            return
        self._append(page)

    def _append(self, page: Page[T]) -> None:
        first = self._pages == 0
        if page.items:
            start = len(self._rows)
            self.beginInsertRows(_ROOT, start, start + len(page.items) - 1)
            self._rows.extend(page.items)
            self._texts.extend([None] * len(page.items))
            self.endInsertRows()
        self._pages += 1
        self._cursor = page.cursor
        # A page without a cursor cannot be followed, whatever has_more says.
        self._has_more = page.has_more and page.cursor is not None
        self._set_loading(False)
        self.page_loaded.emit(len(self._rows))
        if first:
            self.first_page_loaded.emit()

    def _fail(self, error: errors.PhotonError) -> None:
        self._error = error
        self._set_loading(False)
        self.failed.emit(error)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    # ------------------------------------------------------------------ Qt model

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Views ask ~10 roles per cell on every paint; answer the unused ones first and cheaply.
        if role not in _TEXT_ROLES and role != SORT_ROLE and role != ITEM_ROLE:
            return None
        row = index.row()
        if not index.isValid() or row >= len(self._rows):
            return None
        if role in _TEXT_ROLES:
            texts = self._texts[row]
            if texts is None:  # formatted once per row, on first paint (dates are not cheap)
                record = self._rows[row]
                texts = self._texts[row] = tuple(c.value(record) for c in self._columns)
            return texts[index.column()]
        record = self._rows[row]
        if role == ITEM_ROLE:
            return record
        column = self._columns[index.column()]
        key = getattr(column, "sort_key", None)
        return key(record) if key is not None else column.value(record).casefold()

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header_data(self._columns, len(self._rows), section, orientation, role)
