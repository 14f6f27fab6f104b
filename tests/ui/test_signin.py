"""The login window as a user sees it: banner, waiting state, Cancel/Esc, copy link, errors."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx
import keyring.backends.fail
import pytest
from auth_fakes import ENV, NATIVE_ID, Browser, FakeAuth0, MemoryKeyring
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from photon_desktop.auth.environments import EnvironmentKind
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session, TokenKind
from photon_desktop.services.signin import SignInService
from photon_desktop.ui.signin.window import SignInWindow

Run = Callable[..., Any]

# The offscreen platform warns when a top-level window is shown; it says nothing about us.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def window(
    qtbot: Any, fake: FakeAuth0, open_url: Callable[[str], bool], *, env=ENV, store=None
) -> SignInWindow:
    session = Session(
        env,
        fake.client(),
        store or SecretStore(MemoryKeyring()),
        profile=Profile(native_client_id=NATIVE_ID),
    )
    w = SignInWindow(SignInService(session), open_url=open_url)
    qtbot.addWidget(w)
    w.show()
    return w


async def until(condition: Callable[[], bool], limit: float = 5.0) -> None:
    async with asyncio.timeout(limit):
        while not condition():  # noqa: ASYNC110 - polls widget state, which has no awaitable
            await asyncio.sleep(0.01)


def test_production_is_unmistakable(qtbot: Any) -> None:
    prod = replace(ENV, kind=EnvironmentKind.PRODUCTION, name="Photon Production")
    w = window(qtbot, FakeAuth0(), lambda url: True, env=prod)
    assert "PRODUCTION" in w.windowTitle() and "PRODUCTION" in w.banner.text()
    assert w.banner.property("production") is True
    assert w.banner.palette() is not None
    sandbox = window(qtbot, FakeAuth0(), lambda url: True)
    assert "PRODUCTION" not in sandbox.windowTitle() + sandbox.banner.text()
    assert sandbox.banner.property("production") is False


def test_every_control_has_an_accessible_name(qtbot: Any) -> None:
    w = window(qtbot, FakeAuth0(), lambda url: True)
    for widget in w.findChildren(QPushButton) + w.findChildren(QLineEdit) + w.findChildren(QLabel):
        assert widget.accessibleName(), widget


def test_sign_in_in_the_browser_shows_waiting_then_the_result(arun: Run, qtbot: Any) -> None:
    fake = FakeAuth0()
    browser = Browser(fake)
    held: list[str] = []
    w = window(qtbot, fake, lambda url: held.append(url) or True)

    async def go() -> None:
        qtbot.mouseClick(w.sign_in_button, Qt.MouseButton.LeftButton)
        await until(lambda: bool(held))
        assert w.waiting and not w.sign_in_button.isEnabled()
        assert w.cancel_button.isVisible()
        assert "web browser" in w.status.text()
        await browser.come_back(held[0])
        await until(lambda: not w.waiting)

    with qtbot.waitSignal(w.signed_in, timeout=10000):
        arun(go())
    assert w.service.session.kind is TokenKind.USER
    said = [label.text() for label in w.findChildren(QLabel) if label.isVisible()]
    assert sum("Signed in as Dr Maya Okafor" in text for text in said) == 1, said
    assert w.status.text() == "Sign-in complete."
    assert w.sign_in_button.isEnabled() and not w.cancel_button.isVisible()


def test_the_sign_in_button_keeps_its_natural_width_on_a_wide_page(qtbot: Any) -> None:
    w = window(qtbot, FakeAuth0(), lambda url: True)
    w.resize(1000, 500)
    qtbot.waitUntil(lambda: w.width() == 1000)
    assert w.sign_in_button.width() < 1.5 * w.sign_in_button.sizeHint().width()


def test_browser_not_opening_offers_the_link_to_copy(arun: Run, qtbot: Any) -> None:
    fake = FakeAuth0()
    w = window(qtbot, fake, lambda url: False)

    async def go() -> None:
        w.start()
        await until(lambda: bool(w.link))
        assert w.link_field.isVisible() and w.copy_button.isVisible()
        assert w.link_field.text() == w.link
        assert "could not be opened" in w.status.text()
        qtbot.mouseClick(w.copy_button, Qt.MouseButton.LeftButton)
        copied = QGuiApplication.clipboard().text()
        assert copied == w.link
        await Browser(fake).come_back(copied)
        await until(lambda: not w.waiting)

    arun(go())
    assert w.service.session.kind is TokenKind.USER


@pytest.mark.parametrize("how", ["button", "escape"])
def test_cancel_returns_to_idle_and_frees_the_port(arun: Run, qtbot: Any, how: str) -> None:
    fake = FakeAuth0()
    held: list[str] = []
    w = window(qtbot, fake, lambda url: held.append(url) or True)

    async def go() -> None:
        w.start()
        await until(lambda: bool(held))
        if how == "button":
            qtbot.mouseClick(w.cancel_button, Qt.MouseButton.LeftButton)
        else:
            qtbot.keyClick(w, Qt.Key.Key_Escape)
        await until(lambda: not w.waiting)

    arun(go())
    assert w.status.text() == "Sign-in cancelled."
    assert w.sign_in_button.isEnabled() and not w.cancel_button.isVisible()
    assert w.service.session.kind is TokenKind.NONE
    redirect = parse_qs(urlsplit(held[0]).query)["redirect_uri"][0]
    with pytest.raises(httpx.ConnectError):
        httpx.get(redirect)


def test_denial_shows_an_error_and_allows_a_retry(arun: Run, qtbot: Any) -> None:
    fake = FakeAuth0()
    browser = Browser(fake, answer="access_denied")
    w = window(qtbot, fake, browser.open)

    async def go() -> None:
        w.start()
        await until(lambda: not w.waiting and bool(browser.urls))

    arun(go())
    assert "cancelled or refused" in w.error.text()
    assert "<script>" not in w.error.text()
    assert w.sign_in_button.isEnabled()


def test_no_keyring_notice_is_visible(arun: Run, qtbot: Any) -> None:
    store = SecretStore(keyring.backends.fail.Keyring())
    arun(store.probe())
    fake = FakeAuth0()
    w = window(qtbot, fake, Browser(fake).open, store=store)
    assert w.notice.isVisible() and "sign in again" in w.notice.text()


def test_escape_closes_an_idle_stand_alone_window(qtbot: Any) -> None:
    w = window(qtbot, FakeAuth0(), lambda url: True)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=2000)
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=2000)


class _UrlCatcher(QObject):
    """A system browser handler that accepts every URL and, unless told to, never fetches it."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))


@pytest.fixture
def catcher() -> Any:
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("http", catcher, "open")
    yield catcher
    QDesktopServices.unsetUrlHandler("http")


@pytest.fixture
def browser_window(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> SignInWindow:
    """The real opener: ``QDesktopServices`` through the one-shot local redirect (a browser
    that has not come after 0.2 s is taken as not started)."""
    monkeypatch.setattr(SignInWindow, "BROWSER_START_S", 0.2)
    profile = Profile(native_client_id=NATIVE_ID)
    session = Session(ENV, FakeAuth0().client(), SecretStore(MemoryKeyring()), profile=profile)
    w = SignInWindow(SignInService(session))
    qtbot.addWidget(w)
    w.show()
    return w


def test_a_browser_that_never_comes_puts_copy_link_first(
    arun: Run, catcher: _UrlCatcher, browser_window: SignInWindow
) -> None:
    """``openUrl`` said yes, yet no browser asked for the page: the window says so."""
    w = browser_window

    async def go() -> None:
        w.start()
        await until(lambda: "may not have opened" in w.status.text())
        assert catcher.urls and catcher.urls[0].startswith("http://127.0.0.1:")
        assert w.link_field.isVisible() and w.copy_button.isVisible()
        assert w.copy_button.isDefault()
        assert w.waiting  # the link still works
        w.cancel()
        await until(lambda: not w.waiting)

    arun(go())


def test_a_browser_that_comes_is_sent_on_to_the_sign_in_page(
    arun: Run, catcher: _UrlCatcher, browser_window: SignInWindow
) -> None:
    w = browser_window

    async def go() -> None:
        w.start()
        await until(lambda: bool(catcher.urls) and bool(w.link))
        async with httpx.AsyncClient() as browser:
            wrong = await browser.get(catcher.urls[0] + "x")
            answer = await browser.get(catcher.urls[0])
        assert wrong.status_code == 404
        assert answer.status_code == 302 and answer.headers["location"] == w.link
        await asyncio.sleep(0.5)  # past the check: it found the browser came
        assert "may not have opened" not in w.status.text()
        assert not w.link_field.isVisible()
        w.cancel()
        await until(lambda: not w.waiting)

    arun(go())
