"""The auth layer against the real local sandbox over HTTP (a scripted browser, not Chromium)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from auth_fakes import MemoryKeyring, m2m_test

from photon_desktop import errors
from photon_desktop.auth.environments import LOCAL_SANDBOX, Environment
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session, TokenKind

Run = Callable[..., Any]


def environment(sandbox: Any) -> Environment:
    return LOCAL_SANDBOX.with_endpoints(
        issuer=sandbox.issuer, audience=sandbox.audience, graphql_url=sandbox.graphql_url
    )


def user(sandbox: Any, role: str) -> dict[str, Any]:
    return next(u for u in sandbox.users if u["role"] == role)


class FormBrowser:
    """Loads the authorize page, presses "Continue" (or Cancel), follows the redirect."""

    def __init__(self, email: str, *, action: str = "continue") -> None:
        self.email = email
        self.action = action
        self.tasks: list[asyncio.Task[None]] = []

    def open(self, url: str) -> bool:
        self.tasks.append(asyncio.ensure_future(self._go(url)))
        return True

    async def _go(self, url: str) -> None:
        async with httpx.AsyncClient(timeout=10) as web:
            page = await web.get(url + "&" + urlencode({"login_hint": self.email}))
            assert page.status_code == 200, page.text
            txn = re.search(r'name="transaction" value="([^"]+)"', page.text)
            action = re.search(r'<form method="post" action="([^"]+)"', page.text)
            assert txn and action
            base = f"{page.url.scheme}://{page.url.netloc.decode()}"
            decision = await web.post(
                base + action.group(1),
                data={"transaction": txn.group(1), "user": self.email, "action": self.action},
            )
            assert decision.status_code in (302, 303)
            landing = await web.get(decision.headers["location"])
            assert landing.status_code == 200


def session_for(sandbox: Any, backend: MemoryKeyring, client: httpx.AsyncClient) -> Session:
    return Session(
        environment(sandbox),
        client,
        SecretStore(backend),
        profile=Profile(
            m2m_client_id=sandbox.m2m_client_id, native_client_id=sandbox.native_client_id
        ),
    )


def test_m2m_against_the_sandbox(arun: Run, sandbox: Any) -> None:
    env = environment(sandbox)

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            info = await m2m_test(client, env, sandbox.m2m_client_id, sandbox.m2m_client_secret)
            assert "write:order" in info.scopes and "write:prescription" not in info.scopes
            assert info.expires_in > 0
            with pytest.raises(errors.CredentialsRejected):
                await m2m_test(client, env, sandbox.m2m_client_id, "wrong")
            with pytest.raises(errors.ConfigurationError):
                await m2m_test(
                    client,
                    replace(env, audience="https://api.unknown.test"),
                    sandbox.m2m_client_id,
                    sandbox.m2m_client_secret,
                )

    arun(go())


@pytest.mark.parametrize(("role", "prescribes"), [("prescriber", True), ("staff", False)])
def test_browser_sign_in_restore_and_sign_out(
    arun: Run, sandbox: Any, role: str, prescribes: bool
) -> None:
    backend = MemoryKeyring()
    who = user(sandbox, role)
    native = sandbox.native_client_id

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            session = session_for(sandbox, backend, client)
            await session.sign_in_with_browser(FormBrowser(who["email"]).open, give_up_after=20)
            assert session.kind is TokenKind.USER
            assert session.has("write:prescription") is prescribes
            assert session.permissions >= {"read:patient", "read:order"}
            assert session.identity and who["email"] in session.identity
            assert session.organization_id == sandbox.org_id
            # One entry for the organization in effect, and the list naming it.
            org_key = ("photon-desktop:local", f"refresh-token:{native}:{sandbox.org_id}")
            index_key = ("photon-desktop:local", f"refresh-token-organizations:{native}")
            assert set(backend.entries) == {org_key, index_key}
            assert json.loads(backend.entries[index_key]) == [sandbox.org_id]
            first_rt = backend.entries[org_key]

            relaunched = session_for(sandbox, backend, client)
            await relaunched.restore()
            assert relaunched.kind is TokenKind.USER
            assert relaunched.has("write:prescription") is prescribes
            assert backend.entries[org_key] != first_rt  # rotated and persisted
            rotated = backend.entries[org_key]
            token = await relaunched.access_token()
            assert await relaunched.renew(token)  # a refresh after a 401: rotated again
            assert backend.entries[org_key] not in (first_rt, rotated)

            await relaunched.sign_out()
            assert backend.entries == {}
            again = session_for(sandbox, backend, client)
            await again.restore()
            assert again.kind is TokenKind.NONE

    arun(go(), timeout=60)


def test_cancel_on_the_sandbox_page_is_a_sign_in_error(arun: Run, sandbox: Any) -> None:
    backend = MemoryKeyring()

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            session = session_for(sandbox, backend, client)
            browser = FormBrowser(user(sandbox, "staff")["email"], action="cancel")
            with pytest.raises(errors.SignInError, match="cancelled or refused"):
                await session.sign_in_with_browser(browser.open, give_up_after=20)

    arun(go())
    assert backend.entries == {}


def test_wrong_organization_is_refused(arun: Run, sandbox: Any) -> None:
    backend = MemoryKeyring()

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            session = session_for(sandbox, backend, client)
            session.profile = replace(session.profile, organization_id="org_SomeoneElse")

            async def check(url: str) -> None:
                q = parse_qs(urlsplit(url).query)
                assert q["organization"] == ["org_SomeoneElse"]
                async with httpx.AsyncClient() as web:
                    back = await web.get(url)
                    assert back.status_code == 302
                    await web.get(back.headers["location"])

            tasks: list[asyncio.Task[None]] = []
            with pytest.raises(errors.SignInError):
                await session.sign_in_with_browser(
                    lambda url: tasks.append(asyncio.ensure_future(check(url))) is None
                )
            await asyncio.gather(*tasks)

    arun(go())
    assert backend.entries == {}
