"""The Catalog page: the organization's catalogs and their treatments, and Photon's medications
and medical equipment to add to one.

A catalog's treatments come first in the prescription form's treatment search, so this is where
a clinic shapes that search. Removing a treatment also removes the templates that prescribe it,
so it is confirmed first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.domain import Catalog, Treatment
from photon_desktop.errors import PhotonError
from photon_desktop.ui.catalog.following import FollowsSignIn, list_table, title_label
from photon_desktop.ui.catalog.messages import failure_text
from photon_desktop.ui.common import icons, tasks
from photon_desktop.ui.common.paged_model import Column
from photon_desktop.ui.common.questions import ask
from photon_desktop.ui.common.rows_table import RowsModel
from photon_desktop.ui.common.states import stopped_text
from photon_desktop.ui.workspace import Workspace

MIN_SEARCH = 3
SEARCH_PAGE = 25
MEDICATIONS = "Medications"
EQUIPMENT = "Medical equipment"


def kind_text(treatment: Treatment) -> str:
    return EQUIPMENT if treatment.kind == "MedicalEquipment" else "Medication"


class CatalogPage(QWidget):
    """``changed`` after a treatment was added or removed (other views may reload)."""

    changed = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("catalogPage")
        self.workspace = workspace
        self._catalogs: list[Catalog] = []
        self._load = tasks.Latest(owner=self)
        self._search = tasks.Latest(owner=self)
        self._adding = False  # an add is in flight (``add``)
        self._shown: Catalog | None = None

        self.title = title_label("Treatment catalog", self)
        self.chooser = QComboBox(self)
        self.chooser.setAccessibleName("Catalog")
        self.chooser.setMinimumContentsLength(28)
        self.chooser.currentIndexChanged.connect(self._on_chosen)
        self.message = QLabel(self)
        self.message.setObjectName("catalogMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Catalog message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model: RowsModel[Treatment] = RowsModel(
            [Column("Treatment", lambda t: t.name), Column("Kind", kind_text)], self
        )
        self.treatments = list_table(self.model, "Treatments in the catalog", self)
        self.treatments.selectionModel().selectionChanged.connect(self._update_buttons)
        self.remove_button = QPushButton(icons.icon("remove"), "Remove from catalog…", self)
        self.remove_button.setAccessibleName("Remove the selected treatment from the catalog")
        self.remove_button.clicked.connect(self._remove_clicked)
        inside = QGroupBox("In this catalog", self)
        inside_layout = QVBoxLayout(inside)
        inside_layout.addWidget(self.treatments, 1)
        inside_layout.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.search_box = QLineEdit(self)
        self.search_box.setPlaceholderText(f"Search Photon (at least {MIN_SEARCH} letters)")
        self.search_box.setAccessibleName("Search Photon's treatments")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(self._search_changed)
        self.kind = QComboBox(self)
        self.kind.setAccessibleName("Kind of treatment")
        self.kind.addItems([MEDICATIONS, EQUIPMENT])
        self.kind.currentIndexChanged.connect(self._search_changed)
        self.results = QListWidget(self)
        self.results.setAccessibleName("Search results")
        self.results.itemSelectionChanged.connect(self._update_buttons)
        self.results.itemDoubleClicked.connect(lambda _item: self._add_clicked())
        self.add_button = QPushButton(icons.icon("add"), "Add to catalog", self)
        self.add_button.setAccessibleName("Add the selected result to the catalog")
        self.add_button.clicked.connect(self._add_clicked)
        add = QGroupBox("Add from Photon", self)
        add_layout = QVBoxLayout(add)
        row = QHBoxLayout()
        row.addWidget(self.search_box, 1)
        row.addWidget(self.kind)
        add_layout.addLayout(row)
        add_layout.addWidget(self.results, 1)
        add_layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(inside)
        split.addWidget(add)
        split.setChildrenCollapsible(False)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(QLabel("Catalog:", self))
        top.addWidget(self.chooser)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)

        self._update_buttons()
        self.following = FollowsSignIn(workspace, self.refresh, self)

    # -- Page protocol

    def refresh(self) -> None:
        if not self.workspace.ready or not tasks.loop_running():
            return
        if self.workspace.unavailable:
            self._load.cancel()
            self._search.cancel()
            self._catalogs, self._shown = [], None
            self.chooser.blockSignals(True)
            self.chooser.clear()
            self.chooser.blockSignals(False)
            self.model.set_rows([])
            self.results.clear()
            self.note(stopped_text("no catalogs to show"))
            self._update_buttons()
            return
        self.note("Loading the catalogs…")
        self._load.spawn(self._reload(self.current_id()), name="catalogs")

    def can_refresh(self) -> bool:
        return self.workspace.ready and not self.workspace.unavailable

    def focus_search(self) -> bool:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def refresh_icons(self) -> None:
        self.remove_button.setIcon(icons.icon("remove"))
        self.add_button.setIcon(icons.icon("add"))

    def cancel_tasks(self) -> None:
        tasks.cancel_all(self)

    # -- loading

    def current_id(self) -> str | None:
        value = self.chooser.currentData()
        return str(value) if value else None

    @property
    def catalog(self) -> Catalog | None:
        return self._shown

    def note(self, text: str) -> None:
        self.message.setText(text)

    async def _reload(self, keep: str | None) -> None:
        try:
            self._catalogs = await self.workspace.services.catalogs.catalogs()
        except PhotonError as exc:
            self.note(f"Could not load the catalogs. {exc}")
            return
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for catalog in self._catalogs:
            self.chooser.addItem(catalog.name, catalog.id)
        index = max(0, self.chooser.findData(keep)) if keep else 0
        self.chooser.setCurrentIndex(index if self._catalogs else -1)
        self.chooser.blockSignals(False)
        if not self._catalogs:
            self.note("Your organization has no catalogs yet.")
        self._show(self._catalogs[index] if self._catalogs else None)

    def _on_chosen(self, _index: int) -> None:
        wanted = self.current_id()
        self._show(next((c for c in self._catalogs if c.id == wanted), None))

    def _show(self, catalog: Catalog | None) -> None:
        self._shown = catalog
        self.model.set_rows(catalog.treatments if catalog else ())
        if catalog is not None:
            count = len(catalog.treatments)
            self.note(
                f"{count} treatment{'s' if count != 1 else ''} in “{catalog.name}”. "
                "They come first when prescribing."
            )
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self._selected_treatment() is not None)
        result, shown = self._selected_result(), self._shown
        inside = bool(shown and result and any(t.id == result.id for t in shown.treatments))
        self.add_button.setEnabled(shown is not None and result is not None and not inside)
        self.add_button.setToolTip(f"Already in “{shown.name}”" if inside and shown else "")

    def _selected_treatment(self) -> Treatment | None:
        rows = self.treatments.selectionModel().selectedRows()
        return self.model.item(rows[0].row()) if rows else None

    def _selected_result(self) -> Treatment | None:
        item = self.results.currentItem()
        if item is None or not item.isSelected():
            return None
        found = item.data(Qt.ItemDataRole.UserRole)
        return found if isinstance(found, Treatment) else None

    # -- search Photon

    def _search_changed(self, *_args: object) -> None:
        term = self.search_box.text().strip()
        self.results.clear()
        if len(term) < MIN_SEARCH or not self.workspace.ready or not tasks.loop_running():
            self._search.cancel()
            self._update_buttons()
            return
        self._search.spawn(self._run_search(term, self.kind.currentText()), name="search")

    async def _run_search(self, term: str, kind: str) -> None:
        catalog = self.workspace.services.catalog
        try:
            if kind == MEDICATIONS:
                page = await catalog.medications(term, first=SEARCH_PAGE)
            else:
                page = await catalog.medical_equipment(term, first=SEARCH_PAGE)
        except PhotonError as exc:
            self.note(f"Could not search Photon. {exc}")
            return
        inside = {t.id for t in (self._shown.treatments if self._shown else ())}
        self.results.clear()
        for treatment in page.items:
            label = treatment.name + ("  (in this catalog)" if treatment.id in inside else "")
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, treatment)
            self.results.addItem(item)
        if not page.items:
            empty = QListWidgetItem(f"Nothing in {kind.lower()} matches “{term}”.")
            empty.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.results.addItem(empty)
        self._update_buttons()

    # -- edits

    def _add_clicked(self) -> None:
        treatment, catalog = self._selected_result(), self._shown
        if treatment is not None and catalog is not None:
            tasks.spawn(self.add(catalog, treatment), owner=self, name="add-to-catalog")

    async def add(self, catalog: Catalog, treatment: Treatment) -> bool:
        """Add once: while an add is in flight, another (a second double-click, a click on the
        button) is refused, since the catalog shown does not list the first one yet."""
        if self._adding:
            return False
        if any(t.id == treatment.id for t in catalog.treatments):
            self.note(f"{treatment.name} is already in “{catalog.name}”.")
            return False
        self._adding = True
        self.add_button.setEnabled(False)
        self.note(f"Adding {treatment.name}…")
        try:
            await self.workspace.services.catalogs.add_treatment(catalog.id, treatment.id)
        except PhotonError as exc:
            self.note(failure_text(f"add {treatment.name} to “{catalog.name}”", exc))
            self._adding = False
            self._update_buttons()
            return False
        try:
            await self._reload(catalog.id)  # until it lists the new one, another add is refused
        finally:
            self._adding = False
        self._search_changed()
        self.note(f"Added {treatment.name} to “{catalog.name}”.")
        self.changed.emit()
        return True

    def _remove_clicked(self) -> None:
        treatment, catalog = self._selected_treatment(), self._shown
        if treatment is not None and catalog is not None:
            tasks.spawn(self.remove(catalog, treatment), owner=self, name="remove-from-catalog")

    async def remove(self, catalog: Catalog, treatment: Treatment) -> bool:
        templates = [t for t in catalog.templates if t.treatment.id == treatment.id]
        question = f"Remove {treatment.name} from “{catalog.name}”?"
        if templates:
            question += (
                f" Its {len(templates)} template{'s' if len(templates) != 1 else ''}"
                " will be removed too."
            )
        if not await ask(self, "Remove from catalog", question, "Remove"):
            return False
        self.remove_button.setEnabled(False)
        self.note(f"Removing {treatment.name}…")
        try:
            await self.workspace.services.catalogs.remove_treatment(catalog.id, treatment)
        except PhotonError as exc:
            self.note(failure_text(f"remove {treatment.name} from “{catalog.name}”", exc))
            self._update_buttons()
            return False
        await self._reload(catalog.id)
        self._search_changed()
        self.note(f"Removed {treatment.name} from “{catalog.name}”.")
        self.changed.emit()
        return True
