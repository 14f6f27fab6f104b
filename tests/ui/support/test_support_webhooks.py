"""Webhook writes in the Organization tab when Photon fails, is slow or answers nothing: the
dialog keeps what was typed and says why, an unknown outcome is never called "not saved" and
never resent blindly, and no change is reported saved that was not made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from organization_tab import editor_of, open_tab
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from ui_support import Connection, until
from write_support import answer, gone

from photon_desktop.ui.support.organization import OrganizationView
from photon_desktop.ui.support.webhook_editor import WebhookEditor
from photon_desktop.ui.workspace import Workspace

Run = Callable[..., Any]
pytestmark = pytest.mark.qt_log_ignore(
    "propagateSizeHints", "does not support raise", "grabbing the keyboard"
)


def hooks(sandbox: Any) -> list[dict[str, Any]]:
    """The subscriptions as Photon holds them."""
    token = sandbox.user_token("admin@sandbox.photon.local")
    answer = httpx.post(
        sandbox.graphql_url,
        json={"query": "{ webhooks { id url name filters } }"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    return list(answer["data"]["webhooks"])


def admin_post(sandbox: Any, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    token = sandbox.user_token("admin@sandbox.photon.local")
    answer = httpx.post(
        sandbox.graphql_url,
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    answer.raise_for_status()
    return dict(answer.json()["data"])


def make_hook(sandbox: Any, url: str, name: str) -> str:
    """A subscription made outside the app (its id)."""
    made = admin_post(
        sandbox,
        "mutation($url: String!, $name: String) { createWebhookConfig(url: $url, name: $name) "
        "{ id } }",
        {"url": url, "name": name},
    )
    return str(made["createWebhookConfig"]["id"])


def drop_hooks(sandbox: Any, url: str) -> None:
    """Leave the shared sandbox as found: the subscriptions to ``url`` a test made, deleted."""
    for hook in hooks(sandbox):
        if hook["url"] == url:
            admin_post(
                sandbox,
                "mutation($id: String!) { deleteWebhookConfig(id: $id) }",
                {"id": hook["id"]},
            )


def sent(sandbox: Any, operation: str) -> int:
    """How many ``operation`` requests the sandbox has run (a refused one never ran)."""
    return int(sandbox.stats()["graphql_requests"].get(operation, 0))


def checked(editor: WebhookEditor) -> set[str]:
    return {
        editor.events.item(r).text()
        for r in range(editor.events.count())
        if editor.events.item(r).checkState() == Qt.CheckState.Checked
    }


def save(editor: WebhookEditor) -> None:
    editor.buttons.button(editor.buttons.StandardButton.Save).click()


def fill_new(editor: WebhookEditor, url: str) -> None:
    editor.url.setText(url)
    editor.name.setText("Pharmacy desk — Überwachung")
    editor.secret.setText("s3cret-value")
    editor.set_checked({"photon:order:error"})


async def new_saved_with_its_answer_lost(
    sandbox: Any, conn: Connection, widgets: list[QWidget], url: str
) -> tuple[OrganizationView, WebhookEditor, int]:
    """A new subscription to ``url`` typed and saved: the create is saved but its answer lost,
    and the list cannot be read to check. The tab, its editor (once it says why) and how many
    creates the sandbox had run before."""
    view = await open_tab(conn, widgets)
    view.new_button.click()
    editor = await editor_of(view)
    fill_new(editor, url)
    sandbox.fail_next(
        {"kind": "drop_after", "operation": "CreateWebhook"},
        *[{"kind": "status", "status": 503, "operation": "Webhooks"}] * 3,
    )
    before = sent(sandbox, "CreateWebhook")
    save(editor)
    await until(lambda: editor.isVisible() and editor.message.isVisible(), within=20)
    return view, editor, before


def kept_what_was_typed(editor: WebhookEditor, url: str) -> None:
    assert editor.isVisible()
    assert editor.url.text() == url
    assert editor.name.text() == "Pharmacy desk — Überwachung"
    assert editor.secret.text() == "s3cret-value"
    assert checked(editor) == {"photon:order:error"}


def test_a_failed_create_keeps_the_dialog_and_what_was_typed(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    url = "https://ehr.example.org/photon/refused-once"

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("admin")
            view = await open_tab(conn, widgets)
            view.new_button.click()
            editor = await editor_of(view)
            fill_new(editor, url)
            sandbox.fail_next({"kind": "status", "status": 503, "operation": "CreateWebhook"})
            before = sent(sandbox, "CreateWebhook")
            save(editor)
            await until(lambda: editor.isVisible() and editor.message.isVisible(), within=15)
            kept_what_was_typed(editor, url)
            assert editor.message.text().startswith("Not saved:"), editor.message.text()
            assert "503" in editor.message.text()
            assert view.webhook_status.text() == ""
            assert not [h for h in hooks(sandbox) if h["url"] == url]

            save(editor)  # the same, again: now it goes through, once
            await until(lambda: view.webhook_status.text().startswith("Saved"), within=15)
            assert view.webhook_status.text() == "Saved Pharmacy desk — Überwachung."
            assert [h["url"] for h in hooks(sandbox)].count(url) == 1
            assert sent(sandbox, "CreateWebhook") == before + 1
        finally:
            await conn.aclose()
            drop_hooks(sandbox, url)

    arun(scenario())


def test_an_unknown_outcome_is_not_called_unsaved_and_is_looked_for_before_a_resend(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    url = "https://ehr.example.org/photon/answer-lost"

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("admin")
            view, editor, before = await new_saved_with_its_answer_lost(sandbox, conn, widgets, url)
            kept_what_was_typed(editor, url)
            said = editor.message.text()
            assert "not saved" not in said.lower() and "could not check" in said, said
            assert "Check the webhook list" in said

            sandbox.reset_faults()
            save(editor)  # looked for first: found, so not sent a second time
            await until(lambda: view.webhook_status.text().startswith("Saved"), within=15)
            assert gone(editor)
            assert [h["url"] for h in hooks(sandbox)].count(url) == 1
            assert sent(sandbox, "CreateWebhook") == before + 1
            assert url in {
                view.webhook_model.item(r).url for r in range(view.webhook_model.rowCount())
            }
        finally:
            await conn.aclose()
            drop_hooks(sandbox, url)

    arun(scenario())


def test_an_address_edited_after_an_unknown_outcome_changes_that_subscription(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    """The first save may have gone through; the user corrects the address and saves again: the
    subscription saved by the first send is changed, not joined by a second one."""
    first, corrected = "https://ehr.example.org/photon/typo", "https://ehr.example.org/photon/fixed"

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("admin")
            view, editor, before = await new_saved_with_its_answer_lost(
                sandbox, conn, widgets, first
            )
            assert "could not check" in editor.message.text()

            sandbox.reset_faults()
            editor.url.setText(corrected)
            editor.set_checked({"photon:order:error", "photon:order:fulfillment"})
            save(editor)
            await until(lambda: view.webhook_status.text().startswith("Saved"), within=15)
            assert gone(editor)
            mine = [h for h in hooks(sandbox) if h["url"] in (first, corrected)]
            assert [h["url"] for h in mine] == [corrected]
            assert set(mine[0]["filters"]) == {"photon:order:error", "photon:order:fulfillment"}
            assert sent(sandbox, "CreateWebhook") == before + 1
        finally:
            await conn.aclose()
            drop_hooks(sandbox, first)
            drop_hooks(sandbox, corrected)

    arun(scenario())


def row_of(view: Any, hook_id: str) -> int:
    return next(
        r for r in range(view.webhook_model.rowCount()) if view.webhook_model.item(r).id == hook_id
    )


def test_a_name_cleared_on_edit_is_cleared(arun: Run, sandbox: Any, widgets: list[QWidget]) -> None:
    url = "https://ehr.example.org/photon/named"
    hook_id = make_hook(sandbox, url, "Front desk")

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("admin")
            view = await open_tab(conn, widgets)
            view.webhook_table.selectRow(row_of(view, hook_id))
            view.edit_button.click()
            editor = await editor_of(view)
            assert editor.name.text() == "Front desk"
            editor.name.clear()
            save(editor)
            await until(lambda: view.webhook_status.text().startswith("Saved"), within=15)
            assert view.webhook_status.text() == f"Saved {url}."
            held = next(h for h in hooks(sandbox) if h["id"] == hook_id)
            assert held["name"] is None
            assert view.webhook_model.item(row_of(view, hook_id)).name is None
        finally:
            await conn.aclose()
            drop_hooks(sandbox, url)

    arun(scenario())


def test_a_name_photon_kept_is_said_not_reported_as_changed(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    """The schema does not say how Photon reads an empty name; its answer is what it keeps. If
    that is not what was asked, "Saved" must say so (a stand-in answer for this one call)."""
    url = "https://ehr.example.org/photon/kept-name"
    hook_id = make_hook(sandbox, url, "Front desk")

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("admin")
            view = await open_tab(conn, widgets)
            service = conn.workspace.services.organization
            real = service.update_webhook

            async def keeping_the_name(webhook_id: str, **asked: Any) -> Any:
                saved = await real(webhook_id, **{**asked, "name": None})  # left unchanged
                return saved

            service.update_webhook = keeping_the_name  # type: ignore[method-assign]
            view.webhook_table.selectRow(row_of(view, hook_id))
            view.edit_button.click()
            editor = await editor_of(view)
            editor.name.clear()
            save(editor)
            await until(lambda: view.webhook_status.text().startswith("Saved"), within=15)
            assert view.webhook_status.text() == (
                f"Saved {url}, but Photon kept “Front desk” as its name."
            )
        finally:
            await conn.aclose()
            drop_hooks(sandbox, url)

    arun(scenario())


def test_a_slow_delete_is_shown_under_way_and_cannot_be_sent_twice(
    arun: Run, sandbox: Any, widgets: list[QWidget]
) -> None:
    url = "https://ehr.example.org/photon/slow-delete"
    hook_id = make_hook(sandbox, url, "Slow")

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("admin")
            view = await open_tab(conn, widgets)
            view.webhook_status.setText("Saved Slow.")  # what an earlier write left there
            view.webhook_table.selectRow(row_of(view, hook_id))
            sandbox.set_faults(latency_ms=1500, operations=["DeleteWebhook"])
            before = sent(sandbox, "DeleteWebhook")
            view.delete_button.click()
            await answer("Delete webhook", "Delete")
            await until(lambda: view.webhook_status.text() == "Deleting Slow…")
            buttons = (view.new_button, view.edit_button, view.delete_button)
            assert not any(b.isEnabled() for b in buttons)
            await view.delete_webhook()  # a click that slipped through: nothing is asked or sent
            await until(lambda: view.webhook_status.text() == "Deleted Slow.", within=15)
            assert all(b.isEnabled() for b in buttons)
            assert sent(sandbox, "DeleteWebhook") == before + 1
            assert hook_id not in {h["id"] for h in hooks(sandbox)}
            rows = {view.webhook_model.item(r).id for r in range(view.webhook_model.rowCount())}
            assert hook_id not in rows
        finally:
            await conn.aclose()
            drop_hooks(sandbox, url)

    arun(scenario())


def test_no_subscriptions_says_so_and_how_to_add_one(
    arun: Run, fresh_sandbox: Any, widgets: list[QWidget]
) -> None:
    sandbox = fresh_sandbox(patients=5)
    for hook in hooks(sandbox):  # the demo subscription
        admin_post(
            sandbox, "mutation($id: String!) { deleteWebhookConfig(id: $id) }", {"id": hook["id"]}
        )

    async def scenario() -> None:
        conn = Connection(sandbox, Workspace())
        try:
            await conn.as_user("admin")
            view = await open_tab(conn, widgets)
            assert view.webhooks_empty.isVisible() and not view.webhook_table.isVisible()
            assert view.webhooks_empty.text() == (
                "No webhook subscriptions yet. Add one with New webhook…"
            )
            assert view.new_button.isEnabled() and view.new_button.text() == "New webhook…"

            view.new_button.click()
            editor = await editor_of(view)
            editor.url.setText("https://ehr.example.org/photon/first")
            save(editor)
            await until(lambda: view.webhook_table.isVisible())
            assert not view.webhooks_empty.isVisible()
            assert view.webhook_model.rowCount() == 1
        finally:
            await conn.aclose()

    arun(scenario())
