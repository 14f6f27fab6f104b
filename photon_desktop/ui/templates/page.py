"""The Prescription templates page: the organization's templates and the user's own private ones,
with New, Edit and Delete (confirmed).

Photon documents no permission for template edits, so the actions are offered to everyone and a
refusal is shown as a permission message (``catalog.messages``).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.domain import Catalog, PrescriptionTemplate
from photon_desktop.errors import PhotonError
from photon_desktop.services.catalogs import CatalogTemplate
from photon_desktop.ui.catalog.following import FollowsSignIn, list_table, title_label
from photon_desktop.ui.catalog.messages import failure_text
from photon_desktop.ui.common import icons, tasks
from photon_desktop.ui.common.formatting import fmt_count, fmt_quantity
from photon_desktop.ui.common.paged_model import Column
from photon_desktop.ui.common.questions import ask
from photon_desktop.ui.common.rows_table import RowsModel
from photon_desktop.ui.common.states import stopped_text
from photon_desktop.ui.templates.editor import TemplateEditor
from photon_desktop.ui.templates.saved_text import saved_text
from photon_desktop.ui.workspace import Workspace

ORGANIZATION = "Organization"
ONLY_ME = "Only me"


def dispensing_text(template: PrescriptionTemplate) -> str:
    """ "30 Tablet, 2 refills, 30 days" """
    parts = []
    if template.dispense_quantity is not None:
        quantity = fmt_quantity(template.dispense_quantity)
        parts.append(f"{quantity} {template.dispense_unit or ''}".strip())
    refills = max(0, (template.fills_allowed or 1) - 1)
    parts.append(fmt_count(refills, "refill"))
    if template.days_supply:
        parts.append(f"{template.days_supply} days")
    return ", ".join(parts)


COLUMNS: list[Column[CatalogTemplate]] = [
    Column("Name", lambda r: r.template.name or r.template.treatment.name),
    Column("Treatment", lambda r: r.template.treatment.name),
    Column("Dispensing", lambda r: dispensing_text(r.template)),
    Column("Catalog", lambda r: r.catalog.name),
    Column("Visible to", lambda r: ONLY_ME if r.template.is_private else ORGANIZATION),
]


class TemplatesPage(QWidget):
    """``changed`` after a template was saved or deleted."""

    changed = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templatesPage")
        self.workspace = workspace
        self.catalogs: list[Catalog] = []
        self._load = tasks.Latest(owner=self)
        self.editor: TemplateEditor | None = None

        self.title = title_label("Prescription templates", self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Templates message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model: RowsModel[CatalogTemplate] = RowsModel(COLUMNS, self)
        self.table = list_table(self.model, "Prescription templates", self)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.new_button = QPushButton(icons.icon("add"), "New template…", self)
        self.new_button.clicked.connect(lambda: self.open_editor(None))
        self.edit_button = QPushButton(icons.icon("edit"), "Edit…", self)
        self.edit_button.setAccessibleName("Edit the selected template")
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton(icons.icon("remove"), "Delete…", self)
        self.delete_button.setAccessibleName("Delete the selected template")
        self.delete_button.clicked.connect(self._delete_clicked)
        actions = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.delete_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)

        self._update_buttons()
        self.following = FollowsSignIn(workspace, self.refresh, self)

    # -- Page protocol

    def refresh(self) -> None:
        if not self.workspace.ready or not tasks.loop_running():
            return
        if self.workspace.unavailable:
            self._load.cancel()
            self.catalogs = []
            self.model.set_rows([])
            self.message.setText(stopped_text("no templates to show"))
            self._update_buttons()
            return
        self.message.setText("Loading the templates…")
        self._load.spawn(self.reload(), name="templates")

    def can_refresh(self) -> bool:
        return self.workspace.ready and not self.workspace.unavailable

    def focus_search(self) -> bool:
        return False

    def refresh_icons(self) -> None:
        self.new_button.setIcon(icons.icon("add"))
        self.edit_button.setIcon(icons.icon("edit"))
        self.delete_button.setIcon(icons.icon("remove"))

    def cancel_tasks(self) -> None:
        tasks.cancel_all(self)
        if self.editor is not None:
            self.editor.cancel_tasks()

    # -- list

    async def reload(self) -> None:
        try:
            self.catalogs = await self.workspace.services.catalogs.catalogs()
        except PhotonError as exc:
            self.message.setText(f"Could not load the templates. {exc}")
            return
        rows = [CatalogTemplate(c, t) for c in self.catalogs for t in c.templates]
        rows.sort(key=lambda r: (r.template.is_private, (r.template.name or "").lower()))
        self.model.set_rows(rows)
        mine = sum(r.template.is_private for r in rows)
        self.message.setText(
            f"{len(rows) - mine} organization template{'s' if len(rows) - mine != 1 else ''}"
            f" and {mine} of your own. Templates prefill the prescription form."
        )
        self._update_buttons()

    def selected(self) -> CatalogTemplate | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.item(rows[0].row()) if rows else None

    def select(self, template_id: str) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.item(row).template.id == template_id:
                self.table.selectRow(row)
                return True
        return False

    def _update_buttons(self, *_args: object) -> None:
        chosen = self.selected() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)
        self.new_button.setEnabled(bool(self.catalogs))

    # -- edits

    def edit_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_editor(row)

    def open_editor(self, existing: CatalogTemplate | None) -> TemplateEditor:
        editor = TemplateEditor(self.workspace, self.catalogs, existing=existing, parent=self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(lambda template: self._on_saved(template, editor.kept, editor.strays))
        self.editor = editor
        editor.destroyed.connect(lambda *_: setattr(self, "editor", None))
        editor.open()
        return editor

    def _on_saved(
        self,
        template: PrescriptionTemplate,
        kept: list[str],
        strays: Sequence[PrescriptionTemplate] = (),
    ) -> None:
        self.changed.emit()
        if tasks.loop_running():
            tasks.spawn(self._show_saved(template, kept, strays), owner=self, name="template-saved")

    async def _show_saved(
        self,
        template: PrescriptionTemplate,
        kept: list[str],
        strays: Sequence[PrescriptionTemplate] = (),
    ) -> None:
        """Say what Photon kept instead of what was asked, if anything (its answer is what it
        holds: a change it did not make must not read as made), and which templates an earlier
        attempt whose answer was lost made for another treatment (Photon cannot move a template
        to another treatment: it stays until deleted)."""
        await self.reload()
        self.select(template.id)
        self.message.setText(saved_text(template, kept, strays))

    def _delete_clicked(self) -> None:
        row = self.selected()
        if row is not None:
            tasks.spawn(self.delete(row), owner=self, name="delete-template")

    async def delete(self, row: CatalogTemplate) -> bool:
        name = row.template.name or row.template.treatment.name
        who = "only you" if row.template.is_private else "everyone in your organization"
        question = f"Delete the template “{name}”? It is used by {who}."
        if not await ask(self, "Delete template", question, "Delete"):
            return False
        self.delete_button.setEnabled(False)
        try:
            await self.workspace.services.catalogs.delete_template(row.catalog.id, row.template)
        except PhotonError as exc:
            self.message.setText(failure_text(f"delete “{name}”", exc))
            self._update_buttons()
            return False
        await self.reload()
        self.message.setText(f"Deleted “{name}”.")
        self.changed.emit()
        return True
