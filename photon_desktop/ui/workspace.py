"""The environment the window works in: its session and services, observable from Qt.

Views hold a ``Workspace``, never tokens or HTTP clients. When the user switches environment the
workspace swaps its session and services and emits ``environment_changed``; views reload.
The session is plain Python (``session.changed`` is an observer list); the workspace turns its
notifications into the Qt signal ``session_changed``.

Services remember what they read (caches, the request log) for one organization. When the
session's organization changes (a switch, or signing in to another one) the workspace replaces
them with fresh ones (``services_renewed``) and emits ``environment_changed``: every view drops
what it showed and reloads, as after an environment switch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from photon_desktop.services import Services
    from photon_desktop.services.credentials import Environment
    from photon_desktop.services.signin import Session


class Workspace(QObject):
    """Current environment + session + services, with Qt signals views connect to."""

    environment_changed = Signal()
    session_changed = Signal()
    activity_changed = Signal()
    availability_changed = Signal()
    connecting_changed = Signal()
    services_renewed = Signal(object)  # the new Services

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session: Session | None = None
        self._services: Services | None = None
        self._environment: Environment | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._unavailable = ""
        self._connecting = ""
        self._organization: str | None = None  # whose data the services hold

    @property
    def environment(self) -> Environment:
        assert self._environment is not None, "workspace used before an environment was set"
        return self._environment

    @property
    def session(self) -> Session:
        assert self._session is not None, "workspace used before a session was set"
        return self._session

    @property
    def services(self) -> Services:
        assert self._services is not None, "workspace used before services were set"
        return self._services

    @property
    def ready(self) -> bool:
        return self._services is not None

    @property
    def unavailable(self) -> str:
        """Why the current environment cannot answer at all (its server has stopped); "" when it
        can. Views say this instead of blaming the network."""
        return self._unavailable

    def set_unavailable(self, reason: str) -> None:
        if reason != self._unavailable:
            self._unavailable = reason
            self.availability_changed.emit()

    @property
    def connecting(self) -> str:
        """The name of the environment being connected to ("" when none): while nothing is
        connected yet, views look connected-to-be ("Connecting…", skeleton rows), not absent."""
        return self._connecting

    def set_connecting(self, name: str) -> None:
        if name != self._connecting:
            self._connecting = name
            self.connecting_changed.emit()

    def set(self, environment: Environment, session: Session, services: Services) -> None:
        """Switch to another environment's session and services."""
        if self._session is not None:
            self._session.changed.disconnect(self._on_session_changed)
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._environment, self._session, self._services = environment, session, services
        self._organization = _organization_of(session)
        session.changed.connect(self._on_session_changed)
        self._unsubscribe = services.activity.subscribe(lambda _a: self.activity_changed.emit())
        self.environment_changed.emit()
        self.session_changed.emit()

    @property
    def organization_id(self) -> str | None:
        """The organization whose data the services hold now."""
        return self._organization

    def _on_session_changed(self) -> None:
        session, services = self._session, self._services
        organization = _organization_of(session)
        if organization is None or organization == self._organization or services is None:
            if organization is not None:
                self._organization = organization
            self.session_changed.emit()
            return
        first = self._organization is None
        self._organization = organization
        if first:  # the first sign-in of these services: nothing read for another one yet
            self.session_changed.emit()
            return
        assert self._environment is not None and session is not None
        services.catalog.clear_cache()
        self.set(self._environment, session, services.renewed())
        self.services_renewed.emit(self._services)


def _organization_of(session: Session | None) -> str | None:
    """The session's organization; None for a session that names none."""
    organization = getattr(session, "organization_id", None)
    return organization if isinstance(organization, str) and organization else None
