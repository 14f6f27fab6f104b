"""An ``OrderWatch`` whose watcher runs on fake time, for UI tests (real or fake Photon)."""

from __future__ import annotations

from typing import Any

from watch_fakes import FakeTime

from photon_desktop.services.order_fetch import GraphQLOrderFetcher
from photon_desktop.services.order_watcher import OrderWatcher
from photon_desktop.ui.order_watch import OrderWatch
from photon_desktop.ui.workspace import Workspace


def fake_time_watch(workspace: Workspace, time: FakeTime, fetcher: Any = None) -> OrderWatch:
    """The app's bridge, with a watcher on ``time`` reading the sandbox (or ``fetcher``)."""

    def factory(ws: Workspace) -> OrderWatcher:
        source = fetcher or GraphQLOrderFetcher(ws.services.client, ws.services.orders)
        return OrderWatcher(source, clock=time.clock, sleep=time.sleep, wall_clock=time.wall)

    watch = OrderWatch(workspace, factory=factory)
    watch.start()
    return watch


async def round_done(watch: OrderWatch, time: FakeTime, seconds: float) -> None:
    """Advance fake time by ``seconds`` and wait (real time) until the round it starts ends."""
    import asyncio

    watcher = watch.watcher
    assert watcher is not None
    before = watcher.counters.finished_rounds
    await time.advance(seconds)
    for _ in range(1000):
        if watcher.counters.finished_rounds > before and time.sleeping:
            await asyncio.sleep(0.02)  # let the views handle what the round brought
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no watcher round finished")
