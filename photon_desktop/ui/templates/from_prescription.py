""" "Save as a personal template" from a prescription being written: the template editor opens
with the prescription's treatment and dispensing fields, private, in the catalog that holds the
treatment (Photon only keeps templates of a catalog's treatments, and says so otherwise)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from photon_desktop.domain import Treatment
from photon_desktop.domain.prescription_rules import DispensingText
from photon_desktop.ui.templates.editor import Prefill, TemplateEditor
from photon_desktop.ui.workspace import Workspace


async def open_personal_template(
    parent: QWidget, workspace: Workspace, treatment: Treatment, entered: DispensingText
) -> TemplateEditor:
    """The editor, opened (window-modal to ``parent``); raises ``PhotonError`` if the
    catalogs cannot be read."""
    catalogs = await workspace.services.catalog.catalogs()
    editor = TemplateEditor(
        workspace,
        catalogs,
        prefill=Prefill(treatment=treatment, entered=entered, private=True),
        parent=parent,
    )
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    editor.open()
    return editor
