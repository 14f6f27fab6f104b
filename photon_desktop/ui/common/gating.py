"""Show or enable an action only while the session carries its permission, and say why not."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from photon_desktop.ui.workspace import Workspace


class PermissionGate(QObject):
    """Keeps widgets/actions in step with one permission of the workspace's session.

    ``hide=True`` hides what is gated (e.g. prescription actions); otherwise it is disabled and its
    tooltip says why, so a gated action that is unavailable explains itself.
    """

    def __init__(
        self,
        workspace: Workspace,
        permission: str,
        targets: list[QWidget | QAction],
        *,
        hide: bool = False,
        tooltip: str = "",
    ) -> None:
        super().__init__(targets[0] if targets and isinstance(targets[0], QObject) else None)
        self._workspace = workspace
        self._permission = permission
        self._targets = list(targets)
        self._hide = hide
        self._tooltip = tooltip
        workspace.session_changed.connect(self.update)
        self.update()

    @property
    def allowed(self) -> bool:
        return self._workspace.ready and self._workspace.session.has(self._permission)

    def reason(self) -> str:
        if not self._workspace.ready:
            return "Not connected to Photon."
        return self._workspace.session.why_not(self._permission)

    def update(self) -> None:
        allowed = self.allowed
        why = "" if allowed else self.reason()
        for target in self._targets:
            if self._hide:
                target.setVisible(allowed)
            target.setEnabled(allowed)
            target.setToolTip(self._tooltip if allowed else why)
            if isinstance(target, QWidget):
                target.setAccessibleDescription(why)
