"""The settings pane: validation before anything is sent, test connection, save, forget, and the
production warning."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from auth_fakes import MemoryKeyring
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from ui_support import next_emission, save_screenshot, settle, until

from photon_desktop import errors
from photon_desktop.auth.environments import BUILT_IN, LOCAL_SANDBOX, Environment
from photon_desktop.auth.profiles import Profile, load_profile, save_profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.desktop import QtSettingsStore
from photon_desktop.services.credentials import CredentialsService, EnvironmentKind, TokenInfo
from photon_desktop.ui.common.formatting import fmt_date
from photon_desktop.ui.settings.checks import (
    check_client_id,
    check_org_id,
    check_url,
    describe_error,
    form_problems,
    parse_ports,
)
from photon_desktop.ui.settings.pane import SettingsPane

CLIENT_ID = "sandboxM2MClient0000000000000001"
SECRET = "s3cr3t-value-from-the-dashboard"
OFFLINE = LOCAL_SANDBOX.with_endpoints(  # nothing listens on port 9 (discard)
    issuer="http://127.0.0.1:9/",
    audience="https://api.sandbox.photon.local",
    graphql_url="http://127.0.0.1:9/graphql",
)


class CountingBackend(CredentialsService):
    """The real backend, counting token requests (to prove nothing is sent before validation)."""

    def __init__(self, store: SecretStore, client: httpx.AsyncClient) -> None:
        super().__init__(store, client, QtSettingsStore())
        self.tests: list[tuple[str, str]] = []

    async def test(self, env: Environment, client_id: str, client_secret: str) -> TokenInfo:
        self.tests.append((env.key, client_id))
        return await super().test(env, client_id, client_secret)


@pytest.fixture
def backend(
    memory_keyring: MemoryKeyring, arun: Callable[..., Any], qapp: QApplication
) -> Iterator[CountingBackend]:
    # No pooled connections: each test runs its own event loop, and a socket must not outlive it.
    client = httpx.AsyncClient(timeout=5, limits=httpx.Limits(max_keepalive_connections=0))
    yield CountingBackend(SecretStore(memory_keyring, timeout=2), client)
    # The test's pane may be collected (and so closed) while this loop runs: that must not be
    # the "last window closed" that quits the loop.
    quit_on_close = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    try:
        arun(client.aclose())
    finally:
        qapp.setQuitOnLastWindowClosed(quit_on_close)


def local_env(sandbox: Any) -> Environment:
    return LOCAL_SANDBOX.with_endpoints(
        issuer=sandbox.issuer, audience=sandbox.audience, graphql_url=sandbox.graphql_url
    )


def make_pane(
    backend: CredentialsService, current: str = "local", local: Environment = OFFLINE
) -> SettingsPane:
    pane = SettingsPane(backend, environments=(local, *BUILT_IN[1:]), current=current)
    pane.resize(760, 820)
    pane.show()
    return pane


# ------------------------------------------------------------------ pure validation


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("https://auth.photon.health/", True),
        ("http://127.0.0.1:8123/", True),
        ("http://localhost:9000", True),
        ("http://[::1]:9000/", True),
        ("http://auth.photon.health/", False),
        ("ftp://auth.photon.health/", False),
        ("auth.photon.health", False),
        ("https://", False),
        ("https://host:99999/", False),
        ("https://bad host/", False),
    ],
)
def test_urls_must_be_https_except_this_computer(text: str, ok: bool) -> None:
    assert (check_url(text, required=True, what="address") is None) is ok


def test_port_lists() -> None:
    assert parse_ports("8765, 8766 8765;9000") == ((8765, 8766, 9000), None)
    for bad in ("80", "70000", "87a5", "", "1023"):
        ports, problem = parse_ports(bad)
        assert ports == () and problem


def test_client_and_org_id_shapes() -> None:
    assert check_client_id(CLIENT_ID, required=True) is None
    assert check_client_id("", required=False) is None
    assert check_client_id("", required=True)
    # RFC 6749 App. A.1: any printable ASCII (VSCHAR), whatever the provider's own style.
    for allowed in ("backend-m2m", "short", "my.app@example", "client id with spaces"):
        assert check_client_id(allowed, required=True) is None, allowed
    for refused in ("line\nbreak", "tab\there", "café-client", "x" * 256):
        assert check_client_id(refused, required=True), refused
    assert check_org_id("") is None
    assert check_org_id("org_A1b2C3d4E5f6G7h8") is None
    assert check_org_id("organization-1")


def test_form_problems_follow_the_environment_kind() -> None:
    empty = dict.fromkeys(
        ("issuer", "audience", "graphql_url", "api_scopes", "resource", "client_id",
         "client_secret", "native_client_id", "organization_id", "ports"),
        "",
    )  # fmt: skip
    custom = form_problems(EnvironmentKind.CUSTOM, "", empty, need_secret=True, fixed_ports=False)
    marked = [name for name, problem in custom.items() if problem]
    assert marked == ["client_id", "client_secret", "issuer", "audience", "graphql_url"]
    # A resource stands in for the audience; a built-in environment checks no addresses.
    with_resource = {**empty, "resource": "https://api.example.com"}
    assert not form_problems(
        EnvironmentKind.CUSTOM, "", with_resource, need_secret=False, fixed_ports=False
    )["audience"]
    assert "issuer" not in form_problems(
        EnvironmentKind.PRODUCTION, "", empty, need_secret=False, fixed_ports=False
    )
    # The bundled sandbox: "not running" only when there is something to test and no address.
    local = {**empty, "client_id": "c", "client_secret": "s"}
    stopped = form_problems(EnvironmentKind.LOCAL, "", local, need_secret=True, fixed_ports=False)
    assert "not running" in (stopped["issuer"] or "")
    running = form_problems(
        EnvironmentKind.LOCAL, "http://127.0.0.1:8123/", local, need_secret=True, fixed_ports=False
    )
    assert running["issuer"] is None
    # A secret without its client ID; fixed ports are checked only when chosen.
    lone = form_problems(
        EnvironmentKind.LOCAL, "x", {**empty, "client_secret": "s", "ports": "80"},
        need_secret=False, fixed_ports=True,
    )  # fmt: skip
    assert "goes with this secret" in (lone["client_id"] or "")
    assert "1024" in (lone["ports"] or "")


# ------------------------------------------------------------------ the pane


def test_empty_and_malformed_fields_are_marked_and_nothing_is_sent(
    arun: Callable[..., Any], backend: CountingBackend
) -> None:
    async def scenario() -> None:
        pane = make_pane(backend, current="custom")
        await settle()
        pane.issuer.editor.setText("http://auth.example.com/")
        pane.graphql_url.editor.setText("not a url")
        pane.organization_id.editor.setText("acme")
        pane.port_fixed.setChecked(True)
        pane.ports.editor.setText("80, 8765")
        pane.test_button.click()
        await settle()

        marked = {
            f.editor.accessibleName(): f.message.text()
            for f in (pane.client_id, pane.client_secret, pane.issuer, pane.audience,
                      pane.graphql_url, pane.organization_id, pane.ports)
            if f.error is not None
        }  # fmt: skip
        assert set(marked) == {
            "M2M client ID", "M2M client secret", "Sign-in address (issuer)", "API audience",
            "GraphQL address", "Organization ID (optional)", "Fixed callback ports",
        }  # fmt: skip
        assert "https" in marked["Sign-in address (issuer)"]
        assert "1024" in marked["Fixed callback ports"]
        assert pane.client_id.message.isVisible()
        assert pane.client_id.editor.accessibleDescription() == pane.client_id.message.text()
        assert "Fix the marked fields" in pane.result.text()
        assert backend.tests == []  # nothing was sent
        # What was typed stays.
        assert pane.issuer.editor.text() == "http://auth.example.com/"
        assert pane.ports.editor.text() == "80, 8765"
        # Correcting a field clears its mark as soon as it is edited.
        pane.issuer.editor.textEdited.emit("https://auth.example.com/")
        assert pane.issuer.error is None
        save_screenshot(pane, "settings-validation")

    arun(scenario())


def test_test_connection_shows_the_granted_scopes_and_expiry(
    arun: Callable[..., Any], backend: CountingBackend, sandbox: Any, memory_keyring: MemoryKeyring
) -> None:
    async def scenario() -> None:
        pane = make_pane(backend, local=local_env(sandbox))
        pane.client_id.editor.setText(sandbox.m2m_client_id)
        pane.client_secret.editor.setText(sandbox.m2m_client_secret)
        pane.test_button.click()
        assert not pane.test_button.isEnabled()  # no second test while one runs
        assert pane.progress.isVisibleTo(pane)
        await until(lambda: pane.test_button.isEnabled())
        text = pane.result.text()
        assert "Connected to Local sandbox" in text, text
        # Photon's documented M2M scopes, as the sandbox grants them.
        assert "read:order, read:patient, read:prescription, write:order, write:patient" in text
        assert "write:prescription" not in text
        assert "Token valid for" in text
        # The sandbox's tokens last 24 h: "until" names tomorrow's date, not a bare time.
        tomorrow = (datetime.now() + timedelta(hours=24)).date()
        assert f"(until {fmt_date(tomorrow)} " in text, text
        assert backend.tests == [("local", sandbox.m2m_client_id)]
        assert memory_keyring.entries == {}  # testing stores nothing

    arun(scenario())


def test_a_wrong_secret_says_so_and_keeps_every_field(
    arun: Callable[..., Any], backend: CountingBackend, sandbox: Any
) -> None:
    async def scenario() -> None:
        pane = make_pane(backend, local=local_env(sandbox))
        pane.client_id.editor.setText(sandbox.m2m_client_id)
        pane.client_secret.editor.setText("wrong-secret")
        pane.organization_id.editor.setText("org_A1b2C3d4E5f6G7h8")
        pane.test_button.click()
        await until(lambda: pane.test_button.isEnabled())
        text = pane.result.text()
        assert text.startswith("Photon refused these credentials."), text
        assert "client ID" in text and "secret" in text
        assert pane.client_id.editor.text() == sandbox.m2m_client_id
        assert pane.client_secret.editor.text() == "wrong-secret"
        assert pane.organization_id.editor.text() == "org_A1b2C3d4E5f6G7h8"
        save_screenshot(pane, "settings-wrong-secret")

    arun(scenario())


def test_a_secret_pasted_with_a_newline_connects_and_is_saved_without_it(
    arun: Callable[..., Any], backend: CountingBackend, sandbox: Any, memory_keyring: MemoryKeyring
) -> None:
    async def scenario() -> None:
        pane = make_pane(backend, local=local_env(sandbox))
        pane.client_id.editor.setText(sandbox.m2m_client_id)
        QGuiApplication.clipboard().setText(f" {sandbox.m2m_client_secret}\n")
        pane.client_secret.editor.setFocus()
        pane.client_secret.editor.paste()
        pane.test_button.click()
        await until(lambda: pane.test_button.isEnabled())
        assert pane.result.text().startswith("Connected to Local sandbox"), pane.result.text()
        assert pane.client_secret.editor.text() == f" {sandbox.m2m_client_secret}\n"  # as typed
        saved = asyncio.ensure_future(next_emission(pane.saved))
        pane.save_button.click()
        await saved
        assert list(memory_keyring.entries.values()) == [sandbox.m2m_client_secret]
        assert pane.m2m_credentials() == (sandbox.m2m_client_id, sandbox.m2m_client_secret)

    arun(scenario())


def test_a_secret_of_spaces_or_with_a_line_break_inside_is_marked_and_not_sent(
    arun: Callable[..., Any], backend: CountingBackend, sandbox: Any
) -> None:
    async def scenario() -> None:
        pane = make_pane(backend, local=local_env(sandbox))
        pane.client_id.editor.setText(sandbox.m2m_client_id)
        pane.client_secret.editor.setText("   ")
        pane.test_button.click()
        assert pane.client_secret.message.text() == "Enter the client secret."
        half = len(sandbox.m2m_client_secret) // 2
        broken = f"{sandbox.m2m_client_secret[:half]}\n{sandbox.m2m_client_secret[half:]}"
        pane.client_secret.editor.setText(broken)
        pane.test_button.click()
        assert pane.client_secret.message.isVisible()
        assert "line break" in pane.client_secret.message.text()
        assert "Fix the marked fields" in pane.result.text()
        assert pane.client_secret.editor.text() == broken  # kept, to be corrected
        assert backend.tests == []

    arun(scenario())


def test_offline_reads_as_something_to_check(
    arun: Callable[..., Any], backend: CountingBackend
) -> None:
    async def scenario() -> None:
        pane = make_pane(backend, local=OFFLINE)
        pane.client_id.editor.setText(CLIENT_ID)
        pane.client_secret.editor.setText(SECRET)
        pane.test_button.click()
        await until(lambda: pane.test_button.isEnabled())
        assert pane.result.text().startswith("Photon could not be reached.")
        assert pane.client_secret.editor.text() == SECRET

    arun(scenario())


def test_a_test_waiting_on_a_silent_provider_can_be_cancelled(
    arun: Callable[..., Any], backend: CountingBackend, sandbox: Any
) -> None:
    def stalled() -> int:
        return int(sandbox.stats()["faults_applied"].get("token:stall", 0))

    async def scenario() -> None:
        pane = make_pane(backend, local=local_env(sandbox))
        pane.client_id.editor.setText(sandbox.m2m_client_id)
        pane.client_secret.editor.setText(sandbox.m2m_client_secret)
        pane.organization_id.editor.setText("org_A1b2C3d4E5f6G7h8")
        pane.activateWindow()  # keyboard focus, as on a desktop
        await until(lambda: pane.isActiveWindow())
        before = stalled()
        for cancel in ("button", "Esc"):
            sandbox.fail_next({"kind": "stall", "scope": "token"})  # the token request hangs
            pane.test_button.setFocus()
            pane.test_button.click()
            before += 1
            await until(lambda n=before: stalled() == n)  # the request is in flight
            assert pane.cancel_test_button.isVisible() and pane.cancel_test_button.hasFocus()
            assert not pane.environment_combo.isEnabled() and not pane.save_button.isEnabled()
            if cancel == "button":
                pane.cancel_test_button.click()
            else:
                QTest.keyClick(pane.client_secret.editor, Qt.Key.Key_Escape)
            assert pane.result.text() == "Test cancelled.", cancel
            assert pane.test_button.isEnabled() and pane.test_button.hasFocus()
            assert pane.environment_combo.isEnabled() and pane.save_button.isEnabled()
            assert not pane.cancel_test_button.isVisible()
            await settle(0.3)  # the cancelled request has ended: it says nothing more
            assert pane.result.text() == "Test cancelled."
            assert pane.client_secret.editor.text() == sandbox.m2m_client_secret
            assert pane.organization_id.editor.text() == "org_A1b2C3d4E5f6G7h8"
        # Esc means nothing when no test runs, and the next test works.
        QTest.keyClick(pane.client_secret.editor, Qt.Key.Key_Escape)
        assert pane.result.text() == "Test cancelled."
        pane.test_button.click()
        await until(lambda: pane.test_button.isEnabled())
        assert pane.result.text().startswith("Connected to Local sandbox"), pane.result.text()

    arun(scenario())


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (errors.ConfigurationError("Unknown audience https://x."), "audience"),
        (errors.RateLimited("Too many requests.", retry_after=30), "slow down"),
        (RuntimeError("boom"), "Unexpected"),
    ],
)
def test_other_failures_read_as_actions(error: Exception, words: str) -> None:
    heading, text = describe_error(error)
    assert words in f"{heading} {text}"


def test_save_keeps_the_secret_only_in_the_keyring_and_reloads_it(
    arun: Callable[..., Any], backend: CountingBackend, memory_keyring: MemoryKeyring
) -> None:
    async def scenario() -> None:
        pane = make_pane(backend)
        pane.client_id.editor.setText(CLIENT_ID)
        pane.client_secret.editor.setText(SECRET)
        pane.native_client_id.editor.setText("sandboxNativeDesktop000000000001")
        pane.port_fixed.setChecked(True)
        pane.ports.editor.setText("8765 8766")
        saved = asyncio.ensure_future(next_emission(pane.saved))
        pane.save_button.click()
        assert await saved == ("local",)
        profile = load_profile("local", QtSettingsStore())
        assert profile.m2m_client_id == CLIENT_ID
        assert profile.fixed_ports == (8765, 8766)
        assert memory_keyring.entries == {
            ("photon-desktop:local", f"m2m-client-secret:{CLIENT_ID}"): SECRET
        }
        # The secret is nowhere in QSettings.
        ini = await asyncio.to_thread(Path(QSettings().fileName()).read_text)
        assert CLIENT_ID in ini and SECRET not in ini
        # A fresh pane shows the saved settings and fetches the secret from the keyring.
        again = make_pane(backend)
        await until(lambda: again.client_secret.editor.text() == SECRET)
        # A secure store: the pane names the backend keyring really writes to.
        assert not again.keyring_notice.isVisible() and again.keyring_status.isVisible()
        assert "MemoryKeyring (auth_fakes)" in again.keyring_status.text()
        assert again.client_id.editor.text() == CLIENT_ID
        assert again.port_fixed.isChecked() and again.ports.editor.text() == "8765, 8766"

    arun(scenario())


def test_connect_saves_then_asks_to_use_the_credentials(
    arun: Callable[..., Any], backend: CountingBackend, sandbox: Any
) -> None:
    async def scenario() -> None:
        pane = make_pane(backend, local=local_env(sandbox))
        pane.client_id.editor.setText(sandbox.m2m_client_id)
        pane.client_secret.editor.setText(sandbox.m2m_client_secret)
        wanted = asyncio.ensure_future(next_emission(pane.connect_requested))
        pane.connect_button.click()
        assert await wanted == ("local",)
        assert pane.m2m_credentials() == (sandbox.m2m_client_id, sandbox.m2m_client_secret)
        assert pane.environment() == local_env(sandbox)
        assert load_profile("local", QtSettingsStore()).m2m_client_id == sandbox.m2m_client_id

    arun(scenario())


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_enter_in_a_field_does_what_the_default_button_says(
    arun: Callable[..., Any],
    backend: CountingBackend,
    sandbox: Any,
    memory_keyring: MemoryKeyring,
    key: Qt.Key,
) -> None:
    async def scenario() -> None:
        pane = make_pane(backend, local=local_env(sandbox))
        assert pane.connect_button.isDefault() and pane.connect_button.text() == "Save and connect"
        wanted = asyncio.ensure_future(next_emission(pane.connect_requested))
        # Not before the marked field is fixed: nothing saved, nothing asked.
        pane.client_id.editor.setText(sandbox.m2m_client_id)
        QTest.keyClick(pane.client_id.editor, key)
        assert pane.client_secret.message.text() == "Enter the client secret."
        assert not wanted.done() and memory_keyring.entries == {}
        QTest.keyClicks(pane.client_secret.editor, sandbox.m2m_client_secret)
        QTest.keyClick(pane.client_secret.editor, key)
        assert await wanted == ("local",)
        assert list(memory_keyring.entries.values()) == [sandbox.m2m_client_secret]
        assert pane.result.text() == "Saved."

    arun(scenario())


def test_forget_credentials_empties_the_keyring_after_confirmation(
    arun: Callable[..., Any], backend: CountingBackend, memory_keyring: MemoryKeyring
) -> None:
    native = "sandboxNativeDesktop000000000001"
    memory_keyring.set_password("photon-desktop:local", f"m2m-client-secret:{CLIENT_ID}", SECRET)
    memory_keyring.set_password("photon-desktop:local", f"refresh-token:{native}", "rt")
    # One refresh token per organization, and the list naming them.
    memory_keyring.set_password("photon-desktop:local", f"refresh-token:{native}:org_A", "rt-a")
    memory_keyring.set_password("photon-desktop:local", f"refresh-token:{native}:org_B", "rt-b")
    memory_keyring.set_password(
        "photon-desktop:local", f"refresh-token-organizations:{native}", '["org_B", "org_A"]'
    )
    memory_keyring.set_password("photon-desktop:sandbox", f"refresh-token:{native}", "other")
    save_profile(
        "local", Profile(m2m_client_id=CLIENT_ID, native_client_id=native), QtSettingsStore()
    )

    async def scenario() -> None:
        pane = make_pane(backend)
        await until(lambda: pane.client_secret.editor.text() == SECRET)
        # Cancel first: nothing is deleted.
        pane.forget_button.click()
        box = pane.confirmation
        assert isinstance(box, QMessageBox) and box.isVisible()
        assert "Local sandbox" in box.text()
        box.button(QMessageBox.StandardButton.Cancel).click()
        await settle()
        assert len(memory_keyring.entries) == 6
        # Then confirm.
        pane.forget_button.click()
        box = pane.confirmation
        assert box is not None
        next(b for b in box.buttons() if b.text() == "Forget").click()
        await until(lambda: "removed" in pane.result.text())
        assert list(memory_keyring.entries) == [
            ("photon-desktop:sandbox", f"refresh-token:{native}")
        ]
        assert pane.client_secret.editor.text() == ""
        assert pane.client_id.editor.text() == CLIENT_ID

    arun(scenario())


def test_production_is_unmistakable(
    arun: Callable[..., Any], backend: CountingBackend, scheme: str
) -> None:
    async def scenario() -> None:
        pane = make_pane(backend, current="sandbox")
        await settle()
        assert not pane.production_banner.isVisible()
        pane.environment_combo.setCurrentIndex(pane.environment_combo.findData("production"))
        await settle()
        assert pane.production_banner.isVisible()
        assert "real patients" in pane.production_banner.text()
        assert pane.environment_box.property("production") is True
        assert "Production" in pane.connect_button.text()
        assert "auth.photon.health" in pane.endpoints_label.text()
        image = save_screenshot(pane, f"settings-production-{scheme}")
        corner = pane.production_banner.mapTo(pane, QPoint(6, 6))
        ratio = image.devicePixelRatio()
        red = image.pixelColor(int(corner.x() * ratio), int(corner.y() * ratio))
        assert red.red() > 150 and red.green() < 60, red.name()  # the banner really is red

    arun(scenario())


def test_what_was_typed_survives_switching_environments(
    arun: Callable[..., Any], backend: CountingBackend
) -> None:
    async def scenario() -> None:
        pane = make_pane(backend, current="custom")
        pane.issuer.editor.setText("https://auth.example.com/")
        pane.client_id.editor.setText(CLIENT_ID)
        pane.environment_combo.setCurrentIndex(pane.environment_combo.findData("sandbox"))
        assert pane.client_id.editor.text() == ""
        assert not pane.issuer.isVisible()
        pane.environment_combo.setCurrentIndex(pane.environment_combo.findData("custom"))
        assert pane.issuer.editor.text() == "https://auth.example.com/"
        assert pane.client_id.editor.text() == CLIENT_ID

    arun(scenario())


class PlaintextKeyring(MemoryKeyring):
    """Looks like keyrings.alt's file store: the secret store must refuse it."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


def test_secret_is_masked_with_a_show_toggle_and_no_keyring_is_explained(
    arun: Callable[..., Any], scheme: str
) -> None:
    plaintext = PlaintextKeyring()
    client = httpx.AsyncClient()
    backend = CredentialsService(SecretStore(plaintext, timeout=2), client, QtSettingsStore())

    async def scenario() -> None:
        pane = make_pane(backend)
        pane.client_id.editor.setText(CLIENT_ID)
        pane.client_secret.editor.setText(SECRET)
        assert pane.client_secret.editor.displayText() != SECRET
        pane.show_secret.click()
        assert pane.client_secret.editor.displayText() == SECRET
        assert pane.show_secret.accessibleName() == "Hide client secret"
        pane.show_secret.click()
        assert pane.client_secret.editor.displayText() != SECRET
        saved = asyncio.ensure_future(next_emission(pane.saved))
        pane.save_button.click()
        await saved
        assert plaintext.entries == {}  # never a silent plaintext fallback
        assert "session only" in pane.result.text()
        assert pane.keyring_notice.isVisible()
        assert "nothing is saved" in pane.keyring_notice.text()
        # The notice names the backend keyring really chose, and why it is refused.
        assert "PlaintextKeyring (keyrings.alt.file)" in pane.keyring_notice.text()
        assert not pane.keyring_status.isVisible()
        # The secret is still usable in this session.
        assert await backend.load_secret("local", CLIENT_ID) == SECRET
        await settle()
        save_screenshot(pane, f"settings-local-{scheme}")
        await client.aclose()

    arun(scenario())


def test_every_control_has_an_accessible_name(
    arun: Callable[..., Any], backend: CountingBackend
) -> None:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit

    async def scenario() -> None:
        pane = make_pane(backend, current="custom")
        controls = pane.findChildren(QLineEdit) + pane.findChildren(QAbstractButton)
        controls += pane.findChildren(QComboBox)
        # A line edit's own clear button is Qt's (named by its action), not ours.
        unnamed = [
            c for c in controls if not c.accessibleName() and not isinstance(c.parent(), QLineEdit)
        ]
        assert unnamed == []

    arun(scenario())


def test_testing_the_local_sandbox_before_it_runs_explains_what_to_do(
    arun: Callable[..., Any], backend: CountingBackend
) -> None:
    async def scenario() -> None:
        pane = SettingsPane(backend)  # built-in environments: the local one has no address yet
        pane.show()
        pane.client_id.editor.setText(CLIENT_ID)
        pane.client_secret.editor.setText(SECRET)
        pane.test_button.click()
        assert pane.issuer.error is not None
        assert "not running" in pane.issuer.message.text()
        assert backend.tests == []

    arun(scenario())


def test_the_last_environment_shown_is_remembered(
    arun: Callable[..., Any], backend: CountingBackend
) -> None:
    async def scenario() -> None:
        pane = SettingsPane(backend)
        pane.environment_combo.setCurrentIndex(pane.environment_combo.findData("sandbox"))
        assert SettingsPane(backend).env_key == "sandbox"
        assert SettingsPane(backend, current="custom").env_key == "custom"  # the app can choose

    arun(scenario())


def test_an_unknown_audience_points_at_the_environment_settings(
    arun: Callable[..., Any], backend: CountingBackend, sandbox: Any
) -> None:
    async def scenario() -> None:
        pane = make_pane(backend, local=local_env(sandbox))
        pane.issuer.editor.setText(sandbox.issuer)
        pane.audience.editor.setText("https://api.unknown.example")
        pane.graphql_url.editor.setText(sandbox.graphql_url)
        pane.client_id.editor.setText(sandbox.m2m_client_id)
        pane.client_secret.editor.setText(sandbox.m2m_client_secret)
        pane.test_button.click()
        await until(lambda: pane.test_button.isEnabled())
        assert backend.tests == [("local", sandbox.m2m_client_id)]
        text = pane.result.text()
        assert "audience" in text.lower(), text
        assert pane.audience.editor.text() == "https://api.unknown.example"

    arun(scenario())


def test_the_local_sandbox_can_be_tested_once_it_runs(
    arun: Callable[..., Any], backend: CountingBackend, sandbox: Any
) -> None:
    async def scenario() -> None:
        pane = SettingsPane(backend, current="local")  # started before the sandbox ran
        pane.show()
        pane.client_id.editor.setText(sandbox.m2m_client_id)
        pane.client_secret.editor.setText(sandbox.m2m_client_secret)
        pane.set_environment(local_env(sandbox))  # the app tells it the sandbox's address
        assert pane.client_secret.editor.text() == sandbox.m2m_client_secret  # typing kept
        assert sandbox.issuer in pane.endpoints_label.text()
        pane.test_button.click()
        await until(lambda: pane.test_button.isEnabled())
        assert pane.result.text().startswith("Connected to Local sandbox"), pane.result.text()

    arun(scenario())
