"""Pick a treatment by typing its name: debounced, from 3 characters, the newest search wins.

Results come grouped (personal and organization templates and the catalog first, then Photon's
medications and medical equipment). Picking one shows it as the chosen treatment with a "Change"
button.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.domain import Treatment
from photon_desktop.services.treatment_search import MIN_CHARS, TreatmentMatch, search_treatments
from photon_desktop.ui.common import tasks
from photon_desktop.ui.workspace import Workspace

DEBOUNCE_MS = 300


def describe(treatment: Treatment) -> str:
    parts = [treatment.name]
    if treatment.strength and treatment.strength not in treatment.name:
        parts.append(treatment.strength)
    if treatment.form and treatment.form.lower() not in treatment.name.lower():
        parts.append(treatment.form)
    if treatment.kind == "MedicalEquipment":
        parts.append("(medical equipment)")
    if treatment.controlled:
        parts.append(f"— controlled, schedule {treatment.schedule or '?'}")
    return " ".join(parts)


class TreatmentSearch(QWidget):
    """``picked(TreatmentMatch | None)`` when the choice changes."""

    picked = Signal(object)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._searches = tasks.Latest(owner=self)
        self.match: TreatmentMatch | None = None
        self._generation = 0

        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(f"Type a treatment name ({MIN_CHARS}+ letters)…")
        self.edit.setAccessibleName("Search treatments")
        self.edit.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.status.setAccessibleName("Treatment search status")
        self.status.setWordWrap(True)
        self.results = QListWidget(self)
        self.results.setAccessibleName("Treatments found")
        self.results.setMaximumHeight(160)
        self.results.setVisible(False)
        self.results.itemActivated.connect(self._on_activated)
        self.results.itemClicked.connect(self._on_activated)

        self.chosen = QLabel(self)
        self.chosen.setAccessibleName("Chosen treatment")
        self.chosen.setWordWrap(True)
        self.chosen.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.chosen.font()
        font.setBold(True)
        self.chosen.setFont(font)
        self.change = QPushButton("Change", self)
        self.change.setAccessibleName("Change treatment")
        self.change.clicked.connect(self.clear)
        chosen_row = QHBoxLayout()
        chosen_row.setContentsMargins(0, 0, 0, 0)
        chosen_row.addWidget(self.chosen, 1)
        chosen_row.addWidget(self.change)
        self._chosen_box = QWidget(self)
        self._chosen_box.setLayout(chosen_row)
        self._chosen_box.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._chosen_box)
        layout.addWidget(self.edit)
        layout.addWidget(self.status)
        layout.addWidget(self.results)
        self.status.setVisible(False)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)
        self.edit.textChanged.connect(lambda _t: self._debounce.start())
        self.edit.returnPressed.connect(self.search_now)
        self.setFocusProxy(self.edit)
        # As tall as what it shows (the results list only while there are results).
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    # -- public

    @property
    def treatment(self) -> Treatment | None:
        return self.match.treatment if self.match else None

    def set_treatment(self, treatment: Treatment | None) -> None:
        """Show ``treatment`` as chosen (a duplicated or restored prescription)."""
        if treatment is None:
            self.clear()
            return
        self._choose(TreatmentMatch(treatment, "Chosen"))

    def clear(self) -> None:
        changed = self.match is not None
        self.match = None
        self._chosen_box.setVisible(False)
        self.edit.setVisible(True)
        self.setFocusProxy(self.edit)
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        if changed:
            self.picked.emit(None)

    def cancel_tasks(self) -> None:
        self._debounce.stop()
        self._searches.cancel()

    # -- searching

    def search_now(self) -> None:
        self._debounce.stop()
        term = self.edit.text().strip()
        self._generation += 1
        if len(term) < MIN_CHARS:
            self._searches.cancel()
            self.results.clear()
            self.results.setVisible(False)
            self._say(f"Type at least {MIN_CHARS} letters to search." if term else "")
            return
        self._say("Searching…")
        self._searches.spawn(self._search(term, self._generation), name="treatment-search")

    async def _search(self, term: str, generation: int) -> None:
        try:
            found = await search_treatments(self._workspace.services.catalog, term)
        except errors.PhotonError as exc:
            if generation == self._generation:
                self._say(f"Could not search treatments: {exc}")
            return
        if generation != self._generation:
            return  # an answer for text no longer in the box
        self.results.clear()
        group = None
        for match in found:
            if match.group != group:
                group = match.group
                header = QListWidgetItem(group)
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                font = header.font()
                font.setBold(True)
                header.setFont(font)
                self.results.addItem(header)
            item = QListWidgetItem("   " + self._label(match))
            item.setData(Qt.ItemDataRole.UserRole, match)
            item.setToolTip(match.treatment.description or match.treatment.name)
            self.results.addItem(item)
        self.results.setVisible(bool(found))
        self._say("" if found else f"No treatment matches “{term}”.")

    @staticmethod
    def _label(match: TreatmentMatch) -> str:
        text = describe(match.treatment)
        if match.template is not None:
            text = f"{match.template.name or 'Template'}: {text}"
        return text

    def _on_activated(self, item: QListWidgetItem) -> None:
        match = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(match, TreatmentMatch):
            self._choose(match)

    def _choose(self, match: TreatmentMatch) -> None:
        focused = QApplication.focusWidget()
        had_focus = focused is not None and (focused is self or self.isAncestorOf(focused))
        self._generation += 1
        self._searches.cancel()
        self._debounce.stop()
        self.match = match
        self.chosen.setText(describe(match.treatment))
        self.chosen.setAccessibleDescription(describe(match.treatment))
        self._chosen_box.setVisible(True)
        self.edit.blockSignals(True)
        self.edit.clear()
        self.edit.blockSignals(False)
        # Focus given to the field (Tab, a problem marked on it) goes to the control shown now:
        # a proxy left on the hidden search box would trap Tab and lose the focus.
        self.setFocusProxy(self.change)
        if had_focus:  # picked from the list or the search box: stay here, on "Change"
            self.change.setFocus(Qt.FocusReason.OtherFocusReason)
        self.edit.setVisible(False)
        self.results.clear()
        self.results.setVisible(False)
        self._say("")
        self.picked.emit(match)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
