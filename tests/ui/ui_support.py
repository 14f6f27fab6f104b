"""Helpers for the main-window and patient view tests (imported by name; pytest puts this folder
on sys.path): awaiting Qt signals and conditions without a nested event loop, and screenshots."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

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
    """Await ``condition()`` becoming true while the loop runs."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 -- polls widget state, not an event we own
            await asyncio.sleep(0.01)


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
