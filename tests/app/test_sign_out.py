"""Signing out from the Sign-in page: the button appears only when signed in, and afterwards
nothing of the sign-in is left in memory or the keyring."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auth_fakes import MemoryKeyring
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from ui_support import until

from photon_desktop.api.client import create_http_client
from photon_desktop.auth.environments import LOCAL_SANDBOX
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session
from photon_desktop.services.signin import SignInService
from photon_desktop.ui.signin.window import SignInWindow

Run = Callable[..., Any]


def test_sign_out_button_forgets_the_sign_in(isolated: MemoryKeyring, sandbox: Any, arun: Run):
    env = LOCAL_SANDBOX.with_endpoints(
        issuer=sandbox.issuer, audience=sandbox.audience, graphql_url=sandbox.graphql_url
    )

    async def scenario() -> None:
        async with create_http_client() as http:
            profile = Profile(m2m_client_id=sandbox.m2m_client_id)
            session = Session(env, http, SecretStore(), profile=profile)
            window = SignInWindow(SignInService(session))
            window.show()
            assert window.sign_out_button.isHidden()
            assert "Not signed in" in window.account.text()

            await session.use_m2m(sandbox.m2m_client_id, sandbox.m2m_client_secret, remember=True)
            assert not window.sign_out_button.isHidden()
            assert "write:order" in window.account.text()
            assert list(isolated.entries.values()) == [sandbox.m2m_client_secret]

            QTest.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)
            await until(lambda: "Signed out" in window.status.text())
            assert not session.signed_in and window.sign_out_button.isHidden()
            assert isolated.entries == {}
            window.close()

    arun(scenario())
