"""The Support page: the request log, the GraphQL console, CSV export, the session
inspector and the organization's administration, as tabs.

Shown to everyone; each tool gates itself (the console's mutations by the permission they need,
each export by the read permission of its list). The schema is read on the console's
first check, not at start-up. The Help menu's diagnostics belong to the window (``Diagnostics``).
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from photon_desktop.ui.support.console import ConsoleView
from photon_desktop.ui.support.export import ExportView
from photon_desktop.ui.support.organization import OrganizationView
from photon_desktop.ui.support.request_log import RequestLogView
from photon_desktop.ui.support.session import SessionInspector
from photon_desktop.ui.workspace import Workspace


class SupportPage(QWidget):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Support")
        self.request_log = RequestLogView(workspace, self)
        self.console = ConsoleView(workspace, self)
        self.export = ExportView(workspace, self)
        self.session = SessionInspector(workspace, self)
        self.organization = OrganizationView(workspace, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.request_log, "Request log")
        self.tabs.addTab(self.console, "GraphQL console")
        self.tabs.addTab(self.export, "Export")
        self.tabs.addTab(self.session, "Session")
        self.tabs.addTab(self.organization, "Organization")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    # The window's page protocol.
    def refresh(self) -> None:
        pass

    def can_refresh(self) -> bool:
        return False

    def focus_search(self) -> bool:
        self.tabs.setCurrentWidget(self.request_log)
        self.request_log.filter.setFocus()
        return True

    def refresh_icons(self) -> None:
        self.console.restyle()

    def cancel_tasks(self) -> None:
        self.request_log.cancel_tasks()
        self.console.cancel_tasks()
        self.export.cancel_tasks()
        self.session.cancel_tasks()
        self.organization.cancel_tasks()
