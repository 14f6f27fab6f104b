"""Choose a pharmacy: by name, around a US ZIP (the patient's, or one typed), preferred first.

Photon's pharmacy search takes coordinates, so a ZIP is turned into latitude/longitude offline
(``services.locations``). Distances are from that ZIP's centre to each pharmacy's ZIP centre,
shown as "about N mi". Mail-order pharmacies have no "near": they are listed by name only.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.domain import FulfillmentType, Pharmacy
from photon_desktop.domain.zip_codes import zip5
from photon_desktop.services import locations
from photon_desktop.ui.common import tasks
from photon_desktop.ui.workspace import Workspace

DEBOUNCE_MS = 300
RADII = (5, 10, 25, 50, 100)
DEFAULT_RADIUS = 25
PAGE = 50


def pharmacy_line(pharmacy: Pharmacy) -> str:
    a = pharmacy.address
    where = f"{a.street1}, {a.city}, {a.state} {a.postal_code}" if a else "address unknown"
    return f"{pharmacy.name} — {where}"


def wrap_rows(view: QListWidget) -> None:
    """Long rows wrap to the list's width instead of scrolling sideways."""
    view.setWordWrap(True)
    view.setResizeMode(QListWidget.ResizeMode.Adjust)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)


class PharmacyPicker(QWidget):
    """``picked(Pharmacy | None)``; ``pharmacy`` is the current choice."""

    picked = Signal(object)

    def __init__(
        self,
        workspace: Workspace,
        fulfillment: FulfillmentType,
        *,
        preferred: Sequence[Pharmacy] = (),
        zip_code: str | None = None,
        exclude: Collection[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._fulfillment = fulfillment
        self._preferred = [p for p in preferred if fulfillment in p.fulfillment_types]
        self._exclude = frozenset(exclude)  # e.g. where the order is now
        self._searches = tasks.Latest(owner=self)
        self._generation = 0
        self.pharmacy: Pharmacy | None = None
        self.centre: locations.Place | None = None

        self.name = QLineEdit(self)
        self.name.setPlaceholderText("Pharmacy name (optional)")
        self.name.setAccessibleName("Pharmacy name")
        self.name.setClearButtonEnabled(True)
        self.zip = QLineEdit(zip_code or "", self)
        self.zip.setPlaceholderText("ZIP")
        self.zip.setAccessibleName("Near ZIP code")
        self.zip.setMaximumWidth(110)
        self.radius = QComboBox(self)
        self.radius.setAccessibleName("Within")
        for miles in RADII:
            self.radius.addItem(f"within {miles} mi", miles)
        self.radius.setCurrentIndex(RADII.index(DEFAULT_RADIUS))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.name, 1)
        self._near = QLabel("near", self)
        row.addWidget(self._near)
        row.addWidget(self.zip)
        row.addWidget(self.radius)
        local = fulfillment is FulfillmentType.PICK_UP
        for widget in (self._near, self.zip, self.radius):
            widget.setVisible(local)

        self.list = QListWidget(self)
        self.list.setAccessibleName("Pharmacies found")
        wrap_rows(self.list)
        # The choice is the highlighted (selected) row: a click, the arrow keys, Space, or Enter
        # on a row. Not the current row: Qt makes the first row current when the list gets the
        # focus (Tab), without highlighting it, and tabbing through is no choice.
        self.list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.list.itemSelectionChanged.connect(self._on_selection)
        self.list.itemActivated.connect(
            lambda item: self.list.setCurrentItem(
                item, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        )
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Pharmacy search status")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)
        for edit in (self.name, self.zip):
            edit.textChanged.connect(lambda _t: self._debounce.start())
        self.radius.currentIndexChanged.connect(lambda _i: self.search_now())
        self.search_now()

    @property
    def searching(self) -> bool:
        """A search waits for typing to pause, or for its answer (the list may change)."""
        return self._debounce.isActive() or self._searches.busy

    def search_now(self) -> None:
        self._debounce.stop()
        self._generation += 1
        self.status.setText("Searching…")
        self._searches.spawn(self._search(self._generation), name="pharmacy-search")

    async def _search(self, generation: int) -> None:
        name = self.name.text().strip() or None
        centre: locations.Place | None = None
        if self._fulfillment is FulfillmentType.PICK_UP:
            text = self.zip.text().strip()
            if zip5(text) is None:
                self._show([], "Enter a 5-digit US ZIP code to find pharmacies near it.")
                return
            try:
                centre = await locations.locate(text)
            except locations.LocationError as exc:
                if generation == self._generation:
                    self._show([], str(exc))
                return
            if generation != self._generation:
                return
            if centre is None:
                self._show([], f"{text} is not a known US ZIP code.")
                return
        chosen_radius = int(self.radius.currentData())
        radius = chosen_radius
        try:
            while True:
                page = await self._workspace.services.catalog.pharmacies(
                    name=name,
                    latitude=centre.latitude if centre else None,
                    longitude=centre.longitude if centre else None,
                    radius_miles=radius if centre else None,
                    fulfillment=self._fulfillment,
                    first=PAGE,
                )
                others = [p for p in page.items if p.id not in self._exclude]
                wider = [r for r in RADII if r > radius]
                if centre is None or others or not wider:
                    break
                radius = wider[0]  # nothing this close: look a little further
            miles = {}
            if centre is not None:
                zips = [p.address.postal_code for p in page.items if p.address]
                zips += [p.address.postal_code for p in self._preferred if p.address]
                miles = await locations.miles_from(centre, zips)
        except (errors.PhotonError, locations.LocationError) as exc:
            if generation == self._generation:
                why = self._workspace.unavailable or exc  # a stopped server, not a sign-in
                self._show([], f"Could not search pharmacies: {why}")
            return
        if generation != self._generation:
            return  # a newer search is on its way
        self.centre = centre
        needle = (name or "").lower()
        preferred = [p for p in self._preferred if needle in p.name.lower()]
        preferred_ids = {p.id for p in preferred}
        rows = [(p, True) for p in preferred] + [
            (p, False) for p in page.items if p.id not in preferred_ids
        ]
        rows = [(p, pref) for p, pref in rows if p.id not in self._exclude]
        shown: list[tuple[Pharmacy, bool, float | None]] = []
        for pharmacy, pref in rows:
            distance = miles.get(pharmacy.address.postal_code) if pharmacy.address else None
            shown.append((pharmacy, pref, distance))
        where = f" within {radius} mi of {centre.label}" if centre else ""
        if shown and centre is not None and radius != chosen_radius:
            where += f" (none within {chosen_radius} mi)"
        count = f"{len(shown)} pharmac{'y' if len(shown) == 1 else 'ies'}"
        named = f" matching “{name}”" if name else ""
        self._show(shown, f"{count}{where}." if shown else f"No pharmacy{named}{where}.")

    def _show(self, rows: list[tuple[Pharmacy, bool, float | None]], status: str) -> None:
        previous = self.pharmacy.id if self.pharmacy else None
        self.list.blockSignals(True)
        self.list.clear()
        keep = None
        for row in rows:
            pharmacy, preferred, distance = row
            text = pharmacy_line(pharmacy)
            if distance is not None:
                text += f" — about {distance:.1f} mi"
            if preferred:
                text = "★ Preferred: " + text
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, pharmacy)
            item.setToolTip(text)
            self.list.addItem(item)
            if pharmacy.id == previous:
                keep = item
        self.list.blockSignals(False)
        self.status.setText(status)
        if keep is not None:
            self.list.setCurrentItem(keep)
        elif self._fulfillment is FulfillmentType.MAIL_ORDER and self.list.count() == 1:
            self.list.setCurrentRow(0)  # the only mail-order pharmacy: chosen for you
        else:
            self._set(None)

    def _on_selection(self) -> None:
        selected = self.list.selectedItems()
        value = selected[0].data(Qt.ItemDataRole.UserRole) if selected else None
        self._set(value if isinstance(value, Pharmacy) else None)

    def _set(self, pharmacy: Pharmacy | None) -> None:
        if (pharmacy and pharmacy.id) != (self.pharmacy and self.pharmacy.id):
            self.pharmacy = pharmacy
            self.picked.emit(pharmacy)

    def choose(self, pharmacy_id: str) -> bool:
        """Select a listed pharmacy by id (keyboard users and tests)."""
        for row in range(self.list.count()):
            value = self.list.item(row).data(Qt.ItemDataRole.UserRole)
            if isinstance(value, Pharmacy) and value.id == pharmacy_id:
                self.list.setCurrentRow(row)
                return True
        return False

    def cancel_tasks(self) -> None:
        self._debounce.stop()
        self._searches.cancel()
