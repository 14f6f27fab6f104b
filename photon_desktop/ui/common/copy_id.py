"""Ctrl+C on a table of records copies the id of the record in its selected row ("Enter opens the
selected row, Ctrl+C copies its id"), not the text of the cell under the cursor, and the window's
status bar says what was copied."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QStatusTipEvent
from PySide6.QtWidgets import QAbstractItemView, QWidget

from photon_desktop.ui.common import icons

#: The kind and id of the record in the table's selected row (``("order", "ord_…")``), or None.
Selected = Callable[[], tuple[str, str] | None]


def show_status(widget: QWidget, text: str) -> None:
    """A short message in the window's status bar (Qt delivers it to the main window)."""
    QCoreApplication.sendEvent(widget, QStatusTipEvent(text))


def copy_id_action(table: QAbstractItemView, text: str, selected: Selected) -> QAction:
    """The table's "Copy … ID" action on Ctrl+C while it has the focus (also for its menus)."""
    action = QAction(icons.icon("copy"), text, table)
    action.setShortcut(QKeySequence.StandardKey.Copy)
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    action.triggered.connect(lambda: copy_selected_id(table, selected))
    table.addAction(action)
    return action


def copy_selected_id(widget: QWidget, selected: Selected) -> None:
    found = selected()
    if found is not None:
        kind, record_id = found
        QGuiApplication.clipboard().setText(record_id)
        show_status(widget, f"Copied {kind} ID {record_id}")
