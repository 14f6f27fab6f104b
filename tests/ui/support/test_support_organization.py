"""The Organization tab against the sandbox with each demo user's real sign-in: the admin sees
every section and manages webhooks through the dialog; other users see why each section is
hidden and no administrative request is sent; no API client secret reaches the screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from organization_tab import editor_of, open_tab
from PySide6.QtWidgets import QMessageBox, QWidget
from support_screens import SHOTS, all_texts, shoot
from ui_support import Connection, until

from photon_desktop.ui.common.theme import Theme
from photon_desktop.ui.support.page import SupportPage
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]
ADMIN_READS = {"OrganizationUsers", "Invites", "ApiClients", "Webhooks"}


def client_secrets(sandbox: Any) -> list[str]:
    """The secrets the sandbox would give anyone who asked (the app must not ask)."""
    token = sandbox.user_token("admin@sandbox.photon.local")
    answer = httpx.post(
        sandbox.graphql_url,
        json={"query": "{ clients { id secret } }"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    found = [c["secret"] for c in answer["data"]["clients"] if c["secret"]]
    assert found, answer
    return found


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")
def test_admin_sees_everything_and_manages_webhooks(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    secrets = client_secrets(sandbox)

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("admin")
            view = await open_tab(conn, widgets)
            assert all(s.body.isVisibleTo(view) for s in view.sections), [
                s.note.text() for s in view.sections
            ]
            assert view.org_values["id"].text() == conn.session.organization_id
            emails = {view.user_model.item(r).email for r in range(view.user_model.rowCount())}
            assert "admin@sandbox.photon.local" in emails
            assert view.invite_model.rowCount() == 2
            ids = {view.client_model.item(r).id for r in range(view.client_model.rowCount())}
            assert sandbox.m2m_client_id in ids
            texts = all_texts(view)
            for secret in secrets:
                assert secret not in texts
            sent = {e.operation for e in conn.services.request_log.entries}
            assert sent >= ADMIN_READS
            before = view.webhook_model.rowCount()

            # A bad address is caught in the dialog; then a real subscription is created.
            view.new_button.click()
            editor = await editor_of(view)
            editor.url.setText("http://insecure.example/hook")
            editor.buttons.button(editor.buttons.StandardButton.Save).click()
            assert "https://" in editor.errors["url"].text() and editor.isVisible()
            editor.url.setText("https://clinic.example/desk-hook")
            editor.name.setText("Desk hook")
            editor.secret.setText("whsec-never-shown")
            editor.set_checked({"photon:order:error"})
            editor.buttons.button(editor.buttons.StandardButton.Save).click()
            await until(lambda: view.webhook_model.rowCount() == before + 1)
            assert "whsec-never-shown" not in all_texts(view)
            row = next(
                r for r in range(view.webhook_model.rowCount())
                if view.webhook_model.item(r).name == "Desk hook"
            )  # fmt: skip
            assert view.webhook_model.item(row).filters == ("photon:order:error",)

            # Edit it.
            view.webhook_table.selectRow(row)
            view.edit_button.click()
            editor = await editor_of(view)
            assert editor.url.text() == "https://clinic.example/desk-hook"
            editor.name.setText("Desk hook 2")
            editor.buttons.button(editor.buttons.StandardButton.Save).click()
            await until(lambda: view.webhook_status.text() == "Saved Desk hook 2.")
            assert view.webhook_model.item(row).name == "Desk hook 2"

            # Delete it, after confirming.
            view.webhook_table.selectRow(row)
            view.delete_button.click()
            await until(lambda: view.findChild(QMessageBox) is not None)
            box = view.findChild(QMessageBox)
            assert box is not None and "Desk hook 2" in box.text()
            next(b for b in box.buttons() if b.text() == "Delete").click()
            await until(lambda: view.webhook_model.rowCount() == before)
            assert view.webhook_status.text() == "Deleted Desk hook 2."
        finally:
            await conn.aclose()

    arun(scenario())


@pytest.mark.parametrize("role", ["prescriber", "staff", "support"])
@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")
def test_other_users_see_why_and_send_no_administrative_request(
    arun: Run, sandbox: Any, widgets: list[QWidget], role: str
) -> None:
    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user(role)
            view = await open_tab(conn, widgets)
            for section in view.sections:
                assert not section.body.isVisibleTo(view)
                assert section.note.text().startswith(f"Needs the {section.permission}")
            assert not view.new_button.isEnabled()
            sent = {e.operation for e in conn.services.request_log.entries}
            assert not sent & ADMIN_READS
        finally:
            await conn.aclose()

    arun(scenario())


@pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")
def test_organization_screenshots(
    arun: Run, sandbox: Any, widgets: list[QWidget], theme: Theme
) -> None:
    scheme = "dark" if theme.dark else "light"
    SHOTS.mkdir(parents=True, exist_ok=True)

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("admin")
            view = await open_tab(conn, widgets)
            page = view.parentWidget().parentWidget().parentWidget()  # the SupportPage
            assert isinstance(page, SupportPage)
            shoot(page, f"organization-{scheme}")
            view.new_button.click()
            editor = await editor_of(view)
            editor.url.setText("https://clinic.example/hook")
            editor.set_checked({"photon:order:error", "photon:order:fulfillment"})
            assert editor.grab().save(str(SHOTS / f"webhook-editor-{scheme}.png"))
            editor.reject()
        finally:
            await conn.aclose()

    arun(scenario())
