"""The Organization tab: the organization, its users and roles, pending invites, API clients and
webhook subscriptions, each shown only to a session holding its read permission (no request is
sent without it); webhooks are created, edited and deleted with ``write:webhook_config``.

API client secrets are never asked for; a webhook's shared secret is sent, never shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.errors import InvalidInput, PhotonError, WriteOutcomeUnknown
from photon_desktop.services.organization import (
    PERMISSIONS,
    ApiClient,
    Invite,
    Organization,
    Role,
    User,
    Webhook,
)
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.formatting import fmt_address, fmt_datetime, fmt_phone
from photon_desktop.ui.common.gating import PermissionGate
from photon_desktop.ui.common.paged_model import Column
from photon_desktop.ui.common.problems import failed_write
from photon_desktop.ui.common.questions import ask
from photon_desktop.ui.common.rows_table import RowsModel, rows_table
from photon_desktop.ui.common.scrolling import scroll_page
from photon_desktop.ui.support.webhook_editor import WebhookEditor
from photon_desktop.ui.workspace import Workspace

USER_COLUMNS: tuple[Column[User], ...] = (
    Column("Name", lambda u: u.name.full if u.name else ""),
    Column("E-mail", lambda u: u.email or ""),
    Column("Roles", lambda u: ", ".join(u.roles)),
    Column("NPI", lambda u: u.npi or ""),
)
ROLE_COLUMNS: tuple[Column[Role], ...] = (
    Column("Role", lambda r: r.name or r.id),
    Column("Description", lambda r: r.description or ""),
)
INVITE_COLUMNS: tuple[Column[Invite], ...] = (
    Column("E-mail", lambda i: i.email),
    Column("Roles", lambda i: ", ".join(i.roles)),
    Column("Sent", lambda i: fmt_datetime(i.created_at), whole=True),
    Column("Expires", lambda i: fmt_datetime(i.expires_at), whole=True),
    Column("State", lambda i: "expired" if i.expired else "pending"),
)
CLIENT_COLUMNS: tuple[Column[ApiClient], ...] = (
    Column("Name", lambda c: c.name or ""),
    Column("Client ID", lambda c: c.id),
    Column("Kind", lambda c: c.app_type or ""),
)
WEBHOOK_COLUMNS: tuple[Column[Webhook], ...] = (
    Column("Name", lambda h: h.name or ""),
    Column("Address", lambda h: h.url or ""),
    Column("Events", lambda h: ", ".join(h.filters) or "all"),
)


class Section(QGroupBox):
    """One part of the tab: its permission, a note (why hidden, loading, failure), its content."""

    def __init__(self, title: str, permission: str, workspace: Workspace) -> None:
        super().__init__(title)
        self.setAccessibleName(title)
        self.permission = permission
        self.workspace = workspace
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.body)

    @property
    def allowed(self) -> bool:
        return self.workspace.ready and self.workspace.session.has(self.permission)

    def say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def gate(self) -> bool:
        """Show the body only with the permission; say why not otherwise."""
        allowed = self.allowed
        self.body.setVisible(allowed)
        if not allowed:
            why = self.workspace.session.why_not(self.permission) if self.workspace.ready else ""
            self.say(f"Needs the {self.permission} permission. {why}".strip())
        return allowed


class OrganizationView(QWidget):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Organization")
        self.workspace = workspace
        self.webhook_rows: tuple[Webhook, ...] = ()
        self._writing = False  # a webhook save or delete is under way
        self.loaded = asyncio.Event()
        self._loading = tasks.Latest(owner=self)

        self.org = Section("Organization", PERMISSIONS["organization"], workspace)
        self.org_form = QFormLayout()
        self.org_values = {
            key: QLabel("") for key in ("name", "id", "type", "npi", "phone", "address")
        }
        for key, title in (
            ("name", "Name"),
            ("id", "ID"),
            ("type", "Type"),
            ("npi", "NPI"),
            ("phone", "Phone"),
            ("address", "Address"),
        ):
            self.org_form.addRow(title + ":", self.org_values[key])
        self.org.body_layout.addLayout(self.org_form)

        self.users = Section("Users and roles", PERMISSIONS["users"], workspace)
        self.user_model: RowsModel[User] = RowsModel(USER_COLUMNS, self)
        self.role_model: RowsModel[Role] = RowsModel(ROLE_COLUMNS, self)
        self.users.body_layout.addWidget(rows_table(self.user_model, "Users", self))
        self.users.body_layout.addWidget(rows_table(self.role_model, "Roles", self))

        self.invites = Section("Pending invites", PERMISSIONS["invites"], workspace)
        self.invite_model: RowsModel[Invite] = RowsModel(INVITE_COLUMNS, self)
        self.invites.body_layout.addWidget(rows_table(self.invite_model, "Invites", self))

        self.clients = Section("API clients", PERMISSIONS["clients"], workspace)
        self.client_model: RowsModel[ApiClient] = RowsModel(CLIENT_COLUMNS, self)
        self.clients.body_layout.addWidget(rows_table(self.client_model, "API clients", self))
        self.clients.body_layout.addWidget(
            QLabel("Client secrets are never shown here; rotate them in Photon's dashboard.")
        )

        self.webhooks = Section("Webhook subscriptions", PERMISSIONS["webhooks"], workspace)
        self.webhook_model: RowsModel[Webhook] = RowsModel(WEBHOOK_COLUMNS, self)
        self.webhook_table: QTableView = rows_table(self.webhook_model, "Webhooks", self)
        self.new_button = QPushButton("New webhook…")
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete…")
        self.new_button.clicked.connect(lambda: self._spawn(self.create_webhook(), "webhook-new"))
        self.edit_button.clicked.connect(lambda: self._spawn(self.edit_webhook(), "webhook-edit"))
        self.delete_button.clicked.connect(
            lambda: self._spawn(self.delete_webhook(), "webhook-delete")
        )
        self.webhooks_empty = QLabel("")
        self.webhooks_empty.setWordWrap(True)
        self.webhooks_empty.setAccessibleName("No webhooks")
        self.webhooks_empty.setVisible(False)
        self.webhook_status = QLabel("")
        self.webhook_status.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.webhooks.body_layout.addWidget(self.webhook_table)
        self.webhooks.body_layout.addWidget(self.webhooks_empty)
        self.webhooks.body_layout.addLayout(buttons)
        self.webhooks.body_layout.addWidget(self.webhook_status)
        self.write_gate = PermissionGate(
            workspace,
            PERMISSIONS["edit_webhooks"],
            [self.new_button, self.edit_button, self.delete_button],
        )

        inner = QWidget()
        column = QVBoxLayout(inner)
        for section in self.sections:
            column.addWidget(section)
        column.addStretch(1)
        scroll = scroll_page(inner, sideways=True)  # its tables' heights follow their widths
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        workspace.session_changed.connect(self.reload)

    @property
    def sections(self) -> tuple[Section, ...]:
        return (self.org, self.users, self.invites, self.clients, self.webhooks)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.reload()

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        tasks.spawn(coro, owner=self, name=name)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        if not self.workspace.ready or not tasks.loop_running() or not self.isVisible():
            return
        self.loaded.clear()
        self._loading.spawn(self._load_all(), name="organization")

    async def _load_all(self) -> None:
        org_service = self.workspace.services.organization
        catalog = self.workspace.services.catalog

        async def users() -> None:
            people, roles = await org_service.users()
            self.user_model.set_rows(people)
            self.role_model.set_rows(roles)

        async def org() -> None:
            self.show_organization(await catalog.organization())

        loads: list[tuple[Section, Callable[[], Awaitable[None]]]] = [
            (self.org, org),
            (self.users, users),
            (self.invites, lambda: self._fill(self.invite_model, org_service.invites())),
            (self.clients, lambda: self._fill(self.client_model, org_service.clients())),
            (self.webhooks, self._load_webhooks),
        ]
        await asyncio.gather(*(self._load(section, load) for section, load in loads))
        self.loaded.set()

    async def _load(self, section: Section, load: Callable[[], Awaitable[None]]) -> None:
        if not section.gate():
            return
        section.say("Loading…")
        try:
            await load()
        except PhotonError as error:
            section.say(str(error))
            section.body.setVisible(False)
        else:
            section.say("")

    async def _fill(self, model: RowsModel[Any], rows: Awaitable[Sequence[Any]]) -> None:
        model.set_rows(await rows)

    async def _load_webhooks(self) -> None:
        self.webhook_rows = await self.workspace.services.organization.webhooks()
        self.webhook_model.set_rows(self.webhook_rows)
        self._show_empty_webhooks()

    def _show_empty_webhooks(self) -> None:
        """No subscriptions: say so, and how to add one, instead of an empty table."""
        empty = not self.webhook_rows
        self.webhook_table.setVisible(not empty)
        self.webhooks_empty.setVisible(empty)
        how = " Add one with New webhook…" if self.write_gate.allowed else ""
        self.webhooks_empty.setText(f"No webhook subscriptions yet.{how}")

    async def _reload_webhooks(self) -> None:
        """After a saved change: the list again (a failure to read it does not undo the save)."""
        try:
            await self._load_webhooks()
        except PhotonError as error:
            self.webhooks.say(f"The list could not be read again: {error}")

    def show_organization(self, org: Organization) -> None:
        v = self.org_values
        v["name"].setText(org.name)
        v["id"].setText(org.id)
        v["type"].setText(org.type or "—")
        v["npi"].setText(org.npi or "—")
        v["phone"].setText(fmt_phone(org.phone))
        v["address"].setText(fmt_address(org.address, one_line=True))

    # ------------------------------------------------------------------ webhook writes

    def selected_webhook(self) -> Webhook | None:
        rows = self.webhook_table.selectionModel().selectedRows()
        return self.webhook_model.item(rows[0].row()) if rows else None

    async def create_webhook(self) -> None:
        if not self._writing:
            await self._edit(None)

    async def edit_webhook(self) -> None:
        if self._writing:
            return
        hook = self.selected_webhook()
        if hook is None:
            self.webhook_status.setText("Select a webhook to edit.")
            return
        await self._edit(hook)

    async def _edit(self, hook: Webhook | None) -> None:
        """Open the dialog until a save goes through or the user cancels: a refused or failed
        save shows why in the dialog, with everything typed still in it."""
        editor = WebhookEditor(self, hook)
        editor.setObjectName("webhook-editor")
        service = self.workspace.services.organization
        known = self.webhook_rows  # the list the user saw: what a new subscription is not
        unknown: WriteOutcomeUnknown | None = None  # the last save may have gone through
        tried: list[str] = []  # the addresses of saves that may have gone through
        while True:
            if not await _answered(editor):
                _dispose(editor)
                if unknown is not None:
                    await self._reload_webhooks()
                    self.webhook_status.setText(str(unknown))
                return
            draft = editor.draft()
            self._busy("Saving…")
            try:
                if hook is None:
                    saved = await service.create_webhook(
                        draft.url,
                        name=draft.name or None,
                        filters=draft.filters,
                        shared_secret=draft.shared_secret,
                        known=known,
                        earlier=tried,
                    )
                else:
                    saved = await service.update_webhook(
                        hook.id,
                        url=draft.url,
                        name=draft.name,
                        filters=draft.filters,
                        shared_secret=draft.shared_secret,
                    )
            except InvalidInput as error:
                editor.show_problems(error.fields or {"": str(error)})
                self.webhook_status.setText("")
                continue  # the dialog keeps what was typed
            except PhotonError as error:
                if isinstance(error, WriteOutcomeUnknown):
                    unknown = error
                    tried.append(draft.url)
                editor.show_problems({"": failed_write(error, "Not saved")})
                self.webhook_status.setText("")
                continue  # the dialog keeps what was typed; Save tries again
            finally:
                self._idle()
            _dispose(editor)
            await self._reload_webhooks()
            said = f"Saved {saved.name or saved.url}."
            if (saved.name or "") != draft.name:  # the answer is what Photon keeps
                kept = f"“{saved.name}”" if saved.name else "no name"
                said = f"Saved {saved.url}, but Photon kept {kept} as its name."
            self.webhook_status.setText(said)
            return

    async def delete_webhook(self) -> None:
        if self._writing:
            return
        hook = self.selected_webhook()
        if hook is None:
            self.webhook_status.setText("Select a webhook to delete.")
            return
        label = hook.name or hook.url or hook.id
        if not await ask(
            self,
            "Delete webhook",
            f"Stop sending Photon events to {label}?",
            "Delete",
        ):
            return
        if self._writing:  # another write began while the question was open
            return
        self._busy(f"Deleting {label}…")
        try:
            await self.workspace.services.organization.delete_webhook(hook.id)
        except PhotonError as error:
            self.webhook_status.setText(failed_write(error, "Not deleted"))
            return
        finally:
            self._idle()
        await self._reload_webhooks()
        self.webhook_status.setText(f"Deleted {label}.")

    def _busy(self, doing: str) -> None:
        """While a webhook write runs: New, Edit and Delete off (a second click would send a
        second write about the same subscription), and the status says what is being done."""
        self._writing = True
        for button in (self.new_button, self.edit_button, self.delete_button):
            button.setEnabled(False)
        self.webhook_status.setText(doing)

    def _idle(self) -> None:
        self._writing = False
        self.write_gate.update()

    def cancel_tasks(self) -> None:
        tasks.cancel_all(self)


def _dispose(editor: WebhookEditor) -> None:
    editor.setObjectName("")  # a dialog being deleted is never mistaken for the next one
    editor.deleteLater()


async def _answered(dialog: WebhookEditor) -> bool:
    """Open ``dialog`` (no nested loop) and wait for Save (True) or Cancel (False)."""
    future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def done(result: int) -> None:
        if not future.done():
            future.set_result(result == WebhookEditor.DialogCode.Accepted.value)

    dialog.finished.connect(done)
    dialog.open()
    try:
        return await future
    finally:
        dialog.finished.disconnect(done)
