"""The organizations the signed-in user belongs to, by name, kept beside the workspace.

Read again for every new sign-in (another person, another organization); ``changed`` tells the
switcher, the status bar and the window title. When the names cannot be read the organization in
effect is named by its id: it is never hidden.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from photon_desktop import errors
from photon_desktop.services.organizations import Organization
from photon_desktop.ui.common import tasks
from photon_desktop.ui.workspace import Workspace

log = logging.getLogger(__name__)


class Memberships(QObject):
    """``organizations`` (sorted by name) of the signed-in user; ``changed`` after each load."""

    changed = Signal()

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.setObjectName("organizationMemberships")
        self._workspace = workspace
        self._loads = tasks.Latest(owner=self)
        self._loaded_for: tuple[object, int] | None = None
        self.organizations: tuple[Organization, ...] = ()
        self.loaded = False  # the list of this sign-in was read (or could not be)
        workspace.environment_changed.connect(self._follow)
        workspace.session_changed.connect(self._follow)
        self._follow()

    @property
    def current_id(self) -> str | None:
        return self._workspace.organization_id if self._signed_in() else None

    def _signed_in(self) -> bool:
        ws = self._workspace
        return ws.ready and bool(getattr(ws.session, "signed_in", False))

    def name_of(self, organization_id: str | None) -> str:
        """The organization's name; its id when no name could be read; "" for None and while
        the names are being read (a moment after each sign-in)."""
        if not organization_id:
            return ""
        found = next((o for o in self.organizations if o.id == organization_id), None)
        if found is not None:
            return found.name
        return organization_id if self.loaded else ""

    @property
    def current_name(self) -> str:
        return self.name_of(self.current_id)

    @property
    def can_switch(self) -> bool:
        """True when the signed-in person belongs to more than one organization."""
        kind = getattr(self._workspace.session, "kind", None) if self._signed_in() else None
        return getattr(kind, "value", "") == "user" and len(self.organizations) > 1

    def _follow(self) -> None:
        ws = self._workspace
        if not self._signed_in():
            self._loads.cancel()
            self._loaded_for = None
            self.loaded = False
            if self.organizations:
                self.organizations = ()
            self.changed.emit()
            return
        key = (ws.services, getattr(ws.session, "generation", 0))
        if key != self._loaded_for:
            self._loaded_for = key
            self.loaded = False
            self._loads.spawn(self._load(), name="organization-memberships")
        self.changed.emit()

    async def _load(self) -> None:
        ws = self._workspace
        try:
            found = await ws.services.organizations.memberships()
        except errors.PhotonError as error:
            log.info("organizations not read: %s", error)
            found = ()
        self.organizations, self.loaded = found, True
        self.changed.emit()


def memberships_for(workspace: Workspace) -> Memberships:
    """The workspace's memberships (made on first use)."""
    found = workspace.findChild(Memberships, "organizationMemberships")
    return found if isinstance(found, Memberships) else Memberships(workspace)
