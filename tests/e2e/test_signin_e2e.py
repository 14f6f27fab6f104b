"""The real sign-in: the login window opens a URL, a real headless Chromium signs in on the local
sandbox and lands on the loopback receiver; afterwards no secret is in any file the app wrote."""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx
import pytest
from auth_fakes import MemoryKeyring, installed_memory_keyring
from PySide6.QtCore import QCoreApplication, QObject, QSettings, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication
from qasync_helpers import run_on_qasync

from photon_desktop.auth.environments import LOCAL_SANDBOX
from photon_desktop.auth.profiles import Profile, load_profile, save_profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session, TokenKind
from photon_desktop.desktop import QtSettingsStore
from photon_desktop.services.signin import SignInService
from photon_desktop.ui.common import tasks
from photon_desktop.ui.signin.window import SignInWindow

pytestmark = [pytest.mark.e2e, pytest.mark.qt_log_ignore("propagateSizeHints")]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class UrlCatcher(QObject):
    """Stands in for the system browser: records what ``QDesktopServices.openUrl`` was given."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.opened: asyncio.Future[str] | None = None

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        text = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
        self.urls.append(text)
        if self.opened is not None and not self.opened.done():
            self.opened.set_result(text)


def drive_chromium(url: str, profile_dir: str) -> str:
    """Open ``url`` in headless Chromium, press Continue, return the landing page's text."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile_dir, executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = context.new_page()
            page.goto(url, wait_until="load", timeout=20000)
            page.click("#continue", timeout=20000)
            page.wait_for_url(
                lambda u: u.startswith("http://127.0.0.1:") and "/callback?" in u, timeout=20000
            )
            page.wait_for_load_state("load")
            return page.inner_text("body")
        finally:
            context.close()


@pytest.fixture
def app_files(
    tmp_path: Path, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point every place the app could write (QSettings, XDG dirs, logs) at one folder."""
    root = tmp_path / "app"
    for name in ("config", "data", "cache"):
        (root / name).mkdir(parents=True)
        monkeypatch.setenv(f"XDG_{name.upper()}_HOME", str(root / name))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root / "config"))
    QCoreApplication.setOrganizationName("PhotonDesktopE2E")
    QCoreApplication.setApplicationName("signin-e2e")
    qapp.setQuitOnLastWindowClosed(False)  # as the app does; closing the window must not quit
    handler = logging.FileHandler(root / "photon-desktop.log", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    logger = logging.getLogger()
    previous_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield root
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        handler.close()
        qapp.setQuitOnLastWindowClosed(True)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_memory_keyring() as backend:
        yield backend


@pytest.fixture
def catcher() -> Iterator[UrlCatcher]:
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("http", catcher, "open")
    QDesktopServices.setUrlHandler("https", catcher, "open")
    yield catcher
    QDesktopServices.unsetUrlHandler("http")
    QDesktopServices.unsetUrlHandler("https")


def arun(qapp: QApplication, coro: Coroutine[Any, Any, Any]) -> Any:
    return run_on_qasync(qapp, coro, 90)


def scan(root: Path, secrets: list[str]) -> list[str]:
    """Files under ``root`` that contain any of ``secrets``."""
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path}: secret #{i}" for i, s in enumerate(secrets) if s.encode() in data]
    return found


@pytest.mark.parametrize(("role", "prescribes"), [("prescriber", True), ("staff", False)])
def test_sign_in_with_a_real_browser(
    qapp: QApplication,
    qtbot: Any,
    sandbox: Any,
    app_files: Path,
    memory_keyring: MemoryKeyring,
    catcher: UrlCatcher,
    role: str,
    prescribes: bool,
) -> None:
    email = next(u["email"] for u in sandbox.users if u["role"] == role)
    env = LOCAL_SANDBOX.with_endpoints(
        issuer=sandbox.issuer, audience=sandbox.audience, graphql_url=sandbox.graphql_url
    )
    save_profile(
        env.key,
        Profile(
            m2m_client_id=sandbox.m2m_client_id,
            native_client_id=sandbox.native_client_id,
            issuer=sandbox.issuer,
            audience=sandbox.audience,
            graphql_url=sandbox.graphql_url,
        ),
        QtSettingsStore(),
    )
    seen: dict[str, str] = {}
    chromium_profile = tempfile.mkdtemp(prefix="chromium-", dir=app_files.parent)

    settings = QtSettingsStore()

    async def go() -> str:
        async with httpx.AsyncClient() as client:
            session = Session(env, client, SecretStore(), profile=load_profile(env.key, settings))
            window = SignInWindow(
                SignInService(session)
            )  # opens URLs with QDesktopServices.openUrl
            qtbot.addWidget(window)
            window.show()
            loop = asyncio.get_running_loop()
            catcher.opened = loop.create_future()
            done: asyncio.Future[None] = loop.create_future()
            window.signed_in.connect(lambda: done.done() or done.set_result(None))

            window.sign_in_button.click()
            opened = await catcher.opened
            # The browser is sent through a one-shot local redirect (so the app sees it came).
            assert opened.startswith("http://127.0.0.1:")
            redirect = await client.get(opened)
            assert redirect.status_code == 302
            url = redirect.headers["location"]
            assert url == window.link and url.startswith(sandbox.authorize_url + "?")
            landing = await asyncio.to_thread(
                drive_chromium, url + "&" + urlencode({"login_hint": email}), chromium_profile
            )
            await asyncio.wait_for(done, 30)

            assert session.kind is TokenKind.USER
            assert session.has("write:prescription") is prescribes
            assert email in (session.identity or "")
            assert window.status.text() == "Sign-in complete."
            assert f"Signed in as {session.identity}" in window.account.text()
            seen["access"] = await session.access_token()
            # The refresh token, filed under the organization signed in to (and the list of them).
            (seen["refresh"],) = [
                secret
                for (_service, user), secret in memory_keyring.entries.items()
                if user.startswith("refresh-token:")
            ]

            # The organization's M2M secret, remembered in the keyring as the settings pane does.
            m2m = Session(env, client, SecretStore(), profile=load_profile(env.key, settings))
            await m2m.use_m2m(sandbox.m2m_client_id, sandbox.m2m_client_secret, remember=True)
            seen["m2m_access"] = await m2m.access_token()
            assert len(memory_keyring.entries) == 3

            await session.sign_out()
            await m2m.sign_out()
            assert memory_keyring.entries == {}
            assert session.kind is TokenKind.NONE and not session.has("read:patient")
            window.close()
            assert tasks.running(window) == []
            return landing

    landing = arun(qapp, go())
    assert "You can close this tab and return to Photon Desktop" in landing
    assert len(catcher.urls) == 1

    QSettings().sync()
    written = [p for p in app_files.rglob("*") if p.is_file()]
    assert any(p.suffix == ".ini" for p in written) and any(p.suffix == ".log" for p in written)
    assert (app_files / "photon-desktop.log").stat().st_size > 0
    leaks = scan(
        app_files,
        [sandbox.m2m_client_secret, seen["access"], seen["refresh"], seen["m2m_access"]],
    )
    assert leaks == []
