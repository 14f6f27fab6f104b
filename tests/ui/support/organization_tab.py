"""The Support page's Organization tab, opened for a test, and the webhook dialog it opens."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget
from ui_support import Connection, until

from photon_desktop.ui.support.organization import OrganizationView
from photon_desktop.ui.support.page import SupportPage
from photon_desktop.ui.support.webhook_editor import WebhookEditor


async def open_tab(conn: Connection, widgets: list[QWidget]) -> OrganizationView:
    page = SupportPage(conn.workspace)
    widgets.append(page)
    page.resize(1100, 1000)
    page.show()
    page.tabs.setCurrentWidget(page.organization)
    view = page.organization
    await until(lambda: view.loaded.is_set(), within=15)
    return view


async def editor_of(view: OrganizationView) -> WebhookEditor:
    await until(lambda: view.findChild(WebhookEditor, "webhook-editor") is not None)
    editor = view.findChild(WebhookEditor, "webhook-editor")
    assert editor is not None
    return editor
