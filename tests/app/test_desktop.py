"""The composed window as a user meets it: first launch, the demo sandbox, links between pages,
and a failed connection that leaves the user in Settings with the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from auth_fakes import MemoryKeyring
from PySide6.QtCore import Qt
from ui_support import until

from photon_desktop.auth.session import TokenKind
from photon_desktop.desktop import Desktop, add_welcome, build_window
from photon_desktop.sandbox.accounts import M2M_CLIENT_ID

Run = Callable[..., Any]


def test_first_launch_offers_the_sandbox_and_lands_on_patients(
    isolated: MemoryKeyring, arun: Run
) -> None:
    async def scenario() -> str:
        desktop = Desktop()
        window = build_window(desktop)
        try:
            assert desktop.last_environment() is None
            welcome = add_welcome(desktop, window)
            window.show()
            assert window.current_key == "welcome"

            icons = {
                window.nav.item(row).data(Qt.ItemDataRole.UserRole): window.nav.item(row).icon()
                for row in range(window.nav.count())
            }
            assert icons["welcome"].cacheKey() != icons["sign-in"].cacheKey()

            welcome.try_sandbox.emit()
            await until(lambda: window.current_key == "patients", within=30)
            # Connected: "Get started" has done its job and leaves the sidebar.
            keys = [
                window.nav.item(r).data(Qt.ItemDataRole.UserRole) for r in range(window.nav.count())
            ]
            assert "welcome" not in keys and "sign-in" in keys
            assert not window.show_page("welcome")
            session = desktop.workspace.session
            assert session.kind is TokenKind.M2M
            assert session.has("write:patient") and not session.has("write:prescription")
            await until(lambda: window.patients.list.proxy.rowCount() > 0, within=15)
            # The demo pair stays in memory: nothing reached the keyring.
            assert isolated.entries == {}
            assert desktop.last_environment() == "local"
            url = desktop.workspace.environment.issuer
        finally:
            window.close()
            await desktop.aclose()
        return url

    issuer = arun(scenario())
    # Closing the app stops the sandbox child it started.
    with pytest.raises(httpx.ConnectError):
        httpx.get(issuer + ".well-known/jwks.json", timeout=5)


def test_links_open_the_prescription_and_order_pages(isolated: MemoryKeyring, arun: Run) -> None:
    async def scenario() -> None:
        desktop = Desktop()
        window = build_window(desktop)
        try:
            await desktop.connect_demo()
            window.show()
            services = desktop.workspace.services
            prescription = (await services.prescriptions.list(first=1)).items[0]
            order = (await services.orders.list(first=1)).items[0]

            window.patients.open_prescription.emit(prescription.id)
            assert window.current_key == "prescriptions"
            detail: Any = window.page("prescriptions").detail  # type: ignore[attr-defined]
            await until(lambda: prescription.treatment.name in _texts(detail), within=15)

            window.patients.open_order.emit(order.id)
            assert window.current_key == "orders"
            detail = window.page("orders").detail  # type: ignore[attr-defined]
            await until(lambda: order.id in _texts(detail), within=15)
        finally:
            window.close()
            await desktop.aclose()

    arun(scenario())


def test_a_refused_secret_leaves_the_user_in_settings_with_the_reason(
    isolated: MemoryKeyring, arun: Run
) -> None:
    async def scenario() -> None:
        desktop = Desktop()
        window = build_window(desktop)
        try:
            window.show()
            await desktop.switch(window, "local", m2m=(M2M_CLIENT_ID, "not-the-secret"))
            assert window.current_key == "settings"
            message = window.statusBar().currentMessage()
            assert "refused" in message.lower() or "secret" in message.lower(), message
            assert not desktop.workspace.session.signed_in
            assert isolated.entries == {}
        finally:
            window.close()
            await desktop.aclose()

    arun(scenario())


def _texts(widget: Any) -> str:
    """What its labels and read-only values (a detail's fields) say."""
    from PySide6.QtWidgets import QLabel, QTextEdit

    labels = [label.text() for label in widget.findChildren(QLabel)]
    values = [value.toPlainText() for value in widget.findChildren(QTextEdit)]
    return " ".join(labels + values)


def test_without_a_keyring_the_secret_is_asked_again_next_session(
    isolated: MemoryKeyring, sandbox: Any, arun: Run
) -> None:
    """A saved client ID but no secure store: the next launch lands in Settings, asking."""
    import keyring
    from keyring.backends import fail

    from photon_desktop.auth.profiles import Profile, save_profile
    from photon_desktop.desktop import QtSettingsStore

    save_profile(
        "local",
        Profile(
            m2m_client_id=sandbox.m2m_client_id,
            issuer=sandbox.issuer,
            audience=sandbox.audience,
            graphql_url=sandbox.graphql_url,
        ),
        QtSettingsStore(),
    )
    keyring.set_keyring(fail.Keyring())

    async def scenario() -> None:
        desktop = Desktop()
        window = build_window(desktop)
        try:
            window.show()
            await desktop.store.probe()
            await desktop.switch(window, "local")
            assert not desktop.workspace.session.signed_in
            assert window.current_key == "settings"
            # In the status bar's own notice, not a message drawn over the sign-in.
            assert "client secret" in window.status.notice.text()
            assert window.statusBar().currentMessage() == ""
            assert window.status.identity.isVisible()
        finally:
            window.close()
            await desktop.aclose()

    arun(scenario())


def test_an_order_in_error_shows_its_problem(isolated: MemoryKeyring, arun: Run) -> None:
    from photon_desktop.domain import OrderState

    async def scenario() -> None:
        desktop = Desktop()
        window = build_window(desktop)
        try:
            await desktop.connect_demo()
            window.show()
            failed = (await desktop.workspace.services.orders.list(state=OrderState.ERROR)).items
            window.patients.open_order.emit(failed[0].id)
            detail: Any = window.page("orders").detail  # type: ignore[attr-defined]
            await until(lambda: detail.exceptions.isVisible(), within=15)
            assert detail.exceptions.text().startswith("Pharmacy unreachable:")
        finally:
            window.close()
            await desktop.aclose()

    arun(scenario())


@pytest.mark.parametrize("key", ["orders", "prescriptions"])
def test_the_page_shown_last_comes_back_built_and_linked(
    isolated: MemoryKeyring, arun: Run, key: str
) -> None:
    """Orders and Prescriptions are built on their first visit. The one shown when the app last
    closed is built while the window is put together, and its links to the other pages must
    exist by then (they did not: the page stayed blank for the whole session)."""
    from photon_desktop.ui.common.window_preferences import WINDOW_PAGE
    from photon_desktop.ui.orders.list import OrdersPage
    from photon_desktop.ui.prescriptions.list import PrescriptionsPage

    WINDOW_PAGE.set(key)

    async def scenario() -> None:
        desktop = Desktop(demo_patients=10)
        window = build_window(desktop)
        try:
            window.show()
            assert window.current_key == key
            page = window.page(key)
            assert isinstance(page, OrdersPage if key == "orders" else PrescriptionsPage)
            assert window.stack.currentWidget() is page
            await desktop.connect_demo()
            # A link from the page to a patient works (it is connected, and goes there).
            first = await desktop.workspace.services.patients.search(None, first=1)
            page.patient_requested.emit(first.items[0].id)
            assert window.current_key == "patients"
        finally:
            window.close()
            await desktop.aclose()

    arun(scenario(), timeout=60)
