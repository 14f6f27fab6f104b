"""The prescriptions and orders pages: a list filtered by state and patient beside the detail.

Filters: a state combo ("All states" + the enum, remembered) and a patient filter (a name typed,
debounced, server-side; or a patient picked elsewhere via ``set_patient``, shown as a chip).
Every filter change restarts the list from its first page; answers for older filters are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QSizePolicy, QWidget

from photon_desktop.domain import Page
from photon_desktop.ui.common import preferences
from photon_desktop.ui.common.formatting import enum_label
from photon_desktop.ui.common.list_detail import ListDetailPage
from photon_desktop.ui.common.paged_list import Fetcher, Identified, PagedList
from photon_desktop.ui.common.paged_model import Column
from photon_desktop.ui.common.record_detail import RecordDetail
from photon_desktop.ui.common.states import StateView
from photon_desktop.ui.workspace import Workspace

T = TypeVar("T", bound=Identified)

PAGE_SIZE = 50
DEBOUNCE_MS = 300


@dataclass(frozen=True, slots=True)
class ListFilter:
    """What the list asks the server for; ``patient_id`` wins over ``patient_name``."""

    state: Enum | None = None
    patient_id: str | None = None
    patient_name: str | None = None


class RecordsPage(ListDetailPage, Generic[T]):
    """Subclasses set ``kind``/``kinds``/``permission``/``state_enum`` and ``_fetch_page``."""

    kind = "record"
    kinds = "records"
    permission = ""
    state_enum: type[Enum]

    def __init__(
        self,
        workspace: Workspace,
        detail: RecordDetail[T],
        columns: tuple[Column[T], ...],
        parent: QWidget | None = None,
    ) -> None:
        paged: PagedList[T] = PagedList(
            workspace,
            columns,
            kind=self.kind,
            kinds=self.kinds,
            permission=self.permission,
            fetcher=self._bound_fetcher,
            empty_state=self._show_empty,
            hidden=preferences.hidden_columns(self.kinds),
            page_size=PAGE_SIZE,
        )
        super().__init__(
            paged,
            detail,
            preferences.list_splitter(self.kinds),
            default_sizes=(600, 430),
            parent=parent,
        )
        self._workspace = workspace
        self._filter = ListFilter()
        self._state_preference = preferences.list_state_filter(self.kinds)

        self.state_combo = QComboBox(self)
        self.state_combo.setAccessibleName("Filter by state")
        self.state_combo.addItem("All states", None)
        for value in self.state_enum:
            self.state_combo.addItem(enum_label(value), value)
        remembered = self._state_preference.get()
        for value in self.state_enum:
            if value.value == remembered:
                self.state_combo.setCurrentIndex(self.state_combo.findData(value))
                self._filter = ListFilter(value)
        self.state_combo.currentIndexChanged.connect(self._on_state_picked)

        self.patient_edit = QLineEdit(self)
        self.patient_edit.setPlaceholderText("Patient name…")
        self.patient_edit.setClearButtonEnabled(True)
        self.patient_edit.setMaxLength(100)
        self.patient_edit.setAccessibleName("Filter by patient name")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_patient_name)
        self.patient_edit.textChanged.connect(lambda _t: self._debounce.start())
        self.patient_edit.returnPressed.connect(self._apply_patient_name)

        self.patient_chip = QPushButton(self)
        self.patient_chip.setObjectName("patientChip")
        self.patient_chip.setToolTip("Show every patient again")
        self.patient_chip.setAccessibleName("Patient filter")
        self.patient_chip.setVisible(False)
        self.patient_chip.clicked.connect(self.clear_patient)

        fixed = QSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.state_combo.setSizePolicy(fixed)
        self.patient_chip.setSizePolicy(fixed)
        bar = paged.bar  # pages add their own actions at its end (``add_tool``)
        bar.addWidget(self.state_combo)
        bar.addWidget(self.patient_edit, 1)
        bar.addWidget(self.patient_chip)
        bar.addStretch(0)  # takes the room of the name filter while a patient chip shows

        # Switching environment emits environment_changed then session_changed: one reload.
        self._reload_soon = QTimer(self)
        self._reload_soon.setSingleShot(True)
        self._reload_soon.setInterval(0)
        self._reload_soon.timeout.connect(self._reload_after_change)
        self._new_environment = False
        workspace.session_changed.connect(self._reload_soon.start)
        workspace.environment_changed.connect(self._on_environment_changed)
        self.order_tabs()
        self.reload()

    # -- subclass hook

    async def _fetch_page(self, flt: ListFilter, after: str | None) -> Page[T]:
        raise NotImplementedError

    # -- public

    @property
    def filter(self) -> ListFilter:
        return self._filter

    def reload(self) -> None:
        self.list.reload()

    def add_tool(self, widget: QWidget) -> None:
        """An action at the end of the filter bar (e.g. "New order…"), in tab order before the
        list."""
        self.list.bar.addWidget(widget)
        self.order_tabs()

    def set_state(self, state: Enum | None) -> None:
        self.state_combo.setCurrentIndex(max(0, self.state_combo.findData(state)))

    def set_patient(self, patient_id: str, name: str) -> None:
        """Show only this patient's records (a link from the patient detail)."""
        self._debounce.stop()
        self.patient_edit.blockSignals(True)
        self.patient_edit.clear()
        self.patient_edit.blockSignals(False)
        self.patient_edit.setVisible(False)
        label = name or patient_id
        self.patient_chip.setText(f"Patient: {label}  ✕")
        self.patient_chip.setAccessibleName(f"Showing only {label}; press to show every patient")
        self.patient_chip.setVisible(True)
        self.list.bar.setStretch(3, 1)
        self._set_filter(ListFilter(self._filter.state, patient_id=patient_id))

    def clear_patient(self) -> None:
        self.patient_chip.setVisible(False)
        self.list.bar.setStretch(3, 0)
        self.patient_edit.setVisible(True)
        self.patient_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self._set_filter(ListFilter(self._filter.state))

    def focus_search(self) -> bool:
        """Ctrl+F: type a patient name."""
        if self.patient_chip.isVisible():
            self.clear_patient()
        self.patient_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.patient_edit.selectAll()
        return True

    def cancel_tasks(self) -> None:
        self._debounce.stop()
        self._reload_soon.stop()
        super().cancel_tasks()

    # -- filtering

    def _bound_fetcher(self) -> Fetcher[T]:
        flt = self._filter

        async def fetch(after: str | None) -> Page[T]:
            return await self._fetch_page(flt, after)

        return fetch

    def _on_state_picked(self, _index: int) -> None:
        state = self.state_combo.currentData()
        if state is None:
            self._state_preference.clear()
        else:
            self._state_preference.set(state.value)
        self._set_filter(ListFilter(state, self._filter.patient_id, self._filter.patient_name))

    def _apply_patient_name(self) -> None:
        self._debounce.stop()
        name = self.patient_edit.text().strip() or None
        if self._filter.patient_id is None and name == self._filter.patient_name:
            return
        self._set_filter(ListFilter(self._filter.state, patient_name=name))

    def _set_filter(self, flt: ListFilter) -> None:
        self._filter = flt
        self.list.reload(refilter=True)

    def _on_environment_changed(self) -> None:
        self.detail.clear()
        self._new_environment = True
        self._reload_soon.start()

    def _reload_after_change(self) -> None:
        """A renewed sign-in keeps the rows until the new answer; another environment does not
        (its rows belong to another organization)."""
        keep, self._new_environment = not self._new_environment, False
        self.list.reload(keep_rows=keep)

    def _show_empty(self, state: StateView) -> None:
        flt = self._filter
        parts = []
        if flt.state is not None:
            parts.append(f"in state “{enum_label(flt.state)}”")
        if flt.patient_id is not None:
            parts.append("for this patient")
        elif flt.patient_name:
            parts.append(f"for patients matching “{flt.patient_name}”")
        if not parts:
            state.show_empty(f"No {self.kinds} yet.")
        else:
            state.show_empty(f"No {self.kinds} {' '.join(parts)}. Change or clear the filters.")
