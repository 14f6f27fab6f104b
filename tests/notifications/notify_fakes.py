"""A test double of the notification port: records what it is asked to show."""

from __future__ import annotations

from collections.abc import Callable

from photon_desktop.services.notifications import Notice


class RecordingPort:
    def __init__(self, name: str = "recording", *, works: bool = True) -> None:
        self.name = name
        self.works = works
        self.shown: list[Notice] = []
        self.clicks: list[Callable[[], None]] = []

    async def show(self, notice: Notice, on_click: Callable[[], None]) -> bool:
        if not self.works:
            return False
        self.shown.append(notice)
        self.clicks.append(on_click)
        return True
