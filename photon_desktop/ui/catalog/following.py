"""What the catalog and template pages share: they reload when the environment, the signed-in user
or the organization changes (each sees other catalogs and private templates); a page title
and a list table."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QWidget

from photon_desktop.ui.common.rows_table import one_tab_stop
from photon_desktop.ui.workspace import Workspace


class FollowsSignIn(QObject):
    """Calls ``reload()`` now (if connected), on every environment switch, when its server stops
    or runs again, and whenever the session's user or organization differs from the one last
    loaded for."""

    def __init__(self, workspace: Workspace, reload: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._reload = reload
        self._who: tuple[str | None, str | None] | None = None
        workspace.environment_changed.connect(reload)
        workspace.availability_changed.connect(reload)
        workspace.session_changed.connect(self._on_session_changed)
        self._on_session_changed()

    def _on_session_changed(self) -> None:
        session = self._workspace.session if self._workspace.ready else None
        who = (session.identity, session.organization_id) if session is not None else None
        if who != self._who:
            self._who = who
            self._reload()


def title_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("pageTitle")
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    return label


def list_table(model: QAbstractTableModel, name: str, parent: QWidget) -> QTableView:
    """A page-filling list of records: rows selected whole, the first column stretched."""
    view = QTableView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    one_tab_stop(view)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    return view
