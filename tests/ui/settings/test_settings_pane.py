"""The settings pane: validation before anything is sent, test connection, save, forget, and the
production warning."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import keyring
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QMessageBox
from settings_support import MemoryKeyring, next_emission, save_screenshot, settle, until

from photon_desktop import errors
from photon_desktop.auth.environments import BUILT_IN, LOCAL_SANDBOX, Environment
from photon_desktop.ui.settings import (
    ConnectionTest,
    ProfileFields,
    SettingsPane,
    check_client_id,
    check_org_id,
    check_url,
    parse_ports,
)

CLIENT_ID = "sandboxM2MClient0000000000000001"
SECRET = "s3cr3t-value-from-the-dashboard"
SERVICE = "photon-desktop:{}"


class KeyringBackend:
    """The pane's backend over the keyring module, with a scripted token endpoint."""

    def __init__(self, answer: Callable[[Environment, str, str], ConnectionTest]) -> None:
        self.profiles: dict[str, ProfileFields] = {}
        self.answer = answer
        self.tests: list[tuple[str, str, str]] = []
        self.notice: str | None = None

    @property
    def keyring_notice(self) -> str | None:
        return self.notice

    def load(self, env_key: str) -> ProfileFields:
        return self.profiles.get(env_key, ProfileFields())

    def save(self, env_key: str, fields: ProfileFields) -> None:
        self.profiles[env_key] = fields

    async def load_secret(self, env_key: str, client_id: str) -> str | None:
        await asyncio.sleep(0)  # the real store answers later, off the UI thread
        return keyring.get_password(SERVICE.format(env_key), f"m2m-client-secret:{client_id}")

    async def store_secret(self, env_key: str, client_id: str, secret: str) -> bool:
        if self.notice:
            return False
        await asyncio.sleep(0)
        keyring.set_password(SERVICE.format(env_key), f"m2m-client-secret:{client_id}", secret)
        return True

    async def forget(self, env_key: str) -> None:
        kr = keyring.get_keyring()
        assert isinstance(kr, MemoryKeyring)
        for service, user in list(kr.entries):
            if service == SERVICE.format(env_key):
                kr.delete_password(service, user)

    async def test(self, env: Environment, client_id: str, client_secret: str) -> ConnectionTest:
        self.tests.append((env.key, client_id, client_secret))
        await asyncio.sleep(0.01)
        return self.answer(env, client_id, client_secret)


def granted(_env: Environment, client_id: str, secret: str) -> ConnectionTest:
    if secret != SECRET:
        raise errors.CredentialsRejected("Photon refused the client ID or secret.")
    return ConnectionTest(scopes=("read:patient", "read:order", "write:order"), expires_in=86400)


LOCAL = LOCAL_SANDBOX.with_endpoints(
    issuer="http://127.0.0.1:8123/",
    audience="https://api.sandbox.photon.local",
    graphql_url="http://127.0.0.1:8123/graphql",
)
ENVIRONMENTS = (LOCAL, *BUILT_IN[1:])


def make_pane(backend: KeyringBackend, current: str = "local") -> SettingsPane:
    pane = SettingsPane(backend, environments=ENVIRONMENTS, current=current)
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
    assert check_client_id("has spaces in it 0000000000", required=True)
    assert check_client_id("short", required=True)
    assert check_org_id("") is None
    assert check_org_id("org_A1b2C3d4E5f6G7h8") is None
    assert check_org_id("organization-1")


# ------------------------------------------------------------------ the pane


def test_empty_and_malformed_fields_are_marked_and_nothing_is_sent(
    arun: Callable[..., Any], memory_keyring: MemoryKeyring
) -> None:
    backend = KeyringBackend(granted)

    async def scenario() -> None:
        pane = make_pane(backend, current="custom")
        await settle()
        pane.issuer.edit.setText("http://auth.example.com/")
        pane.graphql_url.edit.setText("not a url")
        pane.organization_id.edit.setText("acme")
        pane.port_fixed.setChecked(True)
        pane.ports.edit.setText("80, 8765")
        pane.test_button.click()
        await settle()

        marked = {
            f.edit.accessibleName(): f.error.text()
            for f in (pane.client_id, pane.client_secret, pane.issuer, pane.audience,
                      pane.graphql_url, pane.organization_id, pane.ports)
            if f.invalid
        }  # fmt: skip
        assert set(marked) == {
            "M2M client ID", "M2M client secret", "Sign-in address (issuer)", "API audience",
            "GraphQL address", "Organization ID (optional)", "Fixed callback ports",
        }  # fmt: skip
        assert "https" in marked["Sign-in address (issuer)"]
        assert "1024" in marked["Fixed callback ports"]
        assert pane.client_id.error.isVisible()
        assert pane.client_id.edit.accessibleDescription() == pane.client_id.error.text()
        assert "Fix the marked fields" in pane.result.text()
        assert backend.tests == []  # nothing was sent
        # What was typed stays.
        assert pane.issuer.edit.text() == "http://auth.example.com/"
        assert pane.ports.edit.text() == "80, 8765"
        # Correcting a field clears its mark as soon as it is edited.
        pane.issuer.edit.textEdited.emit("https://auth.example.com/")
        assert not pane.issuer.invalid
        save_screenshot(pane, "settings-validation")

    arun(scenario())


def test_test_connection_shows_the_granted_scopes_and_expiry(
    arun: Callable[..., Any], memory_keyring: MemoryKeyring
) -> None:
    backend = KeyringBackend(granted)

    async def scenario() -> None:
        pane = make_pane(backend)
        pane.client_id.edit.setText(CLIENT_ID)
        pane.client_secret.edit.setText(SECRET)
        pane.test_button.click()
        assert not pane.test_button.isEnabled()  # no second test while one runs
        assert pane.progress.isVisibleTo(pane)
        await next_emission(pane.busy_changed)
        text = pane.result.text()
        assert "Connected to Local sandbox" in text
        assert "read:order, read:patient, write:order" in text
        assert "24 h" in text
        assert pane.test_button.isEnabled()
        assert backend.tests == [("local", CLIENT_ID, SECRET)]
        assert memory_keyring.entries == {}  # testing stores nothing

    arun(scenario())


def test_a_wrong_secret_says_so_and_keeps_every_field(
    arun: Callable[..., Any], memory_keyring: MemoryKeyring
) -> None:
    backend = KeyringBackend(granted)

    async def scenario() -> None:
        pane = make_pane(backend)
        pane.client_id.edit.setText(CLIENT_ID)
        pane.client_secret.edit.setText("wrong-secret")
        pane.organization_id.edit.setText("org_A1b2C3d4E5f6G7h8")
        pane.test_button.click()
        await next_emission(pane.busy_changed)
        assert "refused" in pane.result.text()
        assert "client ID and secret" in pane.result.text()
        assert pane.client_id.edit.text() == CLIENT_ID
        assert pane.client_secret.edit.text() == "wrong-secret"
        assert pane.organization_id.edit.text() == "org_A1b2C3d4E5f6G7h8"

    arun(scenario())


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (errors.OfflineError("Photon could not be reached (proxy refused)."), "proxy"),
        (errors.ConfigurationError("Unknown audience https://x."), "audience"),
        (RuntimeError("boom"), "Unexpected"),
    ],
)
def test_other_failures_read_as_actions(
    arun: Callable[..., Any], memory_keyring: MemoryKeyring, error: Exception, words: str
) -> None:
    def fail(*_args: Any) -> ConnectionTest:
        raise error

    async def scenario() -> None:
        pane = make_pane(KeyringBackend(fail))
        pane.client_id.edit.setText(CLIENT_ID)
        pane.client_secret.edit.setText(SECRET)
        pane.test_button.click()
        await next_emission(pane.busy_changed)
        assert words in pane.result.text()
        assert pane.client_secret.edit.text() == SECRET

    arun(scenario())


def test_save_keeps_the_secret_only_in_the_keyring_and_reloads_it(
    arun: Callable[..., Any], memory_keyring: MemoryKeyring
) -> None:
    backend = KeyringBackend(granted)

    async def scenario() -> None:
        pane = make_pane(backend)
        pane.client_id.edit.setText(CLIENT_ID)
        pane.client_secret.edit.setText(SECRET)
        pane.native_client_id.edit.setText("sandboxNativeDesktop000000000001")
        pane.port_fixed.setChecked(True)
        pane.ports.edit.setText("8765 8766")
        saved = asyncio.ensure_future(next_emission(pane.saved))
        pane.save_button.click()
        assert await saved == ("local",)
        profile = backend.profiles["local"]
        assert profile.m2m_client_id == CLIENT_ID
        assert profile.fixed_ports == (8765, 8766)
        assert SECRET not in repr(profile)
        assert memory_keyring.entries == {
            ("photon-desktop:local", f"m2m-client-secret:{CLIENT_ID}"): SECRET
        }
        # A fresh pane shows the saved settings and fetches the secret from the keyring.
        again = make_pane(backend)
        await settle(0.2)
        assert again.client_id.edit.text() == CLIENT_ID
        assert again.client_secret.edit.text() == SECRET
        assert again.port_fixed.isChecked() and again.ports.edit.text() == "8765, 8766"

    arun(scenario())


def test_connect_saves_then_asks_to_use_the_credentials(
    arun: Callable[..., Any], memory_keyring: MemoryKeyring
) -> None:
    backend = KeyringBackend(granted)

    async def scenario() -> None:
        pane = make_pane(backend)
        pane.client_id.edit.setText(CLIENT_ID)
        pane.client_secret.edit.setText(SECRET)
        wanted = asyncio.ensure_future(next_emission(pane.connect_requested))
        pane.connect_button.click()
        assert await wanted == ("local",)
        assert pane.m2m_credentials() == (CLIENT_ID, SECRET)
        assert pane.environment() == LOCAL
        assert "local" in backend.profiles

    arun(scenario())


def test_forget_credentials_empties_the_keyring_after_confirmation(
    arun: Callable[..., Any], memory_keyring: MemoryKeyring, qapp: QApplication
) -> None:
    backend = KeyringBackend(granted)
    memory_keyring.set_password(
        "photon-desktop:local", f"m2m-client-secret:{CLIENT_ID}", SECRET
    )
    memory_keyring.set_password("photon-desktop:local", "refresh-token:native", "rt")
    memory_keyring.set_password("photon-desktop:sandbox", "refresh-token:native", "other")
    backend.profiles["local"] = ProfileFields(m2m_client_id=CLIENT_ID)

    async def scenario() -> None:
        pane = make_pane(backend)
        await settle(0.2)
        assert pane.client_secret.edit.text() == SECRET
        # Cancel first: nothing is deleted.
        pane.forget_button.click()
        box = pane.confirmation
        assert isinstance(box, QMessageBox) and box.isVisible()
        assert "Local sandbox" in box.text()
        box.button(QMessageBox.StandardButton.Cancel).click()
        await settle()
        assert len(memory_keyring.entries) == 3
        # Then confirm.
        pane.forget_button.click()
        box = pane.confirmation
        assert box is not None
        forget = next(b for b in box.buttons() if b.text() == "Forget")
        forget.click()
        await until(lambda: pane.forget_button.isEnabled() and pane.result.isVisible())
        assert list(memory_keyring.entries) == [
            ("photon-desktop:sandbox", "refresh-token:native")
        ]
        assert pane.client_secret.edit.text() == ""
        assert pane.client_id.edit.text() == CLIENT_ID
        assert "removed" in pane.result.text()

    arun(scenario())


def test_production_is_unmistakable(arun: Callable[..., Any], memory_keyring: MemoryKeyring,
                                     scheme: str) -> None:
    backend = KeyringBackend(granted)

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
    arun: Callable[..., Any], memory_keyring: MemoryKeyring
) -> None:
    async def scenario() -> None:
        pane = make_pane(KeyringBackend(granted), current="custom")
        pane.issuer.edit.setText("https://auth.example.com/")
        pane.client_id.edit.setText(CLIENT_ID)
        pane.environment_combo.setCurrentIndex(pane.environment_combo.findData("sandbox"))
        assert pane.client_id.edit.text() == ""
        assert not pane.issuer.isVisible()
        pane.environment_combo.setCurrentIndex(pane.environment_combo.findData("custom"))
        assert pane.issuer.edit.text() == "https://auth.example.com/"
        assert pane.client_id.edit.text() == CLIENT_ID

    arun(scenario())


def test_secret_is_masked_with_a_show_toggle_and_no_keyring_is_explained(
    arun: Callable[..., Any], memory_keyring: MemoryKeyring, scheme: str
) -> None:
    backend = KeyringBackend(granted)
    backend.notice = "No secure keyring is available on this computer."

    async def scenario() -> None:
        pane = make_pane(backend)
        pane.client_id.edit.setText(CLIENT_ID)
        pane.client_secret.edit.setText(SECRET)
        assert pane.client_secret.edit.displayText() != SECRET
        pane.show_secret.click()
        assert pane.client_secret.edit.displayText() == SECRET
        assert pane.show_secret.accessibleName() == "Hide client secret"
        pane.show_secret.click()
        assert pane.client_secret.edit.displayText() != SECRET
        assert pane.keyring_notice.isVisible()
        assert "this session only" in pane.keyring_notice.text()
        saved = asyncio.ensure_future(next_emission(pane.saved))
        pane.save_button.click()
        await saved
        assert memory_keyring.entries == {}
        assert "session only" in pane.result.text()
        await settle()
        save_screenshot(pane, f"settings-local-{scheme}")

    arun(scenario())


def test_every_control_has_an_accessible_name(
    arun: Callable[..., Any], memory_keyring: MemoryKeyring
) -> None:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit

    async def scenario() -> None:
        pane = make_pane(KeyringBackend(granted), current="custom")
        controls = pane.findChildren(QLineEdit) + pane.findChildren(QAbstractButton)
        controls += pane.findChildren(QComboBox)
        # A line edit's own clear button is Qt's (named by its action), not ours.
        unnamed = [
            c for c in controls if not c.accessibleName() and not isinstance(c.parent(), QLineEdit)
        ]
        assert unnamed == []

    arun(scenario())


def test_testing_the_local_sandbox_before_it_runs_explains_what_to_do(
    arun: Callable[..., Any], memory_keyring: MemoryKeyring
) -> None:
    backend = KeyringBackend(granted)

    async def scenario() -> None:
        pane = SettingsPane(backend)  # built-in environments: the local one has no address yet
        pane.show()
        pane.client_id.edit.setText(CLIENT_ID)
        pane.client_secret.edit.setText(SECRET)
        pane.test_button.click()
        assert pane.issuer.invalid
        assert "not running" in pane.issuer.error.text()
        assert backend.tests == []

    arun(scenario())
