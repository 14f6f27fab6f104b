"""The composition root: environments, sessions, services and the main window, wired once.

``Desktop`` owns what lives as long as the app: the keyring store, one HTTP client per environment,
one ``Session`` per environment, the local sandbox child process and the window. Views never see
these pieces directly; they see the ``Workspace``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from dataclasses import replace

import httpx
from PySide6.QtCore import QObject, QSettings, Signal
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
from photon_desktop.ui.common import preferences, tasks
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.order_watch import OrderWatch
from photon_desktop.ui.orders.list import OrdersPage
from photon_desktop.ui.organizations import switcher as organization_switcher
from photon_desktop.ui.organizations.memberships import memberships_for
from photon_desktop.ui.prescriptions.list import PrescriptionsPage
from photon_desktop.ui.settings.pane import SettingsPane
from photon_desktop.ui.signin.window import SignInWindow
from photon_desktop.ui.status import OutageBar
from photon_desktop.ui.templates.page import TemplatesPage
from photon_desktop.ui.welcome import WelcomePage
from photon_desktop.ui.worklist import wiring as order_updates
from photon_desktop.ui.workspace import Workspace

log = logging.getLogger(__name__)


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
    """The Sign-in page: a ``SignInWindow`` for whichever environment is current.

    ``signed_in`` when a browser sign-in from this page succeeded.
    """

    signed_in = Signal()

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
        workspace.availability_changed.connect(self._on_availability)

    def _on_availability(self) -> None:
        """A sign-in waiting on a server that just stopped would wait for nothing: end it."""
        reason = self._workspace.unavailable
        if reason and self.sign_in is not None:
            self.sign_in.stop_for(reason)

    def _rebuild(self) -> None:
        if self.sign_in is not None and self.sign_in.service.session is self._workspace.session:
            return
        if self.sign_in is not None:
            self.sign_in.cancel()
            self._stack.removeWidget(self.sign_in)
            self.sign_in.deleteLater()
        workspace = self._workspace
        self.sign_in = SignInWindow(
            SignInService(workspace.session),
            blocked=lambda: workspace.unavailable,
            parent=self._stack,
        )
        self.sign_in.signed_in.connect(self.signed_in)
        self._stack.addWidget(self.sign_in)


class Desktop(QObject):
    """Everything the running app owns; ``await open_environment(key)`` switches to it.

    ``local_sandbox_changed`` is emitted when the bundled sandbox stops on its own (its message,
    also set as the workspace's ``unavailable`` reason while it is current) and when it runs
    again (""): every screen that names it follows.
    """

    local_sandbox_changed = Signal(str)

    def __init__(self, *, demo_patients: int = 200, seed: int = 1) -> None:
        super().__init__()
        self.store = SecretStore()
        self.settings = QtSettingsStore()
        self.workspace = Workspace(self)
        self.workspace.services_renewed.connect(self._keep_renewed)
        self._demo_patients = demo_patients
        self._seed = seed
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._sessions: dict[str, Session] = {}
        self._services: dict[str, Services] = {}
        self.sandbox: LocalSandbox | None = None
        self.sandbox_info: SandboxInfo | None = None
        self.sandbox_stopped = ""  # why the bundled sandbox is not running any more
        self._closing = False
        self._settings_http = create_http_client()
        self.credentials = CredentialsService(self.store, self._settings_http, self.settings)

    # ------------------------------------------------------------------ environments

    async def local_sandbox(self) -> SandboxInfo:
        """The embedded sandbox, started on first use (its M2M secret stays in memory); after it
        stopped, a fresh one (new port, data and M2M pair)."""
        if self.sandbox is None:
            self.sandbox = LocalSandbox(seed=self._seed, patients=self._demo_patients)
            self.sandbox.add_exit_observer(self._on_sandbox_exit)
        if self.sandbox_info is None or not self.sandbox.running:
            self.sandbox_info = None
            self.sandbox_info = await self.sandbox.start()
            if self.sandbox_stopped:
                self.sandbox_stopped = ""
                self.workspace.set_unavailable("")
                self.local_sandbox_changed.emit("")
        return self.sandbox_info

    def _on_sandbox_exit(self, code: int) -> None:
        """The child ended: unless the app is closing, say so everywhere at once."""
        if self._closing or self.sandbox_info is None:
            return  # closing, or it never became ready (start() reports that itself)
        how = f"exit code {code}"
        if code < 0:
            with contextlib.suppress(ValueError):
                how = f"stopped by {signal.Signals(-code).name}"
        self.sandbox_stopped = (
            f"The local sandbox has stopped ({how}). Its data and sign-ins are gone; restart it "
            "to continue with fresh demo data."
        )
        log.warning("local sandbox stopped (%s)", how)
        if self._uses_bundled_sandbox():
            self.workspace.set_unavailable(self.sandbox_stopped)
        self.local_sandbox_changed.emit(self.sandbox_stopped)

    def _uses_bundled_sandbox(self) -> bool:
        info = self.sandbox_info
        return (
            self.workspace.ready
            and info is not None
            and self.workspace.environment.graphql_url == info.graphql_url
        )

    async def restart_local_sandbox(self, window: MainWindow) -> None:
        """A fresh sandbox; the old one's session (and anything it kept) is forgotten, and the
        app connects again with the new addresses and M2M pair."""
        key = LOCAL_SANDBOX.key
        old = self._sessions.pop(key, None)
        services = self._services.pop(key, None)
        if services is not None:
            await services.aclose()
        if old is not None:
            with contextlib.suppress(errors.PhotonError):
                await old.sign_out()  # forgets its keyring entries; revoking cannot reach it
        if self.sandbox is not None and self.sandbox.running:
            self.sandbox.stop()
        await self.switch(window, key, demo=True)
        if self.sandbox_stopped:  # the restart itself failed: the bar offers it again
            self.workspace.set_unavailable("")
            self.workspace.set_unavailable(self.sandbox_stopped)

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
        preferences.LAST_ENVIRONMENT.set(key)
        self.workspace.set(env, session, self._services[key])
        self.workspace.set_unavailable(self.sandbox_stopped if self._uses_bundled_sandbox() else "")
        return session

    def _keep_renewed(self, services: Services) -> None:
        """Another organization's sign-in got fresh services: they replace the old ones."""
        session = self.workspace.session
        for key, known in self._sessions.items():
            if known is session:
                self._services[key] = services
                services.activity.subscribe(_ends_refused_sessions(session))

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
        typed = bool(m2m and m2m[0].strip() and m2m[1])
        if key == LOCAL_SANDBOX.key and not typed and self._bundled_sandbox_stopped(key):
            demo = True  # its old sign-in died with it: connect with the new demo pair
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

    def _bundled_sandbox_stopped(self, key: str) -> bool:
        profile = load_profile(key, self.settings)
        return bool(self.sandbox_stopped) and not (profile.graphql_url and profile.issuer)

    def last_environment(self) -> str | None:
        return preferences.LAST_ENVIRONMENT.get() or None

    # ------------------------------------------------------------------ shutdown

    async def aclose(self) -> None:
        self._closing = True
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
    """ "Dr Maya Okafor <maya@…> — Sandbox Pediatrics — Photon Sandbox" for the window title (the
    organization in effect, by name); "" when signed out."""
    if not workspace.ready or not workspace.session.signed_in:
        return ""
    organization = memberships_for(workspace).current_name
    where = f" — {organization}" if organization else ""
    return f"{workspace.session.identity or 'Signed in'}{where} — {workspace.environment.name}"


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
    organization_switcher.install(window, workspace)
    _back_after_sign_in(window, sign_in)
    _follow_the_local_sandbox(desktop, window, settings)
    _show_identity_in_title(window, workspace)
    return window


def _back_after_sign_in(window: MainWindow, sign_in: SessionPage) -> None:
    """A successful sign-in returns to the page the user was on before Sign in."""
    landing = {"sign-in", "welcome"}
    before = ["patients"]

    def remember(key: str) -> None:
        if key not in landing:
            before[0] = key

    window.page_changed.connect(remember)
    if window.current_key and window.current_key not in landing:
        before[0] = window.current_key
    sign_in.signed_in.connect(lambda: window.show_page(before[0]))


def _follow_the_local_sandbox(desktop: Desktop, window: MainWindow, settings: SettingsPane) -> None:
    """When the bundled sandbox stops: a bar over every page with "Restart the local sandbox", the
    status bar, and Settings no longer saying it runs."""
    bar = OutageBar(desktop.workspace, window)
    window.add_notice_bar(bar)

    def restart() -> None:
        tasks.spawn(desktop.restart_local_sandbox(window), owner=window, name="restart-sandbox")

    def changed(stopped: str) -> None:
        settings.set_local_sandbox_stopped(stopped)
        if stopped:
            settings.set_environment(LOCAL_SANDBOX)  # its addresses are gone with it

    bar.restart_requested.connect(restart)
    desktop.local_sandbox_changed.connect(changed)


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
    memberships_for(workspace).changed.connect(sync)
    sync()


def add_welcome(desktop: Desktop, window: MainWindow) -> WelcomePage:
    """First launch with nothing configured: offer the local sandbox or connecting to Photon."""
    welcome = WelcomePage()
    window.add_page("welcome", "Get started", "start", welcome)
    window.show_page("welcome")
    workspace = desktop.workspace

    def leave_once_connected() -> None:
        # Its two ways in are done with: Settings and Sign in stay for changing them.
        if workspace.ready and workspace.session.signed_in:
            workspace.session_changed.disconnect(leave_once_connected)
            if window.current_key == "welcome":
                window.show_page("patients")
            window.remove_page("welcome")

    workspace.session_changed.connect(leave_once_connected)

    def try_sandbox() -> None:
        tasks.spawn(desktop.switch(window, LOCAL_SANDBOX.key, demo=True), owner=window)

    welcome.try_sandbox.connect(try_sandbox)
    welcome.connect_photon.connect(lambda: window.show_page("settings"))
    return welcome
