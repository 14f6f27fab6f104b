"""A fixed list of records in a compact read-only table (a detail's fills, allergies, orders…).

Columns fit their contents when there is room and share the width when there is not; a cell too
narrow for its text elides and its tooltip has it whole. Headers are never cut. A page's own
table (the worklist) shares its width the same way through ``fit_to_width``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from photon_desktop.ui.common import theme
from photon_desktop.ui.common.paged_model import KEY_ROLE, WHOLE_ROLE, Column, header_data

T = TypeVar("T")
_ROOT = QModelIndex()
_Index = QModelIndex | QPersistentModelIndex
_TEXT_ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
)


class RowsModel(QAbstractTableModel, Generic[T]):
    """A fixed list of records shown read-only."""

    def __init__(self, columns: Sequence[Column[T]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: tuple[T, ...] = ()

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def item(self, row: int) -> T:
        return self._rows[row]

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in _TEXT_ROLES:
            return None
        return self._columns[index.column()].value(self._rows[index.row()])

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header_data(self._columns, len(self._rows), section, orientation, role)


class _Fitter(QObject):
    """Refits the columns whenever the table is resized or its rows change."""

    def __init__(self, table: QTableView, fit: Callable[[QTableView], None]) -> None:
        super().__init__(table)
        self._table = table
        self._fit = fit
        self._viewport = table.viewport()
        self._viewport.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The event type first: nothing else is touched while the table is being destroyed.
        if event.type() == QEvent.Type.Resize and watched is self._viewport:
            self._fit(self._table)
        return False


def fit_to_width(table: QTableView) -> None:
    """A page's table whose columns share its width as ``fit_columns`` does, refitted on every
    resize and new rows: a long description elides (its tooltip whole) instead of being squeezed
    to nothing beside columns sized to their contents."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    _Fitter(table, fit_columns)
    table.model().modelReset.connect(lambda: fit_columns(table))
    fit_columns(table)


def fit_columns(
    table: QTableView, *, margin: int = 14, header_margin: int = 20, scroll: bool = False
) -> None:
    """Share the viewport's width: each column gets what its header and cells need; when that
    is more than there is, columns wider than a fair share give up the difference (they elide),
    the key column (``Column(key=True)``) last. ``scroll``: a record list, which scrolls sideways
    rather than cut its dates and states when even those do not fit (``_share``)."""
    model = table.model()
    header = table.horizontalHeader()
    if model is None or header.count() == 0:
        return
    metrics = table.fontMetrics()
    header_metrics = header.fontMetrics()
    rows = min(model.rowCount(), 200)
    wanted: list[int] = []
    floors: list[int] = []
    whole: list[bool] = []
    words: list[int] = []  # a whole column's widest word: what it needs to wrap, not elide
    key: int | None = None
    columns = [c for c in range(header.count()) if not header.isSectionHidden(c)]
    if not columns:
        return
    for col in columns:
        title = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
        floor = header_metrics.horizontalAdvance(title) + header_margin
        widest = max(
            (metrics.horizontalAdvance(str(model.index(r, col).data() or "")) for r in range(rows)),
            default=0,
        )
        floors.append(floor)
        wanted.append(max(floor, widest + margin))
        whole.append(bool(model.headerData(col, Qt.Orientation.Horizontal, WHOLE_ROLE)))
        words.append(_widest_word(model, col, rows, metrics) + margin if whole[-1] else 0)
        if key is None and model.headerData(col, Qt.Orientation.Horizontal, KEY_ROLE):
            key = len(whole) - 1
    available = table.viewport().width()
    widths = _share(wanted, floors, available, whole, key, scrolls=scroll)
    if table.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
        # No scrolling sideways: past the edge is unseen. Where cells wrap, a date keeps the
        # width of its longest word ("12/1/2026" over "7:07 AM"), room permitting.
        keep = words if table.wordWrap() else None
        widths = squeezed(widths, available, keep)
    for col, width in zip(columns, widths, strict=True):
        header.resizeSection(col, width)


#: Columns that need at most this much (dates, states, counts) keep their width while wider ones
#: (names, treatments, emails) share what is left: a cut date reads wrong, a cut name still reads.
COMPACT = 120
#: The most of a table's width its key column takes when others must give way: a long treatment
#: reads whole, but never leaves the patient beside it a few letters.
KEY_SHARE = 0.5
#: What the key column keeps, at most its text, when a list too narrow for its dates and states
#: scrolls sideways instead ("Ciprofloxacin 500…").
KEY_WHEN_SCROLLING = 150


def _share(
    wanted: list[int],
    floors: list[int],
    available: int,
    whole: list[bool] | None = None,
    key: int | None = None,
    *,
    scrolls: bool = False,
) -> list[int]:
    """Columns fit when they can; otherwise compact and ``whole`` columns keep their width, the
    ``key`` column (the one a reader scans: a name, a treatment) then takes what it needs, and the
    other wide columns are capped together in what is left (water-filling, never below their
    header); slack goes to the last. When even that does not fit, a table that ``scrolls``
    sideways keeps its compact and whole columns whole (a cut date or state reads wrong), the key
    ``KEY_WHEN_SCROLLING`` and the other wide columns their headers, and scrolls; one that cannot
    shares the width with the key first."""
    total = sum(wanted)
    if total <= available:
        widths = list(wanted)
        widths[-1] += available - total
        return widths
    keep = whole or [False] * len(wanted)
    compact = [w <= COMPACT or k for w, k in zip(wanted, keep, strict=True)]
    most = int(available * KEY_SHARE)
    fixed = sum(w for w, c in zip(wanted, compact, strict=True) if c)
    wide_floors = sum(f for f, c in zip(floors, compact, strict=True) if not c)
    if any(compact) and not all(compact) and fixed + wide_floors <= available:
        wide = [i for i, c in enumerate(compact) if not c]
        shared = _key_first(
            [wanted[i] for i in wide],
            [floors[i] for i in wide],
            available - fixed,
            wide.index(key) if key in wide else None,
            most,
        )
        it = iter(shared)
        return [w if c else next(it) for w, c in zip(wanted, compact, strict=True)]
    if scrolls and any(compact):
        return [
            w if c else max(f, min(w, KEY_WHEN_SCROLLING)) if i == key else f
            for i, (w, f, c) in enumerate(zip(wanted, floors, compact, strict=True))
        ]
    return _key_first(wanted, floors, available, key, most)


def _key_first(
    wanted: list[int], floors: list[int], available: int, key: int | None, most: int
) -> list[int]:
    """The ``key`` column gets what it wants (up to ``most``) of what the others leave above
    their headers; the others share the rest under one cap, and what they do not need goes back
    to the key."""
    if key is None:
        return _cap(wanted, floors, available)
    others_floor = sum(floors) - floors[key]
    width = max(floors[key], min(wanted[key], most, available - others_floor))
    rest = _cap(
        wanted[:key] + wanted[key + 1 :], floors[:key] + floors[key + 1 :], available - width
    )
    width = max(width, min(wanted[key], available - sum(rest)))
    return [*rest[:key], width, *rest[key:]]


#: The narrowest a column is squeezed to when even the headers do not fit: an elided header
#: ("Prescri…", its tooltip whole) still says which column it is.
SQUEEZED = 36


def squeezed(widths: list[int], available: int, keep: list[int] | None = None) -> list[int]:
    """``widths`` narrowed to fit ``available`` where a table cannot scroll sideways: the widest
    give up the most (a common cap), none below ``SQUEEZED`` nor below its ``keep`` (when all
    those minimums fit); unchanged when they already fit."""
    if sum(widths) <= available:
        return widths
    least = [min(w, SQUEEZED) for w in widths]
    if keep is not None:
        kept = [max(low, min(w, k)) for w, low, k in zip(widths, least, keep, strict=True)]
        if sum(kept) <= available:
            least = kept
    return _cap(widths, least, available)


def _widest_word(model: Any, col: int, rows: int, metrics: QFontMetrics) -> int:
    texts = (str(model.index(r, col).data() or "") for r in range(rows))
    return max((metrics.horizontalAdvance(word) for t in texts for word in t.split()), default=0)


def _cap(wanted: list[int], floors: list[int], available: int) -> list[int]:
    if not wanted:
        return []
    low, high = 0, max(wanted)
    while low < high:  # the largest common cap whose widths still fit
        mid = (low + high + 1) // 2
        if sum(max(f, min(w, mid)) for w, f in zip(wanted, floors, strict=True)) <= available:
            low = mid
        else:
            high = mid - 1
    return [max(f, min(w, low)) for w, f in zip(wanted, floors, strict=True)]


def one_tab_stop(view: QAbstractItemView) -> None:
    """Tab and Shift+Tab leave a read-only record table, as they leave any other control; the
    arrow keys move inside it. A ``QTableView`` moves from cell to cell on Tab by default, and a
    keyboard user never got past a list to the buttons and filters around it."""
    view.setTabKeyNavigation(False)


def rows_table(model: QAbstractTableModel, name: str, parent: QWidget) -> QTableView:
    """A compact read-only table sized to its rows (it lives inside a scrolling detail)."""
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName(name)
    table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    theme.use_plain_style(table)  # no check boxes in its cells (see there)
    one_tab_stop(table)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(False)
    # A few rows: when the width runs out, dates and times wrap onto a second line (rows grow)
    # rather than lose their end; a long unbroken name elides, its tooltip whole.
    table.setWordWrap(True)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    _Fitter(table, fit_rows_table)
    model.modelReset.connect(lambda: fit_rows_table(table))
    fit_rows_table(table)
    return table


def fit_rows_table(table: QTableView) -> None:
    """Columns to the width, rows to their (wrapped) text, the table to its rows: no inner
    scrolling inside a page that already scrolls."""
    fit_columns(table)
    table.resizeRowsToContents()
    model = table.model()
    height = table.horizontalHeader().height() + 2 * table.frameWidth()
    rows_height = sum(table.rowHeight(r) for r in range(model.rowCount()))
    height += rows_height or table.verticalHeader().defaultSectionSize()
    table.setFixedHeight(height)
