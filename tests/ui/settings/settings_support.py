"""Helpers shared by the settings and welcome tests (imported by name; pytest puts this folder
on sys.path)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keyring.backend
import keyring.errors
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QWidget

SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in this process only (tests must never touch the real one)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError(username)
        del self.entries[(service, username)]


async def next_emission(signal: Any, within: float = 10.0) -> tuple[Any, ...]:
    """Await the next emission of a Qt signal (no nested event loop)."""
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


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Await ``condition()`` becoming true, letting the loop run meanwhile."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 -- polls widget state, not an event we own
            await asyncio.sleep(0.01)


async def settle(seconds: float = 0.05) -> None:
    """Let queued Qt events (layouts, paints) run."""
    await asyncio.sleep(seconds)


def dark_palette() -> QPalette:
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


def save_screenshot(widget: QWidget, name: str) -> QImage:
    """Grab ``widget``, save it under artifacts/screenshots, and check it is not blank."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    path = SCREENSHOTS / f"{name}.png"
    assert image.save(str(path)), path
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
    }
    assert len(colours) > 20, f"{path} looks blank ({len(colours)} colours)"
    return image
