"""Closing the app: cancelled work unwinds before the HTTP clients close, work it starts while
unwinding is cancelled too, and work that will not end does not hold the app open."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from auth_fakes import MemoryKeyring

from photon_desktop.desktop import CLOSE_WAIT_S, Desktop
from photon_desktop.ui.common import tasks

Run = Callable[..., Any]


def clients_closed(desktop: Desktop) -> bool:
    return desktop._settings_http.is_closed  # the client every Desktop has from the start


def test_cancelled_work_unwinds_before_the_clients_close(
    isolated: MemoryKeyring, arun: Run
) -> None:
    async def scenario() -> None:
        desktop = Desktop()
        seen: dict[str, bool] = {}
        started: list[asyncio.Task[Any]] = []

        async def slow_to_unwind() -> None:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                # Its error handling starts more work, then needs a few loop turns to finish.
                started.append(tasks.spawn(asyncio.Event().wait(), name="started-while-closing"))
                for _ in range(5):
                    await asyncio.sleep(0)
                seen["clients closed when it ended"] = clients_closed(desktop)
                raise

        work = tasks.spawn(slow_to_unwind(), name="slow-to-unwind")
        await asyncio.sleep(0)
        await desktop.aclose()
        assert work.cancelled()
        assert seen == {"clients closed when it ended": False}
        assert started and started[0].cancelled()
        assert clients_closed(desktop) and not tasks.running()

    arun(scenario())


def test_work_that_will_not_end_does_not_hold_the_app_open(
    isolated: MemoryKeyring, arun: Run
) -> None:
    async def scenario() -> None:
        desktop = Desktop()
        release = asyncio.Event()

        async def stubborn() -> None:
            while not release.is_set():
                try:
                    await release.wait()
                except asyncio.CancelledError:
                    continue  # ignores every cancellation

        work = tasks.spawn(stubborn(), name="stubborn")
        await asyncio.sleep(0)
        loop = asyncio.get_running_loop()
        try:
            began = loop.time()
            await asyncio.wait_for(desktop.aclose(), timeout=10)
            waited = loop.time() - began
            assert clients_closed(desktop) and not work.done()
            assert waited >= CLOSE_WAIT_S  # it did wait, then gave up on it
        finally:
            release.set()
            await work

    arun(scenario())
