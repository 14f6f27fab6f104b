"""The composition root: environments, sessions, services and the main window, wired once.

``Desktop`` owns what lives as long as the app: the keyring store, one HTTP client per environment,
one ``Session`` per environment, the local sandbox child process and the window. Views never see
these pieces directly; they see the ``Workspace``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace

import httpx
from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from photon_desktop import errors
from photon_desktop.api.activity import Activity
from photon_desktop.api.client import USER_AGENT, create_http_client
from photon_desktop.auth.environments import (
    CUSTOM,
    LOCAL_SANDBOX,
    Environment,
    EnvironmentKind,
    by_key,
)
from photon_desktop.auth.profiles import Profile, load_profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session
from photon_desktop.local_sandbox import LocalSandbox, SandboxInfo
from photon_desktop.services import Services
from photon_desktop.services.credentials import CredentialsService, environment_for
from photon_desktop.services.signin import SignInService
from photon_desktop.ui.catalog.page import CatalogPage
from photon_desktop.ui.common import tasks
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.order_watch import OrderWatch
from photon_desktop.ui.orders.list import OrdersPage
from photon_desktop.ui.prescriptions.list import PrescriptionsPage
from photon_desktop.ui.settings.pane import SettingsPane
from photon_desktop.ui.signin.window import SignInWindow
from photon_desktop.ui.templates.page import TemplatesPage
from photon_desktop.ui.welcome import WelcomePage
from photon_desktop.ui.worklist import wiring as order_updates
from photon_desktop.ui.workspace import Workspace

log = logging.getLogger(__name__)

LAST_ENVIRONMENT = "app/last_environment"


class QtSettingsStore:
    """The auth layer's ``SettingsStore`` over ``QSettings`` (same keys and values as before)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings

    def _qt(self) -> QSettings:
        # A fresh QSettings each time follows the organization/application set at start-up.
        return self._settings if self._settings is not None else QSettings()

    def get_text(self, key: str, default: str = "") -> str:
        value = self._qt().value(key, default)
        if isinstance(value, list | tuple):  # an INI value with commas reads back as a list
            return ",".join(str(v) for v in value)
        return default if value is None else str(value)

    def set_text(self, key: str, value: str) -> None:
        self._qt().setValue(key, value)

    def sync(self) -> None:
        self._qt().sync()


class SessionPage(QWidget):
    """The Sign-in page: a ``SignInWindow`` for whichever environment is current."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Sign in")
        self._workspace = workspace
        self._stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self.sign_in: SignInWindow | None = None
        workspace.environment_changed.connect(self._rebuild)

    def _rebuild(self) -> None:
        if self.sign_in is not None and self.sign_in.service.session is self._workspace.session:
            return
        if self.sign_in is not None:
            self.sign_in.cancel()
            self._stack.removeWidget(self.sign_in)
            self.sign_in.deleteLater()
        self.sign_in = SignInWindow(SignInService(self._workspace.session), parent=self._stack)
        self._stack.addWidget(self.sign_in)


class Desktop(QObject):
    """Everything the running app owns; ``await open_environment(key)`` switches to it."""

    def __init__(self, *, demo_patients: int = 200, seed: int = 1) -> None:
        super().__init__()
        self.store = SecretStore()
        self.settings = QtSettingsStore()
        self.workspace = Workspace(self)
        self._demo_patients = demo_patients
        self._seed = seed
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._sessions: dict[str, Session] = {}
        self._services: dict[str, Services] = {}
        self.sandbox: LocalSandbox | None = None
        self.sandbox_info: SandboxInfo | None = None
        self._settings_http = create_http_client()
        self.credentials = CredentialsService(self.store, self._settings_http, self.settings)

    # ------------------------------------------------------------------ environments

    async def local_sandbox(self) -> SandboxInfo:
        """The embedded sandbox, started on first use (its M2M secret stays in memory)."""
        if self.sandbox_info is None or self.sandbox is None or not self.sandbox.running:
            self.sandbox = LocalSandbox(seed=self._seed, patients=self._demo_patients)
            self.sandbox_info = await self.sandbox.start()
        return self.sandbox_info

    async def resolve(self, key: str) -> tuple[Environment, Profile]:
        """The endpoints and non-secret settings of environment ``key``."""
        profile = load_profile(key, self.settings)
        env = by_key(key)
        if env.kind is EnvironmentKind.LOCAL:
            if profile.graphql_url and profile.issuer:
                # A photon-sandbox the user runs themselves.
                env = env.with_endpoints(
                    issuer=profile.issuer,
                    audience=profile.audience,
                    graphql_url=profile.graphql_url,
                )
            else:
                info = await self.local_sandbox()
                env = info.environment
                profile = replace(profile, native_client_id=info.native_client_id)
        elif env.kind is EnvironmentKind.CUSTOM:
            if not (profile.issuer and (profile.audience or profile.resource)):
                raise errors.ConfigurationError(
                    "The custom environment needs a sign-in address, an audience or resource and "
                    "a GraphQL address. Enter them in Settings."
                )
            if not profile.graphql_url:
                raise errors.ConfigurationError(
                    "The custom environment needs a GraphQL address. Enter it in Settings."
                )
            env = CUSTOM.with_endpoints(
                issuer=profile.issuer, audience=profile.audience, graphql_url=profile.graphql_url
            )
        return environment_for(env, profile), profile

    async def open_environment(self, key: str, *, restore: bool = True) -> Session:
        """Make ``key`` the current environment (its session and services)."""
        env, profile = await self.resolve(key)
        session = self._sessions.get(key)
        if session is None or session.environment != env:
            http = self._clients.get(key)
            if http is None:
                http = self._clients[key] = create_http_client()
            session = Session(env, http, self.store, profile=profile)
            self._sessions[key] = session
            services = Services(http, env.graphql_url, session, user_agent=USER_AGENT)
            self._services[key] = services
            services.activity.subscribe(_ends_refused_sessions(session))
            if restore:
                await session.restore()
        else:
            session.profile = profile
        QSettings().setValue(LAST_ENVIRONMENT, key)
        self.workspace.set(env, session, self._services[key])
        return session

    async def connect_demo(self) -> Session:
        """The local sandbox with its demo M2M credentials (memory only, never the keyring)."""
        info = await self.local_sandbox()
        session = await self.open_environment(LOCAL_SANDBOX.key, restore=False)
        if not session.signed_in:
            await session.use_m2m(info.m2m_client_id, info.m2m_client_secret, remember=False)
        return session

    async def switch(
        self,
        window: MainWindow,
        key: str,
        *,
        demo: bool = False,
        m2m: tuple[str, str] | None = None,
    ) -> None:
        """Connect from a user's click: errors go to the status bar, never up the loop.

        ``m2m``: a client ID and secret just saved in Settings, to sign in with now (the
        settings pane has already stored the secret, so it is not stored again here).
        """
        window.statusBar().showMessage("Connecting…")
        try:
            if demo:
                await self.connect_demo()
            else:
                client_id, secret = m2m or ("", "")
                fresh = bool(client_id.strip() and secret)
                session = await self.open_environment(key, restore=not fresh)
                if fresh:
                    await session.use_m2m(client_id.strip(), secret, remember=False)
        except errors.PhotonError as error:
            window.statusBar().showMessage(str(error), 15000)
            window.show_page("settings")
            return
        window.statusBar().clearMessage()
        session = self.workspace.session
        if session.signed_in:
            window.show_page("patients")
        elif session.profile.m2m_client_id and not self.store.usable:
            # No secure keyring: the organization's secret is asked again each session. Said in
            # the status bar's own notice, never over the environment and sign-in.
            window.status.set_notice(
                "No secure keyring on this computer: enter the client secret again in Settings, "
                "or sign in with Photon.",
                self.store.notice or "",
            )
            window.show_page("settings")
        else:
            window.show_page("sign-in")

    def last_environment(self) -> str | None:
        value = QSettings().value(LAST_ENVIRONMENT, None)
        return str(value) if value else None

    # ------------------------------------------------------------------ shutdown

    async def aclose(self) -> None:
        tasks.cancel_all()
        await asyncio.sleep(0)
        for services in self._services.values():
            await services.aclose()
        for client in [*self._clients.values(), self._settings_http]:
            await client.aclose()
        if self.sandbox is not None:
            self.sandbox.stop()


def _ends_refused_sessions(session: Session) -> Callable[[Activity], None]:
    """When the API refuses even a renewed token, the session stops saying it is signed in."""

    def observe(activity: Activity) -> None:
        if isinstance(activity.last_error, errors.SignInRequired) and session.signed_in:
            session.api_refused()

    return observe


def window_title_identity(workspace: Workspace) -> str:
    """ "Dr Maya Okafor <maya@…> — Photon Sandbox" for the window title; "" when signed out."""
    if not workspace.ready or not workspace.session.signed_in:
        return ""
    return f"{workspace.session.identity or 'Signed in'} — {workspace.environment.name}"


def build_window(desktop: Desktop) -> MainWindow:
    """The main window with every page, and the links between pages wired."""
    workspace = desktop.workspace
    window = MainWindow(workspace)
    watch = OrderWatch(workspace, window)  # one source of order state for every view
    prescriptions = PrescriptionsPage(workspace)
    orders = OrdersPage(workspace, watch=watch)
    settings = SettingsPane(desktop.credentials, current=desktop.last_environment())
    sign_in = SessionPage(workspace)
    window.add_page("prescriptions", "Prescriptions", "prescriptions", prescriptions)
    window.add_page("orders", "Orders", "orders", orders)
    # The organization's formulary: its catalogs, and the templates that prefill prescriptions.
    formulary, templates = CatalogPage(workspace), TemplatesPage(workspace)
    formulary.changed.connect(templates.refresh)  # a removed treatment takes its templates
    templates.changed.connect(formulary.refresh)
    window.add_page("catalog", "Catalog", "catalog", formulary)
    window.add_page("templates", "Templates", "templates", templates)
    window.add_page("settings", "Settings", "settings", settings)
    window.add_page("sign-in", "Sign in", "sign-in", sign_in)

    def show_prescription(prescription_id: str) -> None:
        window.show_page("prescriptions")
        prescriptions.open_prescription(prescription_id)

    def show_order(order_id: str) -> None:
        window.show_page("orders")
        orders.open_order(order_id)

    def show_patient(patient_id: str) -> None:
        window.show_page("patients")
        window.patients.open(patient_id)

    order_updates.install(window, watch, show_order, show_prescription)
    window.patients.open_prescription.connect(show_prescription)
    window.patients.open_order.connect(show_order)
    prescriptions.order_requested.connect(show_order)
    prescriptions.patient_requested.connect(show_patient)
    orders.prescription_requested.connect(show_prescription)
    orders.patient_requested.connect(show_patient)

    def use_environment(key: str) -> None:
        credentials = settings.m2m_credentials()
        tasks.spawn(desktop.switch(window, key, m2m=credentials), owner=window, name="connect")

    def show_endpoints() -> None:
        # The embedded sandbox's port is known only once it runs: let Settings test against it.
        if workspace.environment.kind is EnvironmentKind.LOCAL:
            settings.set_environment(workspace.environment)

    settings.connect_requested.connect(use_environment)
    workspace.environment_changed.connect(show_endpoints)
    _show_identity_in_title(window, workspace)
    return window


def _show_identity_in_title(window: MainWindow, workspace: Workspace) -> None:
    """Append who is signed in, where, to whatever title the window sets for its page."""
    separator = " · "

    def sync() -> None:
        title = window.windowTitle()
        base = title.split(separator, 1)[0]
        identity = window_title_identity(workspace)
        wanted = base + (separator + identity if identity else "")
        if wanted != title:
            window.setWindowTitle(wanted)

    window.windowTitleChanged.connect(lambda _title: sync())
    workspace.session_changed.connect(sync)
    workspace.environment_changed.connect(sync)
    sync()


def add_welcome(desktop: Desktop, window: MainWindow) -> WelcomePage:
    """First launch with nothing configured: offer the local sandbox or connecting to Photon."""
    welcome = WelcomePage()
    window.add_page("welcome", "Get started", "sign-in", welcome)
    window.show_page("welcome")

    def try_sandbox() -> None:
        tasks.spawn(desktop.switch(window, LOCAL_SANDBOX.key, demo=True), owner=window)

    welcome.try_sandbox.connect(try_sandbox)
    welcome.connect_photon.connect(lambda: window.show_page("settings"))
    return welcome
