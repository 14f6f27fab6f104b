"""The main window composed: every page, the links between pages, and what follows the bundled
sandbox and the sign-in. ``Desktop`` (``desktop``) owns what the pages are given."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from photon_desktop.auth.environments import LOCAL_SANDBOX, EnvironmentKind
from photon_desktop.services.signin import SignInService
from photon_desktop.ui.common import tasks
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.order_watch import OrderWatch
from photon_desktop.ui.organizations import switcher as organization_switcher
from photon_desktop.ui.organizations.memberships import memberships_for
from photon_desktop.ui.signin.window import SignInWindow
from photon_desktop.ui.status import OutageBar
from photon_desktop.ui.welcome import WelcomePage
from photon_desktop.ui.worklist import wiring as order_updates
from photon_desktop.ui.workspace import Workspace

if TYPE_CHECKING:
    from photon_desktop.desktop import Desktop
    from photon_desktop.ui.catalog.page import CatalogPage
    from photon_desktop.ui.orders.list import OrdersPage
    from photon_desktop.ui.prescriptions.list import PrescriptionsPage
    from photon_desktop.ui.settings.pane import SettingsPane
    from photon_desktop.ui.templates.page import TemplatesPage


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
        """A sign-in waiting on a server that just stopped would wait for nothing: end it, and
        say why instead of an account that is gone."""
        if self.sign_in is not None:
            self.sign_in.follow_server()

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


def window_title_identity(workspace: Workspace) -> str:
    """ "Dr Maya Okafor <maya@…> — Sandbox Pediatrics" for the window title (the organization in
    effect, by name; the title names the environment already); "" when signed out."""
    if not workspace.ready or not workspace.session.signed_in:
        return ""
    organization = memberships_for(workspace).current_name
    where = f" — {organization}" if organization else ""
    return f"{workspace.session.identity or 'Signed in'}{where}"


def build_window(desktop: Desktop, frame: MainWindow | None = None) -> MainWindow:
    """The main window with every page, and the links between pages wired: ``frame`` (shown
    before the layers were imported) is finished in place, else a new window is built."""
    workspace = desktop.workspace
    if frame is None:
        window = MainWindow(workspace)
    else:
        window = frame
        window.attach(workspace)
    watch = OrderWatch(workspace, window)  # one source of order state for every view
    built: dict[str, CatalogPage | TemplatesPage] = {}

    def prescriptions() -> PrescriptionsPage:
        from photon_desktop.ui.prescriptions.list import PrescriptionsPage

        page = window.page("prescriptions")
        assert isinstance(page, PrescriptionsPage)
        return page

    def orders() -> OrdersPage:
        from photon_desktop.ui.orders.list import OrdersPage

        page = window.page("orders")
        assert isinstance(page, OrdersPage)
        return page

    # The links between pages, defined before any page is added: the page shown last time is
    # built as soon as it is added, and its builder connects these.
    def show_prescription(prescription_id: str) -> None:
        window.show_page("prescriptions")
        prescriptions().open_prescription(prescription_id)

    def show_order(order_id: str) -> None:
        window.show_page("orders")
        orders().open_order(order_id)

    def show_patient(patient_id: str) -> None:
        window.show_page("patients")
        window.patients.open(patient_id)

    def build_prescriptions() -> QWidget:
        from photon_desktop.ui.prescriptions.list import PrescriptionsPage

        page = PrescriptionsPage(workspace)
        page.order_requested.connect(show_order)
        page.patient_requested.connect(show_patient)
        return page

    def build_orders() -> QWidget:
        from photon_desktop.ui.orders.list import OrdersPage

        page = OrdersPage(workspace, watch=watch)
        page.prescription_requested.connect(show_prescription)
        page.patient_requested.connect(show_patient)
        return page

    # The organization's formulary: its catalogs, and the templates that prefill prescriptions.
    # A removed treatment takes its templates, so each refreshes the other once both exist.
    def build_catalog() -> QWidget:
        from photon_desktop.ui.catalog.page import CatalogPage

        page = built["catalog"] = CatalogPage(workspace)
        page.changed.connect(lambda: refresh_built("templates"))
        return page

    def build_templates() -> QWidget:
        from photon_desktop.ui.templates.page import TemplatesPage

        page = built["templates"] = TemplatesPage(workspace)
        page.changed.connect(lambda: refresh_built("catalog"))
        return page

    def refresh_built(key: str) -> None:
        page = built.get(key)
        if page is not None:  # one never built loads fresh when it is
            page.refresh()

    sign_in = SessionPage(workspace)
    # Pages the first screen does not show are imported and built on their first visit.
    window.add_lazy_page("prescriptions", "Prescriptions", "prescriptions", build_prescriptions)
    window.add_lazy_page("orders", "Orders", "orders", build_orders)
    window.add_lazy_page("catalog", "Catalog", "catalog", build_catalog)
    window.add_lazy_page("templates", "Templates", "templates", build_templates)
    window.add_lazy_page("settings", "Settings", "settings", _settings_builder(desktop, window))
    window.add_page("sign-in", "Sign in", "sign-in", sign_in)

    order_updates.install(window, watch, show_order, show_prescription)
    window.patients.open_prescription.connect(show_prescription)
    window.patients.open_order.connect(show_order)

    organization_switcher.install(window, workspace)
    _back_after_sign_in(window, sign_in)
    _follow_the_local_sandbox(desktop, window)
    _show_identity_in_title(window, workspace)
    return window


def _settings_builder(desktop: Desktop, window: MainWindow) -> Callable[[], QWidget]:
    """The Settings page's builder, for its first visit; what happens before then (the sandbox
    starts or stops, the keyring is probed) is told to the pane once it exists, and what happened
    before it was built is told as it is built."""
    workspace = desktop.workspace
    built: list[SettingsPane] = []

    def build() -> QWidget:
        from photon_desktop.ui.settings.pane import SettingsPane

        pane = SettingsPane(desktop.credentials, current=desktop.last_environment())
        built.append(pane)
        pane.connect_requested.connect(lambda key: use_environment(pane, key))
        show_endpoints()
        if desktop.sandbox_stopped:
            sandbox_changed(desktop.sandbox_stopped)
        return pane

    def use_environment(pane: SettingsPane, key: str) -> None:
        credentials = pane.m2m_credentials()
        tasks.spawn(desktop.switch(window, key, m2m=credentials), owner=window, name="connect")

    def show_endpoints() -> None:
        # The embedded sandbox's port is known only once it runs: let Settings test against it.
        if built and workspace.ready and workspace.environment.kind is EnvironmentKind.LOCAL:
            built[0].set_environment(workspace.environment)

    def sandbox_changed(stopped: str) -> None:
        if built:
            built[0].set_local_sandbox_stopped(stopped)
            if stopped:
                built[0].set_environment(LOCAL_SANDBOX)  # its addresses are gone with it

    def keyring_probed(_usable: bool) -> None:
        if built:
            built[0].show_keyring_notice()

    desktop.keyring_probed.connect(keyring_probed)
    desktop.local_sandbox_changed.connect(sandbox_changed)
    workspace.environment_changed.connect(show_endpoints)
    return build


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
    sign_in.signed_in.connect(lambda: window.land_on(before[0]))


def _follow_the_local_sandbox(desktop: Desktop, window: MainWindow) -> None:
    """When the bundled sandbox stops: a bar over every page with "Restart the local sandbox" (and
    the status bar; Settings follows by itself: ``_settings_builder``)."""
    bar = OutageBar(desktop.workspace, window)
    window.add_notice_bar(bar)

    def restart() -> None:
        tasks.spawn(desktop.restart_local_sandbox(window), owner=window, name="restart-sandbox")

    bar.restart_requested.connect(restart)


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
    window.land_on("welcome")
    workspace = desktop.workspace

    def leave_once_connected() -> None:
        # Its two ways in are done with: Settings and Sign in stay for changing them.
        if workspace.ready and workspace.session.signed_in:
            workspace.session_changed.disconnect(leave_once_connected)
            if window.current_key == "welcome":
                window.land_on("patients")
            window.remove_page("welcome")

    workspace.session_changed.connect(leave_once_connected)

    def try_sandbox() -> None:
        tasks.spawn(desktop.switch(window, LOCAL_SANDBOX.key, demo=True), owner=window)

    welcome.try_sandbox.connect(try_sandbox)
    welcome.connect_photon.connect(lambda: window.show_page("settings"))
    return welcome
