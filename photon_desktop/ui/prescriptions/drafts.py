"""Unsent prescriptions kept in memory, so a form closed by a sign-out loses nothing.

A draft belongs to the person who wrote it (the session identity, in its organization) and to one
patient; it keeps each prescription's ``externalId``, so a draft sent after an uncertain first
attempt can never create the prescription twice. Nothing is written to disk. The store lives as a
child of the ``Workspace`` (``drafts_for``), so it ends with the window, never as a module global.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from photon_desktop.domain import Treatment
from photon_desktop.ui.workspace import Workspace


@dataclass(frozen=True, slots=True)
class ItemDraft:
    """One prescription card as typed (raw texts: it may not be valid yet)."""

    external_id: str
    treatment: Treatment | None = None
    quantity: str = ""
    unit: str = ""
    refills: int = 0
    days_supply: str = ""
    dispense_as_written: bool = False
    instructions: str = ""
    notes: str = ""
    not_before: date | None = None
    diagnoses: str = ""


@dataclass(frozen=True, slots=True)
class Draft:
    patient_id: str
    patient_name: str
    owner: str
    items: tuple[ItemDraft, ...]
    saved_at: datetime
    reason: str = ""


class DraftStore(QObject):
    """Drafts by (owner, patient), and the forms open now; ``changed`` after a put or take."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("prescriptionDrafts")
        self._drafts: dict[tuple[str, str], Draft] = {}
        self.forms: dict[str, QWidget] = {}  # open prescription forms by patient id

    def put(self, draft: Draft) -> None:
        self._drafts[(draft.owner, draft.patient_id)] = draft
        self.changed.emit()

    def get(self, owner: str, patient_id: str) -> Draft | None:
        return self._drafts.get((owner, patient_id))

    def take(self, owner: str, patient_id: str) -> Draft | None:
        draft = self._drafts.pop((owner, patient_id), None)
        if draft is not None:
            self.changed.emit()
        return draft

    def of(self, owner: str) -> list[Draft]:
        return sorted(
            (d for (o, _), d in self._drafts.items() if o == owner),
            key=lambda d: d.saved_at,
            reverse=True,
        )


def drafts_for(workspace: Workspace) -> DraftStore:
    """The workspace's draft store (made on first use)."""
    found = workspace.findChild(DraftStore, "prescriptionDrafts")
    return found if isinstance(found, DraftStore) else DraftStore(workspace)


def owner_of(workspace: Workspace) -> str:
    """Who drafts belong to: the signed-in identity in its organization (a draft written for one
    practice's patient is never offered in another); empty when nobody is signed in."""
    if not workspace.ready:
        return ""
    session = workspace.session
    identity = session.identity or ""
    return (
        f"{identity} @ {session.organization_id}"
        if identity and session.organization_id
        else identity
    )
