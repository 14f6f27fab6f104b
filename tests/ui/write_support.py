"""Helpers for the write-flow tests (prescribing, ordering): find the window or question a flow
opened, answer it as a user would, drive a search, and count the sandbox's writes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QListWidget, QWidget
from ui_support import Connection, save_screenshot, settle, until

from photon_desktop.ui.workspace import Workspace

T = TypeVar("T", bound=QWidget)

SHOTS = Path("/tmp/shots-rx")


def shot(widget: QWidget, name: str) -> None:
    """Save under artifacts/screenshots and /tmp/shots-rx (the non-blank check included)."""
    image = save_screenshot(widget, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(str(SHOTS / f"{name}.png"))


def open_windows(kind: type[T]) -> list[T]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


async def window_of(kind: type[T], within: float = 10.0) -> T:
    await until(lambda: open_windows(kind), within)
    return open_windows(kind)[-1]


async def answer(title: str, button: str, within: float = 10.0) -> QDialog:
    """Wait for the visible dialog titled ``title`` and press its button labelled ``button``."""

    def find() -> QDialog | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible() and widget.windowTitle() == title:
                return widget
        return None

    await until(lambda: find() is not None, within)
    dialog = find()
    assert dialog is not None
    await settle(0.02)
    for candidate in dialog.findChildren(QAbstractButton):
        if candidate.text().replace("&", "") == button:
            candidate.click()
            return dialog
    raise AssertionError(f"{title!r} has no button {button!r}")


async def pick_first(results: QListWidget, within: float = 10.0) -> Any:
    """Wait for selectable rows in ``results`` and click the first; returns its data."""

    def first() -> int:
        for row in range(results.count()):
            if results.item(row).flags() & Qt.ItemFlag.ItemIsSelectable:
                return row
        return -1

    await until(lambda: first() >= 0, within)
    item = results.item(first())
    value = item.data(Qt.ItemDataRole.UserRole)
    results.setCurrentItem(item)
    results.itemClicked.emit(item)
    return value


def writes(sandbox: Any) -> dict[str, int]:
    """How many of each mutation the sandbox has run so far."""
    return dict(sandbox.stats()["clinical"]["mutations"])


def new_writes(sandbox: Any, before: dict[str, int]) -> dict[str, int]:
    now = writes(sandbox)
    return {k: v - before.get(k, 0) for k, v in now.items() if v != before.get(k, 0)}


def gone(widget: QWidget) -> bool:
    """Closed: deleted (``WA_DeleteOnClose``, ``deleteLater``) or hidden."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


@pytest.fixture
def windows_may_close(qapp: QApplication, widgets: list[QWidget]) -> Iterator[None]:
    """Write flows open and close their own windows: closing the last one must not quit the
    app (``widgets`` puts the setting back), and a window deleted on close is dropped from
    ``widgets`` before its clean-up runs. Used autouse by the write-flow folders' conftests."""
    qapp.setQuitOnLastWindowClosed(False)
    yield
    widgets[:] = [w for w in widgets if shiboken6.isValid(w)]


@asynccontextmanager
async def signed_in(sandbox: Any, who: str) -> AsyncIterator[Connection]:
    """A workspace on ``sandbox`` signed in as ``who`` ("m2m" or a demo user's role)."""
    conn = Connection(sandbox, Workspace())
    try:
        if who == "m2m":
            await conn.as_m2m()
        else:
            await conn.as_user(who)
        yield conn
    finally:
        await conn.aclose()
