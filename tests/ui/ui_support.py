"""Helpers for every UI test under tests/ui (imported by name; tests/ui/conftest.py puts this folder
and tests/auth on sys.path): awaiting Qt signals and conditions without a nested event loop,
screenshots, a dark palette, and a Workspace over a real Session + Services on the sandbox."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from auth_fakes import MemoryKeyring
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget

from photon_desktop.api.retry import RetryPolicy
from photon_desktop.auth.environments import LOCAL_SANDBOX, Environment
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session
from photon_desktop.services import Services
from photon_desktop.ui.common import tasks
from photon_desktop.ui.main_window import MainWindow
from photon_desktop.ui.workspace import Workspace

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


async def next_emission(signal: Any, within: float = 10.0) -> tuple[Any, ...]:
    """Await the next emission of a Qt signal (stack guide §4: never qtbot.wait in a coroutine)."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def fire(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(fire)
    try:
        async with asyncio.timeout(within):
            return await future
    finally:
        signal.disconnect(fire)


async def until(condition: Callable[[], object], within: float = 10.0) -> None:
    """Await ``condition()`` becoming true, letting the loop run meanwhile."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 -- polls widget state, not an event we own
            await asyncio.sleep(0.01)


async def settle(seconds: float = 0.05) -> None:
    """Let queued Qt events (layouts, paints) run."""
    await asyncio.sleep(seconds)


def tab_walk(start: QWidget, presses: int, key: Qt.Key = Qt.Key.Key_Tab) -> list[QWidget]:
    """Press ``key`` (Tab, or Backtab with Shift) ``presses`` times from ``start``, which must
    have the focus; the widgets that had it, ``start`` first. Real key presses: Qt's own Tab
    decides (focus proxies and radio groups included), not the chain as ``setTabOrder`` left it."""
    shift = Qt.KeyboardModifier.ShiftModifier if key == Qt.Key.Key_Backtab else None
    visited = [start]
    for _ in range(presses):
        if shift is None:
            QTest.keyClick(visited[-1], key)
        else:
            QTest.keyClick(visited[-1], key, shift)
        focused = QApplication.focusWidget()
        assert focused is not None, f"Tab left the window after {visited[-1]!r}"
        visited.append(focused)
    return visited


def column(model: QAbstractItemModel, title: str) -> list[str]:
    """The displayed texts of the column headed ``title``, top to bottom."""
    col = next(
        c for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal) == title
    )  # fmt: skip
    return [model.index(r, col).data() for r in range(model.rowCount())]


def fill(form: Any, **values: str) -> None:
    """Type ``values`` into a form's fields (``form.fields[key].editor``) as a user would;
    text QTest cannot type (tabs, other scripts) is pasted."""
    for key, value in values.items():
        editor = form.fields[key].editor
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(editor.findData(value))
            continue
        assert isinstance(editor, QLineEdit)
        editor.clear()
        if value.isascii() and value.isprintable():
            QTest.keyClicks(editor, value)
        else:
            editor.insert(value)


def dark_palette() -> QPalette:
    """The dark scheme screenshot tests run in (with the Fusion style)."""
    palette = QPalette()
    base, text = QColor("#1e1f22"), QColor("#e6e6e6")
    palette.setColor(QPalette.ColorRole.Window, QColor("#2b2d30"))
    palette.setColor(QPalette.ColorRole.WindowText, text)
    palette.setColor(QPalette.ColorRole.Base, base)
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#26282b"))
    palette.setColor(QPalette.ColorRole.Text, text)
    palette.setColor(QPalette.ColorRole.Button, QColor("#3c3f41"))
    palette.setColor(QPalette.ColorRole.ButtonText, text)
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#2f65ca"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("white"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8c8c8c"))
    palette.setColor(QPalette.ColorRole.Link, QColor("#6ea8fe"))
    return palette


def screenshot(widget: QWidget, name: str) -> QImage:
    """Save ``widget`` as artifacts/screenshots/<name>.png and return the image."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    image.save(str(SCREENSHOTS / f"{name}.png"))
    return image


def distinct_colours(image: QImage, step: int = 3) -> int:
    """How many distinct colours a sample of the image holds (a blank grab has one or two)."""
    seen: set[int] = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)


def save_screenshot(widget: QWidget, name: str) -> QImage:
    """Grab ``widget``, save it under artifacts/screenshots, and check it is not blank."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    path = SCREENSHOTS / f"{name}.png"
    assert image.save(str(path)), path
    colours = distinct_colours(image)
    assert colours > 20, f"{path} looks blank ({colours} colours)"
    return image


# ---------------------------------------------------------------------------- the real sandbox


def sandbox_environment(sandbox: Any) -> Environment:
    return LOCAL_SANDBOX.with_endpoints(
        issuer=sandbox.issuer, audience=sandbox.audience, graphql_url=sandbox.graphql_url
    )


class FormBrowser:
    """Plays the user at the sandbox's /authorize page: loads it and presses Continue."""

    def __init__(self, email: str) -> None:
        self.email = email
        self.tasks: list[asyncio.Task[None]] = []

    def open(self, url: str) -> bool:
        self.tasks.append(asyncio.ensure_future(self._go(url)))
        return True

    async def _go(self, url: str) -> None:
        async with httpx.AsyncClient(timeout=10) as web:
            page = await web.get(url + "&" + urlencode({"login_hint": self.email}))
            txn = re.search(r'name="transaction" value="([^"]+)"', page.text)
            action = re.search(r'<form method="post" action="([^"]+)"', page.text)
            assert txn and action, page.text
            base = f"{page.url.scheme}://{page.url.netloc.decode()}"
            decision = await web.post(
                base + action.group(1),
                data={"transaction": txn.group(1), "user": self.email, "action": "continue"},
            )
            await web.get(decision.headers["location"])


@asynccontextmanager
async def m2m_window(
    sandbox: Any, widgets: list[QWidget], theme: Any = None
) -> AsyncIterator[tuple[Connection, MainWindow]]:
    """The main window (1280x800, following ``theme``) over an M2M Connection, shown with its
    first page of patients; closed with the connection when the block ends."""
    conn = Connection(sandbox, Workspace())
    try:
        window = MainWindow(conn.workspace)
        if theme is not None:
            theme.changed.connect(window.on_theme_changed)
        widgets.append(window)
        await conn.as_m2m()
        window.resize(1280, 800)
        window.show()
        await next_emission(window.patients.first_page_loaded)
        yield conn, window
    finally:
        await conn.aclose()


@asynccontextmanager
async def signed_in(sandbox: Any) -> AsyncIterator[Connection]:
    """A Connection signed in as the sandbox's M2M client, closed when the block ends."""
    conn = Connection(sandbox, Workspace())
    try:
        await conn.as_m2m()
        yield conn
    finally:
        await conn.aclose()


class Connection:
    """A Workspace over a real Session and Services talking HTTP to the sandbox; secrets go to
    ``store`` (default: a keyring of its own, in memory); ``retry``: the reads' retry policy
    (default: the app's).

    Build it inside the test's coroutine (its httpx client belongs to that loop); ``aclose()``.
    """

    def __init__(
        self,
        sandbox: Any,
        workspace: Workspace,
        store: SecretStore | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.workspace = workspace
        self.http = httpx.AsyncClient(timeout=10)
        env = sandbox_environment(sandbox)
        self.session = Session(
            env,
            self.http,
            store or SecretStore(MemoryKeyring()),
            profile=Profile(
                m2m_client_id=sandbox.m2m_client_id, native_client_id=sandbox.native_client_id
            ),
        )
        self.services = Services(self.http, env.graphql_url, self.session, retry=retry)
        self.environment = env

    async def as_m2m(self) -> None:
        await self.session.use_m2m(
            self.sandbox.m2m_client_id, self.sandbox.m2m_client_secret, remember=False
        )
        self._attach()

    async def as_user(self, role: str) -> None:
        """Sign in through /authorize as the sandbox user with ``role``."""
        who = next(u for u in self.sandbox.users if u["role"] == role)
        await self.session.sign_in_with_browser(FormBrowser(who["email"]).open, give_up_after=20)
        self._attach()

    def _attach(self) -> None:
        if not self.workspace.ready:
            self.workspace.set(self.environment, self.session, self.services)

    async def aclose(self) -> None:
        # Views' requests end before their client closes (as MainWindow.closeEvent does).
        pending = tasks.running()
        tasks.cancel_all()
        await asyncio.gather(*pending, return_exceptions=True)
        await self.services.aclose()
        await self.http.aclose()
