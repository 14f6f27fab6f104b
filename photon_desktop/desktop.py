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
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
from PySide6.QtCore import QObject, QSettings, Signal

from photon_desktop import errors
from photon_desktop.api import documents
from photon_desktop.api.activity import Activity
from photon_desktop.api.client import USER_AGENT, create_http_client, unwinding_requests
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
from photon_desktop.ui.common import preferences, tasks
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.workspace import Workspace

log = logging.getLogger(__name__)

#: How long closing waits for cancelled work to unwind before it closes the HTTP clients (it
#: takes a few milliseconds; the window has closed by then, and the process is to end within
#: 0.2 s of that).
CLOSE_WAIT_S = 0.1


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


class Desktop(QObject):
    """Everything the running app owns; ``await open_environment(key)`` switches to it.

    ``keyring_probed(usable)`` once the keyring probe that ``start()`` began has answered (or
    timed out). ``local_sandbox_changed`` is emitted when the bundled sandbox stops on its own
    (its message, also set as the workspace's ``unavailable`` reason while it is current) and
    when it runs again (""): every screen that names it follows.
    """

    local_sandbox_changed = Signal(str)
    keyring_probed = Signal(bool)

    def __init__(
        self, *, demo_patients: int = 200, seed: int = 1, sandbox: LocalSandbox | None = None
    ) -> None:
        """``sandbox``: the bundled sandbox's child, already spawned (``LocalSandbox.spawn``)."""
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
        if sandbox is not None:
            self._adopt(sandbox)
        self.sandbox_info: SandboxInfo | None = None
        self._sandbox_start: asyncio.Future[SandboxInfo] | None = None
        self.sandbox_stopped = ""  # why the bundled sandbox is not running any more
        self._closing = False
        self._probe: asyncio.Future[bool] | None = None
        self._settings_http = create_http_client()
        self.credentials = CredentialsService(self.store, self._settings_http, self.settings)

    # ------------------------------------------------------------------ start-up

    def start(self, key: str | None, *, probe_keyring: bool = True) -> None:
        """Begin what opening ``key`` will wait for, without waiting: the keyring probe (its
        answer comes as ``keyring_probed``) and, when ``key`` needs it, the bundled sandbox's
        child. The child's process starts now and runs while the window is being built; the
        probe's thread starts at the loop's next turn, once the window is built (started
        earlier, its imports competed with the window's for the interpreter: measured, ~12 ms
        later to the first page with no gain for a Secret Service).

        ``probe_keyring=False`` when opening needs no secret (``--demo`` signs in with the
        sandbox's pair, kept in memory): the probe waits for ``probe_keyring()`` after the first
        page, or for the first keyring call, whichever comes first.
        """
        if probe_keyring:
            self.probe_keyring()
        if key == LOCAL_SANDBOX.key and not self._runs_own_sandbox(key):
            self.start_local_sandbox()

    def probe_keyring(self) -> None:
        """Start the keyring probe unless it has started (or the app is closing); its answer
        comes as ``keyring_probed``."""
        if self._probe is not None or self._closing:
            return
        probe = asyncio.ensure_future(self.store.probe())

        def probed(done: asyncio.Future[bool]) -> None:
            if not done.cancelled():
                self.keyring_probed.emit(done.result())

        probe.add_done_callback(probed)
        self._probe = probe  # kept: a task only the loop refers to may be collected

    def prepare_first_requests(self) -> None:
        """Once the window shows and start-up waits on the network or the sandbox child: read the
        first screen's documents in a thread, so the first request does not pay for them. Nothing
        depends on it finishing."""
        threading.Thread(target=_prepare_first_requests, name="prepare", daemon=True).start()

    def _runs_own_sandbox(self, key: str) -> bool:
        """The user points "local" at a photon-sandbox they run themselves."""
        profile = load_profile(key, self.settings)
        return bool(profile.graphql_url and profile.issuer)

    # ------------------------------------------------------------------ environments

    def start_local_sandbox(self) -> asyncio.Future[SandboxInfo]:
        """Start the embedded sandbox now, or join the start already under way."""
        if self._sandbox_start is None or self._sandbox_start.done():
            if self._sandbox_info_stale():
                self.sandbox_info = None  # the old child's addresses died with it
                with contextlib.suppress(errors.ConfigurationError):  # start() says it again
                    self._own_sandbox().launch()  # now, not at the task's first step
            self._sandbox_start = asyncio.ensure_future(self._local_sandbox())
            # Its failure is reported to whoever awaits it; nobody may (the user went elsewhere).
            self._sandbox_start.add_done_callback(lambda done: done.cancelled() or done.exception())
        return self._sandbox_start

    async def local_sandbox(self) -> SandboxInfo:
        """The embedded sandbox, started on first use (its M2M secret stays in memory); after it
        stopped, a fresh one (new port, data and M2M pair)."""
        return await asyncio.shield(self.start_local_sandbox())

    def _own_sandbox(self) -> LocalSandbox:
        return self.sandbox or self._adopt(
            LocalSandbox(seed=self._seed, patients=self._demo_patients)
        )

    def _adopt(self, sandbox: LocalSandbox) -> LocalSandbox:
        self.sandbox = sandbox
        sandbox.add_exit_observer(self._on_sandbox_exit)
        return sandbox

    def _sandbox_info_stale(self) -> bool:
        return self.sandbox_info is None or self.sandbox is None or not self.sandbox.running

    async def _local_sandbox(self) -> SandboxInfo:
        sandbox = self._own_sandbox()
        if self.sandbox_info is not None and not self._sandbox_info_stale():
            return self.sandbox_info
        self.sandbox_info = None
        info = self.sandbox_info = await sandbox.start()
        if self.sandbox_stopped:
            self.sandbox_stopped = ""
            self.workspace.set_unavailable("")
            self.local_sandbox_changed.emit("")
        return info

    def _on_sandbox_exit(self, code: int) -> None:
        """The child ended: unless the app is closing, say so everywhere at once."""
        if self._closing or self.sandbox_info is None:
            return  # closing, or it never became ready (start() reports that itself)
        how, why = f"exit code {code}", "it ended with an error" if code else "it shut down"
        if code < 0:
            with contextlib.suppress(ValueError):
                how = f"stopped by {signal.Signals(-code).name}"
            ended = {signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
            why = "another program ended it" if -code in ended else "it crashed"
        self.sandbox_stopped = (
            f"The local sandbox has stopped: {why}. Its data and sign-ins are gone; restart it "
            "to continue with fresh demo data."
        )
        log.warning("local sandbox stopped (%s)", how)  # the signal or code, for support
        if self._uses_bundled_sandbox():
            self.workspace.set_unavailable(self.sandbox_stopped)
        self.local_sandbox_changed.emit(self.sandbox_stopped)
        session = self._sessions.get(LOCAL_SANDBOX.key)
        if session is not None and session.environment.issuer == self.sandbox_info.issuer:
            # Its tokens were signed by keys that died with it: the sign-in is over.
            tasks.spawn(_end(session), owner=self, name="end-sandbox-session")

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

    @contextlib.contextmanager
    def _connecting(self, key: str) -> Iterator[None]:
        """While connecting, views say so ("Connecting to …", skeleton rows)."""
        self.workspace.set_connecting(by_key(key).name)
        try:
            yield
        finally:
            self.workspace.set_connecting("")

    def _keep_renewed(self, services: Services) -> None:
        """Another organization's sign-in got fresh services: they replace the old ones."""
        session = self.workspace.session
        for key, known in self._sessions.items():
            if known is session:
                self._services[key] = services
                services.activity.subscribe(_ends_refused_sessions(session))

    async def connect_demo(self) -> Session:
        """The local sandbox with its demo M2M credentials (memory only, never the keyring)."""
        with self._connecting(LOCAL_SANDBOX.key):
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
                with self._connecting(key):
                    session = await self.open_environment(key, restore=not fresh)
                    if fresh:
                        await session.use_m2m(client_id.strip(), secret, remember=False)
        except errors.PhotonError as error:
            window.statusBar().showMessage(str(error), 15000)
            window.land_on("settings")
            return
        window.statusBar().clearMessage()
        session = self.workspace.session
        if session.signed_in:
            window.land_on("patients")
        elif session.profile.m2m_client_id and not self.store.usable:
            # No secure keyring: the organization's secret is asked again each session. Said in
            # the status bar's own notice, never over the environment and sign-in.
            window.status.set_notice(
                "No secure keyring on this computer: enter the client secret again in Settings, "
                "or sign in with Photon.",
                self.store.notice or "",
            )
            window.land_on("settings")
        else:
            window.land_on("sign-in")

    def _bundled_sandbox_stopped(self, key: str) -> bool:
        return bool(self.sandbox_stopped) and not self._runs_own_sandbox(key)

    def last_environment(self) -> str | None:
        return preferences.LAST_ENVIRONMENT.get() or None

    # ------------------------------------------------------------------ shutdown

    async def aclose(self) -> None:
        self._closing = True
        if self.sandbox is not None:
            self.sandbox.request_stop()  # it stops while the rest closes; waited for below
        if self._sandbox_start is not None and not self._sandbox_start.done():
            self._sandbox_start.cancel()
        await self._end_background_work()
        for services in self._services.values():
            await services.aclose()
        for client in [*self._clients.values(), self._settings_http]:
            await client.aclose()
        if self.sandbox is not None:
            self.sandbox.stop()

    async def _end_background_work(self) -> None:
        """Cancel every task and token renewal, then wait (at most ``CLOSE_WAIT_S``) until they
        and the requests they had on their way have ended, so that the clients close after them
        and nothing is left pending on a loop that stops. Work started while they unwind (a
        cancelled load's error handling) is cancelled in turn."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLOSE_WAIT_S
        current = asyncio.current_task()
        halted = (session.halt() for session in self._sessions.values())
        renewals = [renewal for renewal in halted if renewal is not None]
        while True:
            pending: list[asyncio.Future[Any]] = [t for t in tasks.running() if t is not current]
            for task in pending:
                task.cancel()
            pending += [renewal for renewal in renewals if not renewal.done()]
            pending += unwinding_requests()
            left = deadline - loop.time()
            if not pending or left <= 0:
                return
            await asyncio.wait(pending, timeout=left)


async def _end(session: Session) -> None:
    """Sign out a session whose server is gone (revoking cannot reach it; nothing is kept)."""
    with contextlib.suppress(errors.PhotonError):
        await session.sign_out()


# What the first screen (patients, the worklist's order watch, prescription badges) sends first.
FIRST_SCREEN_DOCUMENTS = ("SearchPatients", "WatchOrders", "ListPrescriptions")


def _prepare_first_requests() -> None:
    try:
        for name in FIRST_SCREEN_DOCUMENTS:
            documents.load(name)
    except Exception:  # the request that needs it will say what is wrong
        log.debug("preparing the first requests failed", exc_info=True)


def _ends_refused_sessions(session: Session) -> Callable[[Activity], None]:
    """When the API refuses even a renewed token, the session stops saying it is signed in."""

    def observe(activity: Activity) -> None:
        if isinstance(activity.last_error, errors.SignInRequired) and session.signed_in:
            session.api_refused()

    return observe


# The window's composition lives in ``window``; these names have always been imported from here.
from photon_desktop.window import (  # noqa: E402
    SessionPage,
    add_welcome,
    build_window,
    window_title_identity,
)

__all__ = [
    "Desktop",
    "QtSettingsStore",
    "SessionPage",
    "add_welcome",
    "build_window",
    "window_title_identity",
]
