"""Switching organization against the real sandbox: the demo prescriber belongs to two.

One refresh token per organization in the keyring, a silent switch back with the kept one, the
browser only when none is kept, every refusal leaving the organization in effect as it was, the
upgrade from the single entry of earlier versions, and a sign-out that ends every organization's
sign-in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from auth_fakes import MemoryKeyring
from test_sandbox_signin import FormBrowser, session_for, user

from photon_desktop import errors
from photon_desktop.auth.claims import unverified_claims
from photon_desktop.auth.refresh_tokens import RefreshTokens
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import OTHER_ORGANIZATION, Session, TokenKind

Run = Callable[..., Any]
SERVICE = "photon-desktop:local"


def second_organization(sandbox: Any) -> str:
    """The demo prescriber's other practice ("Sandbox Pediatrics")."""
    (other,) = [o["id"] for o in sandbox.organizations if o["id"] != sandbox.org_id]
    return str(other)


def org_key(sandbox: Any, org: str) -> tuple[str, str]:
    return (SERVICE, f"refresh-token:{sandbox.native_client_id}:{org}")


def index(sandbox: Any, backend: MemoryKeyring) -> list[str]:
    raw = backend.entries.get((SERVICE, f"refresh-token-organizations:{sandbox.native_client_id}"))
    return json.loads(raw) if raw else []


class RefusingPageBrowser(FormBrowser):
    """Like a browser, goes back to the app when the provider refuses before showing its page."""

    async def _go(self, url: str) -> None:
        async with httpx.AsyncClient(timeout=10) as web:
            first = await web.get(url)
            if not first.is_redirect:
                raise AssertionError("the provider showed its sign-in page")
            await web.get(first.headers["location"])


async def prescriber(sandbox: Any, backend: MemoryKeyring, client: httpx.AsyncClient) -> Session:
    """The demo prescriber signed in, in the first practice."""
    session = session_for(sandbox, backend, client)
    email = user(sandbox, "prescriber")["email"]
    await session.sign_in_with_browser(FormBrowser(email).open, give_up_after=20)
    return session


async def in_both_practices(
    sandbox: Any, backend: MemoryKeyring, client: httpx.AsyncClient
) -> Session:
    """The prescriber signed in to the first practice, then switched to the second by browser:
    a refresh token kept for each."""
    session = await prescriber(sandbox, backend, client)
    email = user(sandbox, "prescriber")["email"]
    second = second_organization(sandbox)
    await session.switch_organization(second, FormBrowser(email).open, give_up_after=20)
    return session


def no_browser(url: str) -> bool:
    raise AssertionError(f"the switch should have been silent, but it opened {url}")


async def token_org(session: Session) -> str:
    return str(unverified_claims(await session.access_token()).get("org_id"))


def refresh_works(sandbox: Any, refresh_token: str) -> bool:
    answer = httpx.post(
        sandbox.token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": sandbox.native_client_id,
        },
    )
    return answer.status_code == 200


def test_switch_there_by_browser_back_silently_and_relaunch_in_the_last_one(
    arun: Run, sandbox: Any
) -> None:
    backend = MemoryKeyring()
    email = user(sandbox, "prescriber")["email"]
    first, second = sandbox.org_id, second_organization(sandbox)

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            session = await prescriber(sandbox, backend, client)
            assert session.organization_id == first and await token_org(session) == first
            generation = session.generation

            # No token kept for the second practice: the browser, asked for it by id.
            asked: list[str] = []
            browser = FormBrowser(email)

            def open_url(url: str) -> bool:
                asked.append(url)
                return browser.open(url)

            assert await session.switch_organization(second, open_url, give_up_after=20) is True
            assert f"organization={second}" in asked[0] and "login_hint=" in asked[0]
            assert session.organization_id == second and await token_org(session) == second
            assert session.generation != generation  # renewals of the old one are discarded
            assert session.kind is TokenKind.USER and email in (session.identity or "")
            assert org_key(sandbox, first) in backend.entries
            assert org_key(sandbox, second) in backend.entries
            assert index(sandbox, backend) == [second, first]

            # Back: the kept token, no browser.
            assert await session.switch_organization(first, no_browser) is False
            assert session.organization_id == first and await token_org(session) == first
            assert index(sandbox, backend) == [first, second]
            # The same organization again changes nothing.
            generation = session.generation
            assert await session.switch_organization(first, no_browser) is False
            assert session.generation == generation

            # Relaunch: the organization last in effect.
            await session.switch_organization(second, no_browser)
            relaunched = session_for(sandbox, backend, client)
            await relaunched.restore()
            assert relaunched.organization_id == second
            assert await token_org(relaunched) == second

    arun(go(), timeout=60)


def test_a_refused_switch_keeps_the_organization_in_effect(arun: Run, sandbox: Any) -> None:
    backend = MemoryKeyring()
    email = user(sandbox, "prescriber")["email"]
    staff = user(sandbox, "staff")["email"]
    first, second = sandbox.org_id, second_organization(sandbox)

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            session = await prescriber(sandbox, backend, client)
            token = await session.access_token()

            # An organization the provider does not know: its page refuses, nothing changes.
            with pytest.raises(errors.SignInError):
                await session.switch_organization(
                    "org_NotAMember", RefusingPageBrowser(email).open, give_up_after=20
                )
            assert session.organization_id == first
            assert await session.access_token() == token

            # A kept token that names another organization (a damaged keyring): refused, dropped.
            planted = sandbox.sign_in(email)["refresh_token"]  # the prescriber's first practice
            backend.set_password(*org_key(sandbox, second), planted)
            with pytest.raises(errors.SignInError) as refused:
                await session.switch_organization(second, no_browser)
            assert str(refused.value) == OTHER_ORGANIZATION
            assert org_key(sandbox, second) not in backend.entries
            assert session.organization_id == first
            assert await session.access_token() == token

            # Someone else at the browser (staff, who is not at the second practice): refused.
            with pytest.raises(errors.SignInError):
                await session.switch_organization(second, FormBrowser(staff).open, give_up_after=20)
            assert session.organization_id == first
            assert await session.access_token() == token

    arun(go(), timeout=60)


def test_someone_else_signing_in_for_the_organization_is_refused(arun: Run, sandbox: Any) -> None:
    backend = MemoryKeyring()
    email = user(sandbox, "prescriber")["email"]
    staff = user(sandbox, "staff")["email"]
    first, second = sandbox.org_id, second_organization(sandbox)

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            session = await in_both_practices(sandbox, backend, client)
            # The first practice's token is no longer kept: the browser, where staff signs in.
            backend.entries.pop(org_key(sandbox, first))
            with pytest.raises(errors.SignInError, match="not " + email):
                await session.switch_organization(first, FormBrowser(staff).open, give_up_after=20)
            assert session.organization_id == second and email in (session.identity or "")

    arun(go(), timeout=60)


def test_an_ended_kept_token_falls_back_to_the_browser(arun: Run, sandbox: Any) -> None:
    backend = MemoryKeyring()
    email = user(sandbox, "prescriber")["email"]
    first = sandbox.org_id

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            session = await in_both_practices(sandbox, backend, client)
            kept_first = backend.entries[org_key(sandbox, first)]
            ended = await client.post(
                sandbox.revoke_url,
                data={"token": kept_first, "client_id": sandbox.native_client_id},
            )
            assert ended.status_code == 200
            opened: list[str] = []
            browser = FormBrowser(email)

            def open_url(url: str) -> bool:
                opened.append(url)
                return browser.open(url)

            assert await session.switch_organization(first, open_url, give_up_after=20) is True
            assert opened and session.organization_id == first
            assert backend.entries[org_key(sandbox, first)] != kept_first

    arun(go(), timeout=60)


def test_sign_out_ends_every_organizations_sign_in(arun: Run, sandbox: Any) -> None:
    backend = MemoryKeyring()
    first, second = sandbox.org_id, second_organization(sandbox)

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            session = await in_both_practices(sandbox, backend, client)
            kept = [backend.entries[org_key(sandbox, o)] for o in (first, second)]
            said = await session.sign_out()
            assert "confirmed" in said
            assert backend.entries == {}
            assert not any(refresh_works(sandbox, token) for token in kept)

    arun(go(), timeout=60)


def test_the_single_entry_of_earlier_versions_is_restored_and_filed_under_its_organization(
    arun: Run, sandbox: Any
) -> None:
    backend = MemoryKeyring()
    email = user(sandbox, "prescriber")["email"]
    legacy = (SERVICE, f"refresh-token:{sandbox.native_client_id}")
    backend.set_password(*legacy, sandbox.sign_in(email)["refresh_token"])

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            session = session_for(sandbox, backend, client)
            await session.restore()
            assert session.kind is TokenKind.USER
            assert session.organization_id == sandbox.org_id
            assert legacy not in backend.entries
            assert org_key(sandbox, sandbox.org_id) in backend.entries
            assert index(sandbox, backend) == [sandbox.org_id]
            relaunched = session_for(sandbox, backend, client)
            await relaunched.restore()
            assert relaunched.organization_id == sandbox.org_id

    arun(go(), timeout=60)


def test_the_list_of_organizations_survives_damage_and_names_the_last_one_first(
    run: Run,
) -> None:
    backend = MemoryKeyring()
    kept = RefreshTokens(SecretStore(backend), "local", "native")
    backend.set_password(SERVICE, "refresh-token-organizations:native", "{not a list")
    backend.set_password(SERVICE, "refresh-token:native", "single")

    async def go() -> None:
        assert await kept.organizations() == []  # damaged: the single entry still restores
        assert await kept.last() == (None, "single")
        await kept.put("org_A", "a")
        await kept.put("org_B", "b")
        assert await kept.organizations() == ["org_B", "org_A"]
        await kept.put("org_A", "a2")
        assert await kept.last() == ("org_A", "a2")
        await kept.drop("org_A")
        assert await kept.last() == ("org_B", "b")  # the one in effect before it
        assert sorted(await kept.take_all()) == ["b", "single"]
        assert backend.entries == {}

    run(go())
