"""Where a detail's write actions go, each gated by its permission; hidden while empty."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from photon_desktop.ui.common.gating import PermissionGate
from photon_desktop.ui.workspace import Workspace


class ActionBar(QWidget):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailActions")
        self.setAccessibleName("Actions")
        self._workspace = workspace
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addStretch(1)
        self.gates: list[PermissionGate] = []
        self.setVisible(False)

    def add(
        self, target: QWidget | QAction, permission: str, *, hide: bool = False, tooltip: str = ""
    ) -> PermissionGate:
        """Add a button (or an action, as a tool button) that needs ``permission``."""
        if isinstance(target, QAction):
            button = QToolButton(self)
            button.setDefaultAction(target)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAccessibleName(target.text().replace("&", ""))
            self._layout.addWidget(button)
        else:
            target.setParent(self)
            self._layout.addWidget(target)
        gate = PermissionGate(self._workspace, permission, [target], hide=hide, tooltip=tooltip)
        self.gates.append(gate)
        self.setVisible(True)
        return gate

    @property
    def empty(self) -> bool:
        return not self.gates
