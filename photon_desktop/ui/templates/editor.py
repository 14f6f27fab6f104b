"""The template editor: a prescription template's fields, checked by the rules prescriptions
follow (``domain.prescription_rules``), before anything is sent.

A template belongs to a catalog and prescribes one of its treatments. Photon cannot move a saved
template to another catalog, treatment or visibility, so those are chosen only when creating.
Photon's own problems (``InvalidInput.fields``) land under the same fields; a refusal reads as a
permission message. The dialog is opened with ``open()`` and its send runs as a task, so the app
keeps working while it waits.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.domain import Catalog, PrescriptionTemplate, Treatment
from photon_desktop.domain.prescription_rules import (
    TREATMENT_MISSING,
    DispensingText,
    check_dispensing,
    server_field,
)
from photon_desktop.errors import InvalidInput, PhotonError, WriteOutcomeUnknown
from photon_desktop.services.catalogs import CatalogTemplate, TemplateInput, differences
from photon_desktop.ui.catalog.messages import failure_text
from photon_desktop.ui.common import tasks
from photon_desktop.ui.common.problems import error_label, mark, with_problem_line
from photon_desktop.ui.common.questions import ask, loop_running
from photon_desktop.ui.prescriptions.dispensing_fields import TITLES, DispensingFields, stored_text
from photon_desktop.ui.workspace import Workspace

NAME_MISSING = "Give the template a name prescribers will recognise."


@dataclass(frozen=True, slots=True)
class Prefill:
    """A new template's starting values (e.g. from a prescription being written)."""

    treatment: Treatment
    entered: DispensingText
    private: bool = True


class TemplateEditor(QDialog):
    """``saved(template)`` once Photon has it (``kept``: the fields it holds otherwise than
    asked); the dialog then closes."""

    saved = Signal(object)

    def __init__(
        self,
        workspace: Workspace,
        catalogs: list[Catalog],
        *,
        existing: CatalogTemplate | None = None,
        prefill: Prefill | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.catalogs = catalogs
        self.existing = existing
        self._prefill = prefill
        self._sending = tasks.Latest(owner=self)
        #: Creates whose outcome was unknown (catalog id, what was asked): looked for first.
        self._unsettled: list[tuple[str, TemplateInput]] = []
        self.kept: list[str] = []  # fields Photon's answer holds otherwise than sent
        # Templates earlier sends (answers lost) made for a treatment chosen before this one.
        self.strays: list[PrescriptionTemplate] = []
        self._leaving = tasks.Latest(owner=self)
        self.setObjectName("templateEditor")
        self.setWindowTitle("Edit template" if existing else "New template")
        self.setAccessibleName(self.windowTitle())

        self.name = QLineEdit(self)
        self.name.setAccessibleName("Template name")
        self.name.setPlaceholderText("e.g. Amoxicillin, adult, 10 days")
        self.catalog = QComboBox(self)
        self.catalog.setAccessibleName("Catalog")
        self.treatment = QComboBox(self)
        self.treatment.setAccessibleName("Treatment")
        self.dispensing = DispensingFields(self)
        d = self.dispensing
        d.set_units([])  # "Choose a unit…" until Photon's list arrives
        self.quantity, self.unit, self.refills, self.days_supply, self.instructions = (
            d.quantity,
            d.unit,
            d.refills,
            d.days_supply,
            d.instructions,
        )
        self.private = QCheckBox("Only me (a personal template)", self)
        self.private.setAccessibleName("Personal template")

        self.fields: dict[str, QWidget] = {
            "name": self.name,
            "catalog": self.catalog,
            "treatment": self.treatment,
            **d.widgets(),
            "private": self.private,
        }
        titles = {
            "name": "Name *",
            "catalog": "Catalog *",
            "treatment": "Treatment *",
            **TITLES,
            "private": "Visible to",
        }
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, widget in self.fields.items():
            box, self.errors[key] = with_problem_line(self, widget, titles[key] or key)
            form.addRow(titles[key], box)
        self.message = error_label(self, "Template")
        self.message.setAccessibleName("Template message")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)  # spare height below the fields, not between them
        layout.addWidget(self.buttons)
        self.resize(560, 560)

        for catalog in catalogs:
            self.catalog.addItem(catalog.name, catalog.id)
        self.catalog.currentIndexChanged.connect(self._list_treatments)
        self._fill()
        self._opened_with = self._typed()
        tasks.spawn(self._load_units(), owner=self, name="template-units")

    # -- filling

    def _chosen_catalog(self) -> Catalog | None:
        wanted = self.catalog.currentData()
        return next((c for c in self.catalogs if c.id == wanted), None)

    def _list_treatments(self, *_args: object) -> None:
        catalog = self._chosen_catalog()
        keep = self.treatment.currentData()
        self.treatment.clear()
        self.treatment.addItem("Choose a treatment from the catalog…", None)
        for treatment in catalog.treatments if catalog else ():
            self.treatment.addItem(treatment.name, treatment)
        wanted = keep or (self._prefill.treatment if self._prefill else None)
        if wanted is not None:
            self._select_treatment(wanted)

    def _select_treatment(self, wanted: Treatment) -> None:
        for row in range(self.treatment.count()):
            item = self.treatment.itemData(row)
            if isinstance(item, Treatment) and item.id == wanted.id:
                self.treatment.setCurrentIndex(row)
                return
        # Not in this catalog: keep it, and Photon says "add it to the catalog first".
        self.treatment.addItem(f"{wanted.name} (not in this catalog)", wanted)
        self.treatment.setCurrentIndex(self.treatment.count() - 1)

    def _fill(self) -> None:
        if self.existing is not None:
            catalog, template = self.existing.catalog, self.existing.template
            self.catalog.setCurrentIndex(max(0, self.catalog.findData(catalog.id)))
            self._list_treatments()
            self._select_treatment(template.treatment)
            self.name.setText(template.name or "")
            self.dispensing.show(
                stored_text(
                    quantity=template.dispense_quantity,
                    unit=template.dispense_unit,
                    fills_allowed=template.fills_allowed,
                    days_supply=template.days_supply,
                    instructions=template.instructions,
                    notes=template.notes,
                    dispense_as_written=template.dispense_as_written,
                )
            )
            self.private.setChecked(template.is_private)
            for fixed in (self.catalog, self.treatment, self.private):
                fixed.setEnabled(False)
                fixed.setToolTip("Photon cannot change this on a saved template.")
            return
        prefill = self._prefill
        if prefill is not None:
            home = next(
                (
                    c
                    for c in self.catalogs
                    if any(t.id == prefill.treatment.id for t in c.treatments)
                ),
                None,
            )
            if home is not None:
                self.catalog.setCurrentIndex(self.catalog.findData(home.id))
            self.name.setText(prefill.treatment.name)
            self.dispensing.show(prefill.entered)
            self.private.setChecked(prefill.private)
        self._list_treatments()

    async def _load_units(self) -> None:
        try:
            units = await self.workspace.services.catalog.dispense_units()
        except PhotonError as exc:
            self.note(f"Could not load the dispense units. {exc}")
            return
        self.dispensing.set_units([u.name for u in units])

    # -- checking and sending

    def note(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def validate(self) -> TemplateInput | None:
        """What to send, or None after marking every problem under its field."""
        values, problems = check_dispensing(self.dispensing.entered())
        name = self.name.text().strip()
        if not name:
            problems["name"] = NAME_MISSING
        treatment = self.treatment.currentData()
        if not isinstance(treatment, Treatment):
            problems["treatment"] = TREATMENT_MISSING
        if self._chosen_catalog() is None:
            problems["catalog"] = "Choose the catalog the template belongs to."
        self.show_problems(problems)
        if problems or values is None or not isinstance(treatment, Treatment):
            return None
        return TemplateInput(
            name=name,
            treatment_id=treatment.id,
            dispensing=values,
            is_private=self.private.isChecked(),
        )

    def show_problems(self, problems: dict[str, str]) -> None:
        mark(self.fields, self.errors, problems)
        first = next((k for k in self.fields if k in problems), None)
        if first is not None:
            self.fields[first].setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def problems(self) -> dict[str, str]:
        return {k: label.text() for k, label in self.errors.items() if label.text()}

    def save(self) -> None:
        data = self.validate()
        catalog = self._chosen_catalog()
        if data is None or catalog is None or self._sending.busy:
            return
        self._sending.spawn(self._send(catalog, data), name="save-template")

    async def _send(self, catalog: Catalog, data: TemplateInput) -> None:
        self.buttons.setEnabled(False)
        self.note("Saving…")
        try:
            await self._save(catalog, data)
        finally:
            self.buttons.setEnabled(True)

    async def _save(self, catalog: Catalog, data: TemplateInput) -> None:
        editor = self.workspace.services.catalogs
        try:
            if self.existing is not None:
                template: PrescriptionTemplate = await editor.update_template(
                    self.existing.catalog.id, self.existing.template.id, data
                )
            else:
                earlier = [asked for where, asked in self._unsettled if where == catalog.id]
                strays: list[PrescriptionTemplate] = []
                template = await editor.create_template(
                    catalog, data, earlier=earlier, strays=strays
                )
                self.strays = strays
        except InvalidInput as exc:
            mine: dict[str, str] = {}
            rest: list[str] = []
            for name, problem in exc.fields.items():
                key = server_field(name)
                if key is not None and key in self.fields:
                    mine[key] = f"{mine[key]} {problem}" if key in mine else problem
                else:
                    rest.append(problem)
            self.show_problems(mine)
            self.note(" ".join(rest) if rest else ("" if mine else str(exc)))
            return
        except PhotonError as exc:
            if isinstance(exc, WriteOutcomeUnknown) and self.existing is None:
                self._unsettled.append((catalog.id, data))
            self.note(failure_text("save this template", exc))
            return
        self.note("")
        self.kept = differences(template, data, created=self.existing is None)
        self.saved.emit(template)
        self.accept()

    # -- leaving

    def _typed(self) -> tuple[object, ...]:
        return (
            self.name.text(),
            self.catalog.currentData(),
            self.treatment.currentData(),
            self.dispensing.entered(),
            self.private.isChecked(),
        )

    @property
    def unsaved_changes(self) -> bool:
        return self._typed() != self._opened_with

    @property
    def saving(self) -> bool:
        """A save is in flight."""
        return self._sending.busy

    def reject(self) -> None:
        """Esc, Cancel and the close button. Not while a save is in flight (its outcome must be
        known before the form goes); typed changes are not dropped without asking."""
        if self._sending.busy:
            self.note("Saving… wait for Photon's answer.")
            return
        if self.unsaved_changes and loop_running():
            if not self._leaving.busy:
                self._leaving.spawn(self._ask_to_leave(), name="leave-template-editor")
            return
        super().reject()

    async def _ask_to_leave(self) -> None:
        if await ask(
            self,
            "Discard changes?",
            "This template has unsaved changes. Discard them?",
            "Discard changes",
            cancel="Keep editing",
        ):
            super().reject()

    def cancel_tasks(self) -> None:
        tasks.cancel_all(self)
