"""Switching organization through a real headless Chromium and the real loopback redirect: the
browser is asked for the chosen organization, the new token names it, and switching back uses
the kept refresh token without any browser."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from auth_fakes import MemoryKeyring
from PySide6.QtWidgets import QApplication
from qasync_helpers import run_on_qasync
from test_signin_e2e import drive_chromium

from photon_desktop.auth.claims import unverified_claims
from photon_desktop.auth.environments import LOCAL_SANDBOX
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session

pytestmark = [pytest.mark.e2e, pytest.mark.qt_log_ignore("propagateSizeHints")]
PRESCRIBER = "prescriber@sandbox.photon.local"


class Chromium:
    """Opens each sign-in page in headless Chromium (a thread), where the prescriber continues."""

    def __init__(self, profile_dir: str) -> None:
        self.profile_dir = profile_dir
        self.landings: list[asyncio.Future[str]] = []
        self.urls: list[str] = []

    def open(self, url: str) -> bool:
        self.urls.append(url)
        page = url + "&" + urlencode({"login_hint": PRESCRIBER})
        self.landings.append(
            asyncio.ensure_future(asyncio.to_thread(drive_chromium, page, self.profile_dir))
        )
        return True


def test_switch_in_a_real_browser_and_back_without_one(
    qapp: QApplication, sandbox: Any, tmp_path: Path
) -> None:
    env = LOCAL_SANDBOX.with_endpoints(
        issuer=sandbox.issuer, audience=sandbox.audience, graphql_url=sandbox.graphql_url
    )
    first = sandbox.org_id
    (second,) = [o["id"] for o in sandbox.organizations if o["id"] != first]
    chromium = Chromium(tempfile.mkdtemp(prefix="chromium-", dir=tmp_path))

    def no_browser(url: str) -> bool:
        raise AssertionError(f"switching back opened a browser at {url}")

    async def go() -> None:
        async with httpx.AsyncClient() as client:
            session = Session(
                env,
                client,
                SecretStore(MemoryKeyring()),
                profile=Profile(native_client_id=sandbox.native_client_id),
            )
            await session.sign_in_with_browser(chromium.open, give_up_after=60)
            assert session.organization_id == first
            assert await session.switch_organization(second, chromium.open, give_up_after=60)
            assert "organization=" + second in chromium.urls[-1]
            assert "return to Photon Desktop" in await chromium.landings[-1]
            assert session.organization_id == second
            assert unverified_claims(await session.access_token())["org_id"] == second
            assert not await session.switch_organization(first, no_browser)
            assert unverified_claims(await session.access_token())["org_id"] == first
            assert len(chromium.urls) == 2

    run_on_qasync(qapp, go(), 120)
